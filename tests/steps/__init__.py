"""The Studio package's tests: its operations, traces, generated models, typing and pytest plugin.

A package, so that its conftest.py and test modules have names of their own."""
