"""The attempt cutoff: a deadline becomes TimeoutError, any other cancellation stays itself;
cutoffs share timers and fire on time."""

from __future__ import annotations

import asyncio

import pytest

from twilio_chat._cutoff import Cutoff, Deadlines


async def test_cutoff_past_deadline_raises_timeout_error() -> None:
    """A block still running at the deadline is cancelled and leaves as TimeoutError."""
    cutoff = Deadlines().cutoff(0)
    with pytest.raises(TimeoutError), cutoff:
        await asyncio.sleep(3600)
    assert cutoff.expired
    task = asyncio.current_task()
    assert task is not None
    assert task.cancelling() == 0


async def test_cutoff_block_that_ends_in_time_is_not_cancelled_later() -> None:
    """After a block ends before its deadline, the deadline passing cancels nothing."""
    cutoff = Deadlines().cutoff(0.01)
    with cutoff:
        await asyncio.sleep(0)
    await asyncio.sleep(0.05)  # past the deadline: still running, not cancelled
    assert not cutoff.expired


async def test_cutoff_outside_cancellation_propagates_unchanged() -> None:
    """A cancellation that is not the cutoff's leaves the block as CancelledError."""
    started = asyncio.Event()

    async def body() -> None:
        with Deadlines().cutoff(3600):
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
        with Deadlines().cutoff(0):
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
            with Cutoff(1, Deadlines()):
                pass
        except RuntimeError as exc:
            outcome.set_result(exc)
        else:
            outcome.set_result(None)

    loop.call_soon(enter)
    assert isinstance(await outcome, RuntimeError)


@pytest.mark.parametrize("delay", [0.002, 0.05, 0.3])
async def test_cutoff_fires_at_its_deadline_not_before_and_barely_after(delay: float) -> None:
    """A cutoff never fires early, and at most 1/64 of its delay late (plus scheduling)."""
    loop = asyncio.get_running_loop()
    deadlines = Deadlines()
    cutoff = deadlines.cutoff(delay)
    with pytest.raises(TimeoutError), cutoff:
        await asyncio.sleep(3600)
    late = loop.time() - cutoff.when
    assert 0 <= late <= delay / 64 + 0.02


async def test_many_cutoffs_share_a_few_timers() -> None:
    """A thousand attempts with the same timeout arm a few timers, not a thousand; each
    still fires for its own task, and a block that ended is never cancelled."""
    loop = asyncio.get_running_loop()
    deadlines = Deadlines()
    before = len(loop._scheduled)  # type: ignore[attr-defined]
    fired = 0

    async def attempt(number: int) -> None:
        nonlocal fired
        try:
            with deadlines.cutoff(0.2):
                await asyncio.sleep(0 if number % 2 else 3600)
        except TimeoutError:
            fired += 1

    tasks = [asyncio.create_task(attempt(number)) for number in range(1000)]
    await asyncio.sleep(0)
    await asyncio.sleep(0)
    armed = len(loop._scheduled) - before - 500  # type: ignore[attr-defined]  # the sleeps
    assert armed <= 20  # one per tick (2 ms here) that the thousand entries span
    await asyncio.gather(*tasks)
    assert fired == 500


async def test_deadlines_of_another_loop_are_refused() -> None:
    """Deadlines are bound to the first event loop that uses them."""
    deadlines = Deadlines()
    with deadlines.cutoff(1):
        pass

    async def elsewhere() -> None:
        with deadlines.cutoff(1):
            pass

    def other_loop() -> None:
        asyncio.run(elsewhere())

    with pytest.raises(RuntimeError, match="another event loop"):
        await asyncio.to_thread(other_loop)
