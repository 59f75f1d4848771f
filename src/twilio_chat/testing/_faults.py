"""Fault injection: what can go wrong (`Faults`), and seeded dice that decide when (`FaultDice`)."""

from __future__ import annotations

import enum
import math
import random
from collections.abc import Iterable
from typing import Any, Final

import attrs

__all__ = [
    "ALL_OPERATIONS",
    "Admission",
    "AfterProcessing",
    "ConnectionDropped",
    "FaultDice",
    "Faults",
    "Operation",
]


class Operation(enum.Enum):
    """The Services operations the emulator serves; `Faults.operations` selects among them."""

    CREATE = "create"
    """`POST /v2/Services`"""
    LIST = "list"
    """`GET /v2/Services`"""
    FETCH = "fetch"
    """`GET /v2/Services/{Sid}`"""
    UPDATE = "update"
    """`POST /v2/Services/{Sid}`"""
    DELETE = "delete"
    """`DELETE /v2/Services/{Sid}`"""


ALL_OPERATIONS: Final = frozenset(Operation)


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


def _operations(value: Iterable[Operation | str] | Operation | str) -> frozenset[Operation]:
    """Accept operations or their names ("create", "update", ...), one or many."""
    if isinstance(value, Operation | str):
        value = [value]
    try:
        return frozenset(Operation(item) for item in value)
    except (TypeError, ValueError):
        names = ", ".join(op.value for op in Operation)
        raise ValueError(f"operations must be a set of: {names}; got {value!r}") from None


@attrs.frozen(kw_only=True)
class Faults:
    """What the emulator gets wrong, and how often. Everything is off by default.

    Fractions are per request, decided by the emulator's seeded random generator.

    ========================  ===================================================================
    max_concurrency           requests in flight beyond it get 429, code 20429, unprocessed (the
                              cap is per account, so it counts and refuses every operation)
    operations                the operations that rate_limit, unavailable, latency and the
                              *_after_processing faults hit (default: all five)
    rate_limit                fraction answered 429 (code 20429) before processing
    rate_limit_retry_after    seconds sent as `Retry-After` with those 429s (None: no header)
    unavailable               fraction answered 503 (code 20503) before processing
    unavailable_retry_after   seconds sent as `Retry-After` with those 503s (None: no header)
    error_after_create        fraction of creates that succeed, then answer 500
    drop_after_create         fraction of creates that succeed, then drop the connection
    hang_after_create         fraction of creates that succeed, then answer after `hang_seconds`
    error_after_processing    fraction of requests that take effect (a write is applied, a read
                              is done), then answer 500
    drop_after_processing     the same, then drop the connection (a 204 of a delete included)
    hang_after_processing     the same, then answer after `hang_seconds`
    error_html                send those 500s as an HTML page instead of Twilio's JSON error
    hang_seconds              how long a hung response waits (past the client's read timeout)
    slow_create_rate          fraction of creates processed `slow_create_delay` seconds after they
                              arrive: the service exists (and is listed) only then; the response
                              is held until then (and dropped if the client left meanwhile)
    slow_create_delay         that delay; other requests are not slowed by it
    latency                   seconds every admitted request waits before it is processed
    latency_jitter            spread of that wait: latency * uniform(1 - jitter, 1 + jitter)
    ========================  ===================================================================

    Before or after the write: 429s and 503s are answered before anything happens (Twilio says
    a 429 is never processed); 500s, drops and hangs come after the operation took effect, so
    a client cannot tell from them whether it did. The `*_after_create` faults and slow creates
    always hit creates, whatever `operations` says.

    `rate_limit + unavailable` must stay <= 1, and so must the after-processing fractions that
    hit one operation (for a create: the three `*_after_create` plus, when creates are selected,
    the three `*_after_processing`): one draw picks at most one fault per request.
    """

    max_concurrency: int | None = attrs.field(default=None, validator=_cap)
    operations: frozenset[Operation] = attrs.field(default=ALL_OPERATIONS, converter=_operations)
    rate_limit: float = attrs.field(default=0.0, validator=_fraction)
    rate_limit_retry_after: float | None = attrs.field(default=None, validator=_seconds)
    unavailable: float = attrs.field(default=0.0, validator=_fraction)
    unavailable_retry_after: float | None = attrs.field(default=None, validator=_seconds)
    error_after_create: float = attrs.field(default=0.0, validator=_fraction)
    error_html: bool = False
    drop_after_create: float = attrs.field(default=0.0, validator=_fraction)
    hang_after_create: float = attrs.field(default=0.0, validator=_fraction)
    error_after_processing: float = attrs.field(default=0.0, validator=_fraction)
    drop_after_processing: float = attrs.field(default=0.0, validator=_fraction)
    hang_after_processing: float = attrs.field(default=0.0, validator=_fraction)
    hang_seconds: float = attrs.field(default=60.0, validator=_seconds)
    slow_create_rate: float = attrs.field(default=0.0, validator=_fraction)
    slow_create_delay: float = attrs.field(default=34.0, validator=_seconds)
    latency: float = attrs.field(default=0.0, validator=_seconds)
    latency_jitter: float = attrs.field(default=0.0, validator=_fraction)

    def __attrs_post_init__(self) -> None:
        if self.rate_limit + self.unavailable > 1.0:
            raise ValueError(
                "rate_limit + unavailable must be at most 1, "
                f"got {self.rate_limit} + {self.unavailable}"
            )
        create = self.error_after_create + self.drop_after_create + self.hang_after_create
        if create > 1.0:
            raise ValueError(
                "error_after_create + drop_after_create + hang_after_create must be at most 1, "
                f"got {create}"
            )
        processing = (
            self.error_after_processing + self.drop_after_processing + self.hang_after_processing
        )
        if processing > 1.0 or (Operation.CREATE in self.operations and create + processing > 1):
            raise ValueError(
                "the *_after_processing fractions (plus the *_after_create ones when creates are "
                f"selected) must be at most 1, got {processing}"
                + (f" + {create}" if Operation.CREATE in self.operations else "")
            )

    def changed(self) -> dict[str, Any]:
        """The settings that differ from the defaults (what a log line should show)."""
        default = Faults()
        return {
            field.name: getattr(self, field.name)
            for field in attrs.fields(Faults)
            if getattr(self, field.name) != getattr(default, field.name)
        }


class Admission(enum.Enum):
    """What happens to a request before it is processed."""

    ADMIT = enum.auto()
    RATE_LIMIT = enum.auto()
    UNAVAILABLE = enum.auto()


class AfterProcessing(enum.Enum):
    """How a request that took effect (a service created, updated, deleted or read) is answered."""

    RESPOND = enum.auto()
    ERROR = enum.auto()
    DROP = enum.auto()
    HANG = enum.auto()


AfterCreate = AfterProcessing  # the name before fetch, update and delete existed


class ConnectionDropped(Exception):
    """Raised by the emulator after `http.response.start` to abort the connection on purpose.

    Under uvicorn the server then closes the socket, so the client sees an incomplete response;
    the emulator's in-process transport turns it into `httpx.RemoteProtocolError`.
    """


class FaultDice:
    """Turns `Faults` into per-request decisions, drawing from one shared `random.Random`.

    A fault that is off (or not selected for the operation) draws nothing, so the sequence of
    decisions depends only on the enabled faults and the order of requests: the same seed and
    the same requests repeat a run exactly.
    """

    __slots__ = ("_after", "_faults", "_rate", "_rng", "_slow", "_unavailable")

    def __init__(self, faults: Faults, rng: random.Random) -> None:
        self._faults = faults
        self._rng = rng
        self._rate = faults.rate_limit
        self._unavailable = faults.rate_limit + faults.unavailable
        self._slow = faults.slow_create_rate
        self._after: dict[Operation, tuple[float, float, float]] = {}
        for operation in Operation:
            error = drop = hang = 0.0
            if operation is Operation.CREATE:
                error = faults.error_after_create
                drop = faults.drop_after_create
                hang = faults.hang_after_create
            if operation in faults.operations:
                error += faults.error_after_processing
                drop += faults.drop_after_processing
                hang += faults.hang_after_processing
            self._after[operation] = (error, error + drop, error + drop + hang)

    @property
    def faults(self) -> Faults:
        """The configuration these dice follow."""
        return self._faults

    def admission(self, operation: Operation = Operation.CREATE) -> Admission:
        """Admit the request, or pick the 429 or 503 that answers it unprocessed."""
        if not self._unavailable or operation not in self._faults.operations:
            return Admission.ADMIT
        draw = self._rng.random()
        if draw < self._rate:
            return Admission.RATE_LIMIT
        if draw < self._unavailable:
            return Admission.UNAVAILABLE
        return Admission.ADMIT

    def after_processing(self, operation: Operation = Operation.CREATE) -> AfterProcessing:
        """Pick how a request that took effect is answered."""
        error, drop, hang = self._after[operation]
        if not hang:
            return AfterProcessing.RESPOND
        draw = self._rng.random()
        if draw < error:
            return AfterProcessing.ERROR
        if draw < drop:
            return AfterProcessing.DROP
        if draw < hang:
            return AfterProcessing.HANG
        return AfterProcessing.RESPOND

    def after_create(self) -> AfterProcessing:
        """Pick how a successful create is answered."""
        return self.after_processing(Operation.CREATE)

    def slow_create(self) -> bool:
        """Whether this create is processed `slow_create_delay` seconds after it arrived."""
        return bool(self._slow) and self._rng.random() < self._slow

    def latency(self, operation: Operation = Operation.CREATE) -> float:
        """Seconds this request waits before it is processed (0 when latency is off)."""
        latency = self._faults.latency
        if not latency or operation not in self._faults.operations:
            return 0.0
        jitter = self._faults.latency_jitter
        if not jitter:
            return latency
        return latency * self._rng.uniform(1.0 - jitter, 1.0 + jitter)
