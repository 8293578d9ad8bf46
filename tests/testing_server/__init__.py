"""The local server's tests, with plain httpx: they pin down what the server promises, so
that the client's tests can trust it as a stand-in for Twilio.

A package, so that its conftest.py is not imported as the `conftest` of tests/."""
