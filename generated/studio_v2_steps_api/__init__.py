"""A client library for accessing Twilio - Studio - Execution Steps"""

from .client import AuthenticatedClient, Client

__all__ = (
    "AuthenticatedClient",
    "Client",
)
