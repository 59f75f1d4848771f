"""The attempt cutoff: a deadline becomes TimeoutError, any other cancellation stays itself."""

from __future__ import annotations

import asyncio

import pytest

from twilio_chat._cutoff import Cutoff


async def test_cutoff_past_deadline_raises_timeout_error() -> None:
    """A block still running at the deadline is cancelled and leaves as TimeoutError."""
    loop = asyncio.get_running_loop()
    cutoff = Cutoff(loop.time())
    with pytest.raises(TimeoutError), cutoff:
        await asyncio.sleep(3600)
    assert cutoff.expired
    task = asyncio.current_task()
    assert task is not None
    assert task.cancelling() == 0


async def test_cutoff_block_that_ends_in_time_is_not_cancelled_later() -> None:
    """After a block ends before its deadline, the deadline passing cancels nothing."""
    loop = asyncio.get_running_loop()
    cutoff = Cutoff(loop.time() + 0.01)
    with cutoff:
        await asyncio.sleep(0)
    await asyncio.sleep(0.05)  # past the deadline: still running, not cancelled
    assert not cutoff.expired


async def test_cutoff_outside_cancellation_propagates_unchanged() -> None:
    """A cancellation that is not the cutoff's leaves the block as CancelledError."""
    started = asyncio.Event()

    async def body() -> None:
        with Cutoff(asyncio.get_running_loop().time() + 3600):
            started.set()
            await asyncio.sleep(3600)

    task = asyncio.create_task(body())
    await started.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task


async def test_cutoff_outside_cancellation_at_the_deadline_wins() -> None:
    """A task cancelled from outside as its deadline fires stays cancelled, not timed out."""

    async def body() -> None:
        with Cutoff(asyncio.get_running_loop().time()):
            asyncio.current_task().cancel()  # type: ignore[union-attr]
            await asyncio.sleep(3600)

    with pytest.raises(asyncio.CancelledError):
        await asyncio.create_task(body())


async def test_cutoff_outside_a_task_is_refused() -> None:
    """Entering a cutoff in a plain loop callback (no task) is a RuntimeError, not a no-op."""
    loop = asyncio.get_running_loop()
    outcome: asyncio.Future[BaseException | None] = loop.create_future()

    def enter() -> None:
        try:
            with Cutoff(loop.time() + 1):
                pass
        except RuntimeError as exc:
            outcome.set_result(exc)
        else:
            outcome.set_result(None)

    loop.call_soon(enter)
    assert isinstance(await outcome, RuntimeError)
