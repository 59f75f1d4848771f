"""Progress output: a redrawn bar on a terminal, periodic plain lines otherwise."""

from __future__ import annotations

import io

from twilio_chat._progress import Progress


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_progress_lines_are_periodic_with_rate_and_eta() -> None:
    """Without a terminal: one line per interval and one at the end, with rate and ETA."""
    out, clock = io.StringIO(), FakeClock()
    progress = Progress(10, out, tty=False, interval=2.0, clock=clock)
    for _ in range(10):
        clock.now += 0.5
        progress.advance(ok=True)
    progress.close()
    lines = out.getvalue().splitlines()
    assert lines[0] == "progress: 1/10  10%    2.0/s ETA    4s failed 0"
    assert lines[-1].startswith("progress: 10/10 100%")
    assert len(lines) == 4  # at 0.5 s, 2.5 s, 4.5 s, and the last name at 5.0 s


def test_progress_bar_redraws_in_place_and_counts_failures() -> None:
    """On a terminal: carriage-return redraws, failures counted, a newline at the end."""
    out, clock = io.StringIO(), FakeClock()
    progress = Progress(2, out, tty=True, interval=0.0, clock=clock)
    clock.now = 1.0
    progress.advance(ok=False)
    progress.advance(ok=True)
    progress.close()
    text = out.getvalue()
    assert text.count("\r") == 2
    assert "[##############################] 2/2 100%" in text
    assert text.endswith("failed 1\n")
