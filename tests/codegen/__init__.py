"""The code generator's tests: fragments, bindings, generation, spec updates, added services.

A package, so that its conftest.py and test modules have names of their own."""
