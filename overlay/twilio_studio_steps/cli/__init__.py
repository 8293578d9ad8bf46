"""The `studio-steps` command line."""

from .main import main

__all__ = ["main"]
