"""Async client for Twilio Programmable Chat services: safe retries, typed errors, bulk
provisioning. Everything public is re-exported here; every other module is private."""

from twilio_chat_api.models import Service

from ._bulk import Outcome, ServiceResult, create_services, provision
from ._client import ChatClient
from ._errors import (
    AmbiguousCreateError,
    ApiError,
    AuthenticationError,
    ConfigurationError,
    RateLimitError,
    ServerError,
    TransportError,
    TwilioChatError,
    UnexpectedResponseError,
)
from ._limiter import AdaptiveLimiter, Signal
from ._retry import RetryEvent, RetryPolicy
from ._version import __version__

__all__ = [
    "AdaptiveLimiter",
    "AmbiguousCreateError",
    "ApiError",
    "AuthenticationError",
    "ChatClient",
    "ConfigurationError",
    "Outcome",
    "RateLimitError",
    "RetryEvent",
    "RetryPolicy",
    "ServerError",
    "Service",
    "ServiceResult",
    "Signal",
    "TransportError",
    "TwilioChatError",
    "UnexpectedResponseError",
    "__version__",
    "create_services",
    "provision",
]

for _name in __all__:
    _obj = globals()[_name]
    if getattr(_obj, "__module__", "").startswith("twilio_chat."):
        _obj.__module__ = "twilio_chat"
del _name, _obj
