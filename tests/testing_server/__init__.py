"""The local server's tests: a package, so that its conftest.py is not imported as the
`conftest` of tests/ (whose names other test files import)."""
