"""What we promise outside: cassettes replayed, no secret anywhere, the import layering, benchmarks.

A package, so that its conftest.py and test modules have names of their own."""
