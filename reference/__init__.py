"""The instructors' solutions. Imported only by the trusted grading process."""
