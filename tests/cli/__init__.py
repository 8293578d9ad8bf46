"""The studio-steps command's tests: its commands, the export and what it writes.

A package, so that its conftest.py and test modules have names of their own."""
