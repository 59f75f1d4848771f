"""What happened to one name: the outcome vocabulary every provisioning step reports in."""

from __future__ import annotations

import enum

import attrs
from twilio_chat_api.models import Service

from .._errors import TwilioChatError

__all__ = ["DONE", "Outcome", "ServiceResult"]


class Outcome(enum.Enum):
    """What happened to one name."""

    CREATED = "created"
    """Created by this run."""
    EXISTING = "existing"
    """Exactly one service already had this name before any create: adopted, nothing sent."""
    ADOPTED = "adopted"
    """Found in the account after a create whose outcome was ambiguous (or in flight when an
    earlier run with the same journal died)."""
    REPAIRED = "repaired"
    """This run's creates left more than one service with the name; the extras (`deleted`)
    were deleted and the oldest kept."""
    CONFLICT = "conflict"
    """Several services have this name (`conflicting`): none was created, picked or deleted."""
    FAILED = "failed"
    """Definitely not created: `error` says why."""
    UNKNOWN = "unknown"
    """May or may not exist: the create stayed ambiguous and the listings could not tell."""
    MISSING = "missing"
    """The journal says this name was done, but its service no longer exists."""
    NOT_ATTEMPTED = "not_attempted"
    """Never sent: the run stopped when the credentials were refused (`error` is that
    `AuthenticationError`). Fix the credentials and run again."""


DONE = frozenset({Outcome.CREATED, Outcome.EXISTING, Outcome.ADOPTED, Outcome.REPAIRED})
"""Outcomes after which exactly one service has the name: `sid`."""


def _sid_of(result: ServiceResult) -> str | None:
    sid = result.service.sid if result.service is not None else None
    return sid if isinstance(sid, str) else None


@attrs.frozen(kw_only=True)
class ServiceResult:
    """The result for one name: `sid` when it exists, `error` when it does not (or may not).

    `service` is the full resource when this run received it (a create's answer); a service
    found by listing carries its `sid` only. A name can get a second result when the run's
    final verification changes what it reported earlier (`REPAIRED`, `ADOPTED`, `MISSING`,
    `CONFLICT`): the later result is the one that holds.
    """

    friendly_name: str
    outcome: Outcome
    service: Service | None = None
    error: TwilioChatError | None = None
    sid: str | None = attrs.field(default=attrs.Factory(_sid_of, takes_self=True))
    conflicting: tuple[str, ...] = ()
    """CONFLICT: the SIDs of the services that share the name."""
    deleted: tuple[str, ...] = ()
    """REPAIRED: the SIDs of the extra services this run deleted."""

    @property
    def ok(self) -> bool:
        """True when exactly one service has the name and `sid` is it."""
        return self.outcome in DONE
