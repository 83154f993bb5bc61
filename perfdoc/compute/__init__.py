"""Compute: every derived figure, with what it was derived from."""
