"""``python -m bench``: run benchmark sections and print Markdown reports to stdout.

Examples::

    python -m bench                      # every section, full size (~3 minutes)
    python -m bench --quick              # smaller N, one repeat (a smoke run)
    python -m bench --section transport --only aiohttp,httpx-lean --levels 1,100
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
from typing import Any

from bench.options import Options, quick
from bench.sections import SECTIONS


def _csv(text: str) -> tuple[str, ...]:
    return tuple(item.strip() for item in text.split(",") if item.strip())


def parse(argv: list[str] | None = None) -> tuple[list[str], Options]:
    """Parse the command line into the sections to run and their shared options."""
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument(
        "--section",
        action="append",
        choices=sorted(SECTIONS),
        help="section to run (repeatable; default: all). "
        + "; ".join(f"{s.name}: {s.summary}" for s in SECTIONS.values()),
    )
    parser.add_argument("--quick", action="store_true", help="N=600, 1 repeat")
    parser.add_argument("-n", type=int, help="creates per timed run (default 2500)")
    parser.add_argument("--repeats", type=int, help="timed runs per cell (default 3)")
    parser.add_argument("--levels", type=_csv, help="in-flight levels (default 1,10,100)")
    parser.add_argument(
        "--max-seconds", type=float, help="cap per warm-up/timed run of a cell (default 2.0)"
    )
    parser.add_argument("--server", choices=("auto", "nginx", "asyncio"), default="auto")
    parser.add_argument("--only", type=_csv, default=(), help="contender keys or key prefixes")
    parser.add_argument("--no-pin", action="store_true", help="do not pin client/server CPUs")
    args = parser.parse_args(argv)

    options = Options(server=args.server, only=args.only, pin=not args.no_pin)
    if args.quick:
        options = quick(options)
    overrides: dict[str, Any] = {
        "n": args.n,
        "repeats": args.repeats,
        "levels": tuple(int(level) for level in args.levels) if args.levels else None,
        "max_seconds": args.max_seconds,
    }
    options = dataclasses.replace(options, **{k: v for k, v in overrides.items() if v})
    return args.section or list(SECTIONS), options


def main(argv: list[str] | None = None) -> int:
    """Run the chosen sections in order; non-zero if any failed."""
    sections, options = parse(argv)
    status = 0
    for name in sections:
        status |= SECTIONS[name].run(options)
    return status


if __name__ == "__main__":
    sys.exit(main())
