"""Measure, over many seeds, the numbers exercise 15's hidden suite puts thresholds on.

Runs ``train_mlp`` (the reference, or any submission files given) on exactly the data the
suite passes (``grading_split`` of ``grader/hidden/test_ex15.py``) with the default
arguments, once per seed, plus the suite's one-epoch ``lr=1e-8`` call, with torch on one
thread as in the worker, and prints min / mean / max of each statistic:

- ``acc_last``: validation accuracy after the last epoch (the accuracy check);
- ``ce_ratio``: last epoch's ``train_ce`` / first epoch's (the "training lowers the loss"
  check);
- ``gap1``: epoch 1's ``train_ce`` minus its ``val_ce`` (the "epoch mean" check: positive
  when ``train_ce`` is the mean of the epoch's mini-batch losses, which include the
  untrained start; about 0 for the last batch's loss);
- ``fall1``: log 10 minus epoch 1's ``val_ce`` (how much the model learnt in epoch 1: the
  "epoch mean" check judges only when it is at least the suite's ``LEARNT``);
- ``h_max``: the largest mean entropy over the epochs, in nats; ``h_untrained``: the mean
  entropy of the ``lr=1e-8`` call (both must stay below log 10 = 2.3026);
- ``seconds``: wall time of the default call.

    python bench/ex15_thresholds.py --seeds 100
    python bench/ex15_thresholds.py --seeds 30 tests/submissions/ex15/train_ce_last_batch.py
    python bench/ex15_thresholds.py --seeds 20 --mnist ~/data/mnist
"""

from __future__ import annotations

import argparse
import importlib.util
import math
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

STATS = ("acc_last", "ce_ratio", "gap1", "fall1", "h_max", "h_untrained", "seconds")


def load_module(path: str | Path, name: str):
    """Import a file (a submission, the reference, the hidden suite) as a module."""
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def measure(train_mlp, split, seed: int, untrained_lr: float) -> dict[str, float]:
    """Run one seed; return its statistics."""
    data = (split.X_train, split.y_train, split.X_val, split.y_val)
    started = time.perf_counter()
    logs = train_mlp(*data, seed=seed)
    seconds = time.perf_counter() - started
    untrained = train_mlp(*data, epochs=1, lr=untrained_lr, seed=seed)[0]
    return {"acc_last": logs[-1]["val_accuracy"],
            "ce_ratio": logs[-1]["train_ce"] / logs[0]["train_ce"],
            "gap1": logs[0]["train_ce"] - logs[0]["val_ce"],
            "fall1": math.log(10) - logs[0]["val_ce"],
            "h_max": max(log["mean_entropy"] for log in logs),
            "h_untrained": untrained["mean_entropy"],
            "seconds": seconds}


def summarise(name: str, rows: list[dict[str, float]]) -> None:
    """Print min / mean / max of every statistic, and the seeds at the extremes."""
    print(f"\n{name}: {len(rows)} seeds")
    for stat in STATS:
        values = [row[stat] for row in rows]
        low = min(range(len(values)), key=values.__getitem__)
        high = max(range(len(values)), key=values.__getitem__)
        print(f"  {stat:11s} min {values[low]:.4f} (seed {rows[low]['seed']:.0f})  "
              f"mean {statistics.fmean(values):.4f}  sd {statistics.pstdev(values):.4f}  "
              f"max {values[high]:.4f} (seed {rows[high]['seed']:.0f})")


def main(argv: list[str] | None = None) -> None:
    """Parse the arguments, run every seed for every file, print the summaries."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="*", help="submission files (default: the reference)")
    parser.add_argument("--seeds", type=int, default=100)
    parser.add_argument("--first-seed", type=int, default=0)
    parser.add_argument("--mnist", metavar="DIR", help="use MNIST's IDX files instead of digits")
    args = parser.parse_args(argv)

    os.environ.setdefault("OMP_NUM_THREADS", "1")
    import torch

    torch.set_num_threads(1)
    suite = load_module(ROOT / "grader" / "hidden" / "test_ex15.py", "hidden_ex15")
    split = suite.grading_split({"mnist": args.mnist} if args.mnist else {})
    print(f"data: {split.name}, train {split.X_train.shape}, val {split.X_val.shape}; "
          f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
    print(f"suite thresholds: accuracy >= {suite.ACCURACY[split.name]}, ce_ratio <= "
          f"{suite.CE_RATIO}, gap1 >= {suite.GAP[split.name]} when fall1 >= {suite.LEARNT}")
    files = args.files or [str(ROOT / "reference" / "ex15.py")]
    for index, path in enumerate(files):
        train_mlp = load_module(path, f"bench_submission_{index}").train_mlp
        rows = [{"seed": seed, **measure(train_mlp, split, seed, suite.UNTRAINED_LR)}
                for seed in range(args.first_seed, args.first_seed + args.seeds)]
        summarise(Path(path).name, rows)
    print(f"\nload average at the end {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
