"""The error every layer raises for bad input from the user."""


class UsageError(ValueError):
    """Bad input from the user (empty question, unknown article or author): exit code 2."""
