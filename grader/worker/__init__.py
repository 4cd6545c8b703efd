"""The untrusted side: a preloaded zygote that forks one sandboxed child per exercise.

Nothing in this package may import the hidden suites, the reference or any other part of
the trusted grader beyond :mod:`grader.codec` and :mod:`grader.wire`.
"""
