"""Exercise checks, one module per chapter (``lecturekit.checks.perceptron`` for chapter 01)."""
