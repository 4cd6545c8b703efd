"""Time `grade exNN` on the reference against plain in-process pytest running the same checks.

Prints, per exercise: the median wall time of the whole `grade` command (worker isolation
included), the median wall time of plain pytest importing the student module directly (the
floor), and their ratio. Goal: ratio <= 1.2 for ex10; above 1.5 is a defect.

With ``--student`` it measures the student's loop instead: a cold ``grade exNN`` on the
reference for each of ex01-ex12 (goal <= 0.5 s), the whole chapter's untouched stubs (goal
<= 2 s), plain pytest on a small comparable NumPy assignment it generates (the baseline) with
both ratios, plain pytest on the same assignment plus one matplotlib figure (the floor of the
plotting exercises ex11 and ex12, whose ``import matplotlib.pyplot`` alone is about 0.3 s),
and ``grade --watch``: the time from writing a file to the JSON report showing
its new result (median over several saves; goal <= 0.2 s).

    python bench/single.py [--runs 7] [ex10 ex14 ...]
    python bench/single.py --student [--runs 3]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def timed(command: list[str], env: dict | None = None, ok: tuple[int, ...] = (0, 1)) -> float:
    started = time.perf_counter()
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    if done.returncode not in ok:
        sys.exit(f"{' '.join(command)} failed ({done.returncode}):\n{done.stderr[-2000:]}")
    return elapsed


def grade_command(exercise: str) -> list[str]:
    return [sys.executable, "-m", "grader.cli", exercise, "--submission", "reference",
            "--seed", "1", "--format", "json"]


def floor_command(exercise: str) -> tuple[list[str], dict]:
    env = dict(os.environ, PYTHONPATH=str(ROOT / "bench"), FLOOR_SUBMISSION="reference",
               FLOOR_SEED="1", PYTEST_DISABLE_PLUGIN_AUTOLOAD="1")
    command = [sys.executable, "-m", "pytest", "-q", "-p", "floor_plugin", "-p",
               "no:cacheprovider", "--assert=plain", "-c", os.devnull, "--rootdir",
               str(ROOT / "grader" / "hidden"), "--import-mode=importlib",
               str(ROOT / "grader" / "hidden" / f"test_{exercise}.py")]
    return command, env


BASELINE_MODULE = '''import numpy as np


def entropy(p):
    p = np.asarray(p, dtype=float)
    p = p / p.sum()
    nz = p[p > 0]
    return float(-(nz * np.log(nz)).sum())
'''
BASELINE_TEST = '''import numpy as np
import pytest

from assignment import entropy


@pytest.mark.parametrize("n", [2, 5, 50, 1000])
def test_entropy_matches(n):
    rng = np.random.default_rng(n)
    p = rng.dirichlet(np.ones(n))
    assert entropy(p) == pytest.approx(-(p * np.log(p)).sum(), rel=1e-9)


def test_uniform():
    assert entropy(np.ones(8)) == pytest.approx(np.log(8))


def test_zeros():
    assert entropy([0.5, 0.0, 0.5]) == pytest.approx(np.log(2))
'''


PLOT_MODULE = BASELINE_MODULE + '''

def plot_entropy():
    import matplotlib.pyplot as plt

    p = np.linspace(0.001, 0.999, 200)
    fig, ax = plt.subplots()
    ax.plot(p, -(p * np.log2(p) + (1 - p) * np.log2(1 - p)), label="H(p)")
    ax.set_xlabel("p")
    ax.set_ylabel("bits")
    ax.legend()
    return fig
'''
PLOT_TEST = BASELINE_TEST + '''

def test_plot():
    import io

    import matplotlib

    matplotlib.use("Agg")
    from assignment import plot_entropy

    fig = plot_entropy()
    (line,) = fig.axes[0].get_lines()
    assert line.get_label() == "H(p)"
    assert max(line.get_ydata()) == pytest.approx(1.0, abs=1e-4)
    fig.savefig(io.BytesIO(), format="png", dpi=72)
'''


def baseline_command(folder: Path, module: str = BASELINE_MODULE,
                     test: str = BASELINE_TEST) -> list[str]:
    """Plain pytest on a small NumPy assignment (what a course without isolation runs)."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "assignment.py").write_text(module)
    (folder / "test_assignment.py").write_text(test)
    return [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-c", os.devnull,
            "--rootdir", str(folder), str(folder / "test_assignment.py")]


#: the baseline runs without third-party pytest plugins (the venv's jupyter stack brings
#: anyio's, which doubles pytest's start-up): plain pytest as a course would run it
BASELINE_ENV = {**os.environ, "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"}


def watch_latency(saves: int) -> list[float]:
    """Seconds from writing ex10.py to the --watch JSON report showing its new result."""
    import json
    import shutil
    import signal
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        folder, report = Path(tmp) / "work", Path(tmp) / "report.json"
        shutil.copytree(ROOT / "exercises", folder)
        process = subprocess.Popen(
            [sys.executable, "-m", "grader.cli", "--watch", "ex10", "--format", "json",
             "--output", str(report), "--submission", str(folder), "--seed", "1"],
            cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

        def wait(status: str, since: float | None = None) -> float:
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline:
                try:
                    data = json.loads(report.read_text())
                    if data["exercises"][0]["status"] == status and (
                            since is None or report.stat().st_mtime_ns > since):
                        return time.perf_counter()
                except (OSError, ValueError, KeyError, IndexError):
                    pass
                time.sleep(0.002)
            process.kill()
            sys.exit(f"--watch never showed {status}")

        try:
            wait("not_attempted")
            time.sleep(2.0)  # let the session warm up as a student's would while typing
            latencies = []
            texts = {"passed": (ROOT / "reference" / "ex10.py").read_text(),
                     "error": "def entropy(p:\n"}
            for number in range(saves):
                status = "passed" if number % 2 == 0 else "error"
                before = report.stat().st_mtime_ns
                started = time.perf_counter()
                (folder / "ex10.py").write_text(texts[status])
                latencies.append(wait(status, since=before) - started)
                time.sleep(0.5)
        finally:
            process.send_signal(signal.SIGINT)
            process.wait(timeout=60)
    return latencies


def student_loop(runs: int) -> None:
    """The student's loop: cold grade per numpy exercise, the stubs, the baseline, watch."""
    import tempfile

    print(f"load: {os.getloadavg()}")
    exercises = [f"ex{number:02d}" for number in range(1, 13)]
    times: dict[str, list[float]] = {name: [] for name in ["baseline", "plot", *exercises]}
    with tempfile.TemporaryDirectory() as tmp:
        baseline = baseline_command(Path(tmp) / "numpy")
        plot = baseline_command(Path(tmp) / "plot", PLOT_MODULE, PLOT_TEST)
        timed(plot, env=BASELINE_ENV, ok=(0,))  # matplotlib's font cache, built once
        for _ in range(runs):  # interleaved, so that drift affects every figure alike
            times["baseline"].append(timed(baseline, env=BASELINE_ENV, ok=(0,)))
            times["plot"].append(timed(plot, env=BASELINE_ENV, ok=(0,)))
            for exercise in exercises:
                times[exercise].append(timed(grade_command(exercise)))
    medians = {name: statistics.median(values) for name, values in times.items()}
    print(f"plain pytest baseline (generated numpy assignment): {medians['baseline']:.3f} s")
    print(f"plain pytest with one matplotlib figure (the floor of ex11, ex12): "
          f"{medians['plot']:.3f} s")
    print(f"{'exercise':<9}{'grade (s)':>11}{'ratio':>8}{'vs plot':>9}   goal <= 0.5 s, "
          f"runs={runs}")
    for exercise in exercises:
        median = medians[exercise]
        versus = f"{median / medians['plot']:>9.2f}" if exercise in ("ex11", "ex12") else ""
        print(f"{exercise:<9}{median:>11.3f}{median / medians['baseline']:>8.2f}{versus}")
    baseline = medians["baseline"]
    stubs = [sys.executable, "-m", "grader.cli", "--submission", "exercises", "--seed", "1",
             "--format", "json"]
    median = statistics.median(timed(stubs) for _ in range(runs))
    print(f"{'stubs':<9}{median:>11.3f}{median / baseline:>8.2f}   (the whole chapter; "
          "goal <= 2 s)")
    latencies = watch_latency(max(4, runs * 2))
    print(f"watch: save -> report median {statistics.median(latencies):.3f} s, "
          f"max {max(latencies):.3f} s over {len(latencies)} saves (goal <= 0.2 s)")
    print(f"load: {os.getloadavg()}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("exercises", nargs="*", default=["ex10", "ex14"])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--student", action="store_true",
                        help="measure the student's loop (cold grades, stubs, --watch)")
    args = parser.parse_args()
    if args.student:
        student_loop(args.runs)
        return
    print(f"{'exercise':<9}{'grade (s)':>11}{'floor (s)':>11}{'ratio':>8}   runs={args.runs}")
    for exercise in args.exercises:
        command, env = floor_command(exercise)
        timed(command, env, ok=(0,))  # warm the caches; the floor must pass every check
        grade_times, floor_times = [], []
        for _ in range(args.runs):  # interleaved, so drift affects both alike
            grade_times.append(timed(grade_command(exercise)))
            floor_times.append(timed(command, env))
        grade_median = statistics.median(grade_times)
        floor_median = statistics.median(floor_times)
        print(f"{exercise:<9}{grade_median:>11.3f}{floor_median:>11.3f}"
              f"{grade_median / floor_median:>8.2f}")


if __name__ == "__main__":
    main()
