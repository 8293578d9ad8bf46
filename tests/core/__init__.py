"""The core's tests: paging, retries, errors, limits, decoding, stopping, configuration, load.

A package, so that its conftest.py and test modules have names of their own."""
