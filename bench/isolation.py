"""Measure what isolation costs: per check (a call through the worker) and per submission.

Prints medians for:
- the zygote start (fresh interpreter, preload, sandbox probe) until it is ready;
- a ready child per exercise: fork from the pre-warmed zygote + confine + import, with the
  sandbox and without it, against a fresh interpreter importing the same module;
- one call through the worker (codec, socket, sandboxed child) against a direct call.

    python bench/isolation.py [--runs 30] [--calls 2000]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

from grader import catalog
from grader.pool import WorkerPool
from grader.proxy import StudentModule

ROOT = Path(__file__).resolve().parent.parent
SOURCE = (ROOT / "reference" / "ex10.py").read_text()


def child_ready(pool: WorkerPool) -> tuple[float, StudentModule]:
    started = time.perf_counter()
    module = StudentModule(pool=pool, exercise=catalog.get("ex10"), files={"ex10.py": SOURCE})
    assert module.status().ok
    return time.perf_counter() - started, module


def fresh_interpreter() -> float:
    path = str(ROOT / "reference" / "ex10.py")
    code = ("import importlib.util, numpy; "
            f"s = importlib.util.spec_from_file_location('ex10', {path!r}); "
            "m = importlib.util.module_from_spec(s); s.loader.exec_module(m); m.entropy([1, 1])")
    started = time.perf_counter()
    subprocess.run([sys.executable, "-I", "-c", code], check=True)
    return time.perf_counter() - started


def ms(values: list[float]) -> str:
    return f"{1000 * statistics.median(values):8.2f} ms"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--calls", type=int, default=2000)
    args = parser.parse_args()

    for confine in (True, False):
        label = "sandboxed" if confine else "no sandbox"
        starts, readies = [], []
        for _ in range(3):
            started = time.perf_counter()
            pool = WorkerPool(preload=["numpy"], confine=confine)
            level = pool.sandbox()
            starts.append(time.perf_counter() - started)
            pool.close()
        with WorkerPool(preload=["numpy"], confine=confine) as pool:
            for _ in range(args.runs):
                elapsed, module = child_ready(pool)
                readies.append(elapsed)
                module.close()
            _, module = child_ready(pool)
            p = [0.2, 0.3, 0.5]
            module.entropy(p)
            started = time.perf_counter()
            for _ in range(args.calls):
                module.entropy(p)
            per_call = (time.perf_counter() - started) / args.calls
            module.close()
        print(f"[{label}] sandbox level: {level.level}; missing: {list(level.missing)}")
        print(f"  zygote start until ready (numpy preloaded) {ms(starts)}")
        print(f"  child ready (fork + confine + import ex10) {ms(readies)}")
        print(f"  one call through the worker                {1e6 * per_call:8.1f} us")

    fresh = [fresh_interpreter() for _ in range(max(5, args.runs // 3))]
    print(f"fresh interpreter per submission (import numpy + ex10, one call) {ms(fresh)}")
    ref = {}
    exec(compile(SOURCE, "ex10.py", "exec"), ref)
    p = np.array([0.2, 0.3, 0.5])
    started = time.perf_counter()
    for _ in range(args.calls):
        ref["entropy"](p)
    direct = (time.perf_counter() - started) / args.calls
    print(f"one direct in-process call                                {1e6 * direct:8.1f} us")


if __name__ == "__main__":
    main()
