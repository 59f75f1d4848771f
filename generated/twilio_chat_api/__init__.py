"""A client library for accessing Twilio Programmable Chat v2 - Services"""

from .client import AuthenticatedClient, Client

__all__ = (
    "AuthenticatedClient",
    "Client",
)
