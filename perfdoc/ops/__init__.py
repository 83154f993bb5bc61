"""Everyday operations on sources: show, diff, next-year, scaffold, git integration, generated docs."""
