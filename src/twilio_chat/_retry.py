"""Retries: the policy (what and how long), the client-wide budget, and the loop.

Roles, as in botocore's retry module: `RetryPolicy` is frozen configuration plus the pure wait
computation; `RetryBudget` is the one piece of shared mutable state (a token bucket that stops
retry storms); `call_with_retries` is the loop that composes them. Which failures are retryable
is decided by the caller through a predicate, because it differs between a non-idempotent
create and a read.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

import attrs

from ._config import check_int
from ._errors import ApiError, ConfigurationError, RateLimitError, TwilioChatError

__all__ = ["RetryBudget", "RetryEvent", "RetryPolicy", "call_with_retries"]

logger = logging.getLogger("twilio_chat")
T = TypeVar("T")


def _positive(_: object, attribute: attrs.Attribute[float], value: float) -> None:
    if isinstance(value, bool) or not isinstance(value, int | float) or not value >= 0:
        raise ConfigurationError(f"RetryPolicy.{attribute.name} must be >= 0, got {value!r}")


@attrs.frozen(kw_only=True)
class RetryEvent:
    """What the `on_retry` hook receives before each sleep. Never carries credentials."""

    attempt: int
    """The attempt that failed, counting from 1."""
    wait: float
    """Seconds the client will sleep before the next attempt."""
    error: TwilioChatError
    """The failure being retried."""


@attrs.frozen(kw_only=True)
class RetryPolicy:
    """How failed calls are retried.

    The wait before retry n (n = 0, 1, ...) is `uniform(0, min(max_delay, base_delay * 2**n))`
    (exponential backoff with full jitter); a longer `Retry-After` from the server wins. A
    `Retry-After` beyond `max_retry_after`, or a wait that would end past `deadline` seconds
    from the first attempt, fails at once instead of sleeping; an attempt still running at the
    deadline is cut off (see `ChatClient`'s `attempt_timeout`). `retry_ambiguous=True` also
    retries creates that may have happened: that can create duplicate services.

    `RetryPolicy(base_delay=0)` makes tests sleep-free; `sleep`, `clock` and `random` can be
    injected. `RetryPolicy(max_attempts=1)` turns retries off.
    """

    max_attempts: int = attrs.field(default=6)
    base_delay: float = attrs.field(default=0.25, validator=_positive)
    max_delay: float = attrs.field(default=8.0, validator=_positive)
    max_retry_after: float = attrs.field(default=60.0, validator=_positive)
    deadline: float = attrs.field(default=120.0, validator=_positive)
    retry_ambiguous: bool = False
    budget: int = attrs.field(default=500)
    """Capacity of the client-wide retry budget, in tokens."""
    retry_cost: int = attrs.field(default=5)
    """Tokens one retry takes from the budget; each success gives one back."""
    on_retry: Callable[[RetryEvent], None] | None = attrs.field(default=None, eq=False)
    sleep: Callable[[float], Awaitable[None]] = attrs.field(default=asyncio.sleep, eq=False)
    clock: Callable[[], float] = attrs.field(default=time.monotonic, eq=False)
    random: Callable[[], float] = attrs.field(default=random.random, eq=False)

    @max_attempts.validator
    def _check_attempts(self, attribute: attrs.Attribute[int], value: int) -> None:
        check_int(value, f"RetryPolicy.{attribute.name}", 1)

    @budget.validator
    @retry_cost.validator
    def _check_tokens(self, attribute: attrs.Attribute[int], value: int) -> None:
        check_int(value, f"RetryPolicy.{attribute.name}", 0)

    def backoff(self, retry: int) -> float:
        """The jittered wait before retry number `retry` (0-based), ignoring Retry-After."""
        ceiling = self.max_delay
        if retry < 64:  # beyond that the power overflows and the cap applies anyway
            ceiling = min(ceiling, self.base_delay * 2.0**retry)
        return self.random() * ceiling

    def wait(self, retry: int, retry_after: float | None) -> float:
        """The wait before retry number `retry`: a longer Retry-After wins over backoff."""
        jittered = self.backoff(retry)
        return jittered if retry_after is None else max(jittered, retry_after)


class RetryBudget:
    """A client-wide token bucket, after botocore's retry quota: each retry takes
    `retry_cost` tokens, each success returns one. When it is empty, failures that would have
    been retried are raised at once, so a broken upstream does not get a retry storm."""

    __slots__ = ("_capacity", "_cost", "_tokens")

    def __init__(self, capacity: int, cost: int) -> None:
        self._capacity = capacity
        self._cost = cost
        self._tokens = capacity

    @property
    def available(self) -> int:
        return self._tokens

    def acquire(self) -> bool:
        """Take the cost of one retry; False when the budget cannot pay for it."""
        # No lock: the event loop runs this without interleaving.
        if self._tokens < self._cost:
            return False
        self._tokens -= self._cost
        return True

    def record_success(self) -> None:
        self._tokens = min(self._capacity, self._tokens + 1)


async def call_with_retries(
    attempt: Callable[[float], Awaitable[T]],
    *,
    policy: RetryPolicy,
    budget: RetryBudget,
    retryable: Callable[[TwilioChatError], bool],
) -> T:
    """Run `attempt(seconds_left)` until it succeeds or a failure must be raised.
    `seconds_left` is what remains of the policy's deadline as the attempt starts: the attempt
    is cut off there, so the deadline bounds the call, not only the waits between attempts.

    A failure is raised when `retryable` says no, when attempts, deadline or budget run out,
    or when the server asks for a longer wait than the policy allows. The raised error is the
    last failure itself, so its type tells what went wrong; a Retry-After the policy will not
    honour is always raised as `RateLimitError` carrying it.
    """
    started = policy.clock()
    for number in range(1, policy.max_attempts + 1):
        try:
            result = await attempt(policy.deadline - (policy.clock() - started))
        except TwilioChatError as error:
            if number == policy.max_attempts or not retryable(error):
                raise
            retry_after = error.retry_after if isinstance(error, ApiError) else None
            wait = policy.wait(number - 1, retry_after)
            too_long = retry_after is not None and retry_after > policy.max_retry_after
            if too_long or policy.clock() - started + wait > policy.deadline:
                # A server-requested wait we refuse is reported as a rate limit carrying it.
                refused = retry_after is not None and not isinstance(error, RateLimitError)
                if refused and isinstance(error, ApiError):
                    raise _refused_wait(error) from error
                raise
            if not budget.acquire():
                logger.info("retry budget exhausted; not retrying: %s", error)
                raise
            logger.info("attempt %d failed (%s); retrying in %.3fs", number, error, wait)
            if policy.on_retry is not None:
                policy.on_retry(RetryEvent(attempt=number, wait=wait, error=error))
            await policy.sleep(wait)
        else:
            budget.record_success()
            return result
    raise AssertionError("unreachable: the last attempt returns or raises")


def _refused_wait(error: ApiError) -> RateLimitError:
    """The server asked for a wait the policy will not make: say so as a `RateLimitError`
    carrying the Retry-After, keeping the original response's fields."""
    return RateLimitError(
        status=error.status,
        method=error.method,
        url=error.url,
        code=error.code,
        message=error.message,
        more_info=error.more_info,
        details=error.details,
        retry_after=error.retry_after,
        request_id=error.request_id,
    )
