"""Batch grading for instructors: many submissions, one seed, results in SQLite.

``intake`` finds the submissions in a folder, ``store`` keeps the results (resumable),
``executor`` grades them with long-lived worker pools, ``outputs`` derives the gradebook
and the per-student reports from the database, and ``cli`` is ``grade batch``.
"""
