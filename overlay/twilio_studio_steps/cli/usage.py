"""The command line's own error: bad input, reported as one line with exit status 2."""


class UsageError(Exception):
    """Bad command-line input: exit 2 with a one-line message."""
