"""A client library for accessing Twilio - Serverless - Services"""

from .client import AuthenticatedClient, Client

__all__ = (
    "AuthenticatedClient",
    "Client",
)
