"""Fault injection: what can go wrong (`Faults`), and seeded dice that decide when (`FaultDice`)."""

from __future__ import annotations

import enum
import math
import random
from typing import Any

import attrs

__all__ = ["Admission", "AfterCreate", "ConnectionDropped", "FaultDice", "Faults"]


def _fraction(_instance: Any, attribute: attrs.Attribute[Any], value: float) -> None:
    if not (isinstance(value, int | float) and 0.0 <= value <= 1.0):
        raise ValueError(f"{attribute.name} must be a fraction from 0 to 1, got {value!r}")


def _seconds(_instance: Any, attribute: attrs.Attribute[Any], value: float | None) -> None:
    if value is None and attribute.name.endswith("_retry_after"):
        return
    if not (isinstance(value, int | float) and value >= 0 and math.isfinite(value)):
        raise ValueError(f"{attribute.name} must be a finite number of seconds >= 0, got {value!r}")


def _cap(_instance: Any, attribute: attrs.Attribute[Any], value: int | None) -> None:
    if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 1):
        raise ValueError(f"{attribute.name} must be None or an integer >= 1, got {value!r}")


@attrs.frozen(kw_only=True)
class Faults:
    """What the emulator gets wrong, and how often. Everything is off by default.

    Fractions are per request, decided by the emulator's seeded random generator.

    ========================  ===================================================================
    max_concurrency           admitted requests in flight beyond it get 429, code 20429, unprocessed
    rate_limit                fraction answered 429 (code 20429) before processing
    rate_limit_retry_after    seconds sent as `Retry-After` with those 429s (None: no header)
    unavailable               fraction answered 503 (code 20503) before processing
    unavailable_retry_after   seconds sent as `Retry-After` with those 503s (None: no header)
    error_after_create        fraction of creates that succeed, then answer 500
    error_html                send that 500 as an HTML page instead of Twilio's JSON error
    drop_after_create         fraction of creates that succeed, then drop the connection
    hang_after_create         fraction of creates that succeed, then answer after `hang_seconds`
    hang_seconds              how long a hung response waits (past the client's read timeout)
    latency                   seconds every admitted request waits before it is processed
    latency_jitter            spread of that wait: latency * uniform(1 - jitter, 1 + jitter)
    ========================  ===================================================================

    `rate_limit + unavailable` and the three after-create fractions together must each stay <= 1:
    one draw picks at most one fault per request.
    """

    max_concurrency: int | None = attrs.field(default=None, validator=_cap)
    rate_limit: float = attrs.field(default=0.0, validator=_fraction)
    rate_limit_retry_after: float | None = attrs.field(default=None, validator=_seconds)
    unavailable: float = attrs.field(default=0.0, validator=_fraction)
    unavailable_retry_after: float | None = attrs.field(default=None, validator=_seconds)
    error_after_create: float = attrs.field(default=0.0, validator=_fraction)
    error_html: bool = False
    drop_after_create: float = attrs.field(default=0.0, validator=_fraction)
    hang_after_create: float = attrs.field(default=0.0, validator=_fraction)
    hang_seconds: float = attrs.field(default=60.0, validator=_seconds)
    latency: float = attrs.field(default=0.0, validator=_seconds)
    latency_jitter: float = attrs.field(default=0.0, validator=_fraction)

    def __attrs_post_init__(self) -> None:
        if self.rate_limit + self.unavailable > 1.0:
            raise ValueError(
                "rate_limit + unavailable must be at most 1, "
                f"got {self.rate_limit} + {self.unavailable}"
            )
        after = self.error_after_create + self.drop_after_create + self.hang_after_create
        if after > 1.0:
            raise ValueError(
                "error_after_create + drop_after_create + hang_after_create must be at most 1, "
                f"got {after}"
            )


class Admission(enum.Enum):
    """What happens to a request before it is processed."""

    ADMIT = enum.auto()
    RATE_LIMIT = enum.auto()
    UNAVAILABLE = enum.auto()


class AfterCreate(enum.Enum):
    """What happens to a create once the service exists."""

    RESPOND = enum.auto()
    ERROR = enum.auto()
    DROP = enum.auto()
    HANG = enum.auto()


class ConnectionDropped(Exception):
    """Raised by the emulator after `http.response.start` to abort the connection on purpose.

    Under uvicorn the server then closes the socket, so the client sees an incomplete response;
    the emulator's in-process transport turns it into `httpx.RemoteProtocolError`.
    """


class FaultDice:
    """Turns `Faults` into per-request decisions, drawing from one shared `random.Random`.

    A fault that is off draws nothing, so the sequence of decisions depends only on the enabled
    faults and the order of requests: the same seed and the same requests repeat a run exactly.
    """

    __slots__ = ("_after", "_faults", "_rate", "_rng", "_unavailable")

    def __init__(self, faults: Faults, rng: random.Random) -> None:
        self._faults = faults
        self._rng = rng
        self._rate = faults.rate_limit
        self._unavailable = faults.rate_limit + faults.unavailable
        error = faults.error_after_create
        drop = error + faults.drop_after_create
        hang = drop + faults.hang_after_create
        self._after = (error, drop, hang)

    @property
    def faults(self) -> Faults:
        """The configuration these dice follow."""
        return self._faults

    def admission(self) -> Admission:
        """Admit the request, or pick the 429 or 503 that answers it unprocessed."""
        if not self._unavailable:
            return Admission.ADMIT
        draw = self._rng.random()
        if draw < self._rate:
            return Admission.RATE_LIMIT
        if draw < self._unavailable:
            return Admission.UNAVAILABLE
        return Admission.ADMIT

    def after_create(self) -> AfterCreate:
        """Pick how a successful create is answered."""
        error, drop, hang = self._after
        if not hang:
            return AfterCreate.RESPOND
        draw = self._rng.random()
        if draw < error:
            return AfterCreate.ERROR
        if draw < drop:
            return AfterCreate.DROP
        if draw < hang:
            return AfterCreate.HANG
        return AfterCreate.RESPOND

    def latency(self) -> float:
        """Seconds this request waits before it is processed (0 when latency is off)."""
        latency = self._faults.latency
        jitter = self._faults.latency_jitter
        if not latency or not jitter:
            return latency
        return latency * self._rng.uniform(1.0 - jitter, 1.0 + jitter)
