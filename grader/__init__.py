"""grade: the automated grader for Chapter 4 (Information Theory).

This package is imported by the untrusted worker as well, so it must stay light and hold
nothing secret: the hidden suites live in ``grader.hidden`` and are imported only by the
trusted grading process.
"""

__version__ = "0.1.0"
