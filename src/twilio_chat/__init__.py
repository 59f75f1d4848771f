"""Async client for Twilio Programmable Chat services: safe retries, typed errors, bulk
provisioning. Everything public is re-exported here; every other module is private."""

from twilio_chat_api.models import (
    ChannelNotification,
    NewMessageNotification,
    Service,
    ServiceLimits,
    ServiceLinks,
    ServiceMedia,
    ServiceNotifications,
)
from twilio_chat_api.types import Unset

from ._client import ChatClient
from ._errors import (
    AmbiguousCreateError,
    ApiError,
    AuthenticationError,
    ConfigurationError,
    NameTakenError,
    NotFoundError,
    RateLimitError,
    ServerError,
    TransportError,
    TwilioChatError,
    UnexpectedResponseError,
)
from ._limiter import AdaptiveLimiter, Signal
from ._retry import RetryEvent, RetryPolicy
from ._version import __version__
from .provisioning import (
    ApplyOutcome,
    ApplyResult,
    DesiredService,
    DesiredState,
    DesiredStateError,
    DesiredStateProblem,
    FieldChange,
    ListedService,
    Observation,
    Outcome,
    Plan,
    PlanAction,
    PlanEntry,
    ServiceResult,
    apply,
    create_services,
    load_desired,
    observe,
    plan,
    provision,
)

__all__ = [
    "AdaptiveLimiter",
    "AmbiguousCreateError",
    "ApiError",
    "ApplyOutcome",
    "ApplyResult",
    "AuthenticationError",
    "ChannelNotification",
    "ChatClient",
    "ConfigurationError",
    "DesiredService",
    "DesiredState",
    "DesiredStateError",
    "DesiredStateProblem",
    "FieldChange",
    "ListedService",
    "NameTakenError",
    "NewMessageNotification",
    "NotFoundError",
    "Observation",
    "Outcome",
    "Plan",
    "PlanAction",
    "PlanEntry",
    "RateLimitError",
    "RetryEvent",
    "RetryPolicy",
    "ServerError",
    "Service",
    "ServiceLimits",
    "ServiceLinks",
    "ServiceMedia",
    "ServiceNotifications",
    "ServiceResult",
    "Signal",
    "TransportError",
    "TwilioChatError",
    "UnexpectedResponseError",
    "Unset",
    "__version__",
    "apply",
    "create_services",
    "load_desired",
    "observe",
    "plan",
    "provision",
]

for _name in __all__:
    _obj = globals()[_name]
    if getattr(_obj, "__module__", "").startswith("twilio_chat."):
        _obj.__module__ = "twilio_chat"
del _name, _obj
