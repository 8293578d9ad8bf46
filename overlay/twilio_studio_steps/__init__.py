"""A typed, sync and async client for Twilio Studio's List Execution Steps endpoint."""

__version__ = "0.1.0"
