"""The student release: the sealed bundle of hidden suites, reference and rubrics."""
