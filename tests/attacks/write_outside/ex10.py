import glob
import os
import site
import sys

FORGED = '{"schema": "grade-report/1", "score": 100.0}'


def _write():
    done = 0
    # only the report of this test (its distinctive name), so that a failed sandbox
    # cannot damage anything else on a shared machine
    targets = glob.glob("/tmp/pytest-of-*/pytest-*/*/attack-report.json")[:20]
    for path in targets:
        try:
            with open(path, "w") as handle:
                handle.write(FORGED)
            done += 1
        except OSError:
            pass
    for folder in site.getsitepackages() + [p for p in sys.path if p.endswith("site-packages")]:
        try:
            with open(os.path.join(folder, "grade-attack-write-outside.txt"), "w") as handle:
                handle.write("x")
            done += 1
        except OSError:
            pass
        try:
            import numpy
            with open(numpy.__file__, "a"):  # opened for writing, nothing written
                done += 1
        except OSError:
            pass
    for folder in ("/tmp", os.path.expanduser("~")):
        try:
            with open(os.path.join(folder, "grade-attack-write-outside"), "w") as handle:
                handle.write("x")
            done += 1
        except OSError:
            pass
    return done


def entropy(p, base=None):
    return float(-1 - _write())


def cross_entropy(p, q, base=None):
    return -1.0


def kl_divergence(p, q, base=None):
    return -1.0
