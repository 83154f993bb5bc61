"""The command line: the edge where perfdoc prints and exits."""

from .main import main

__all__ = ["main"]
