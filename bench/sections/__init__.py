"""Benchmark sections: each one is a named, self-contained report ``python -m bench`` can run.

Add a section by writing a module with ``run(options) -> int`` and registering it in
:data:`SECTIONS`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from bench.options import Options


@dataclass(frozen=True)
class Section:
    """A runnable benchmark section."""

    name: str
    summary: str
    run: Callable[[Options], int]


def _transport(options: Options) -> int:
    from bench.sections import transport

    return transport.run(options)


def _versus(options: Options) -> int:
    from bench.sections import versus

    return versus.run(options)


def _semantics(options: Options) -> int:
    from bench.sections import semantics

    return semantics.run(options)


def _provisioning(options: Options) -> int:
    from bench.sections import provisioning

    return provisioning.run(options)


def _apply(options: Options) -> int:
    from bench.sections import apply

    return apply.run(options)


SECTIONS: dict[str, Section] = {
    section.name: section
    for section in (
        Section(
            "transport",
            "which httpx transport the facade should use: client CPU per create vs raw aiohttp",
            _transport,
        ),
        Section(
            "versus",
            "facade vs Twilio's SDK vs raw aiohttp: CPU and GC per create and fetch, "
            "separate processes",
            _versus,
        ),
        Section(
            "semantics",
            "which httpx exception each transport raises per failure; respx, close, loops",
            _semantics,
        ),
        Section(
            "provisioning",
            "bulk creates against a capped emulator (adaptive vs fixed vs SDK); 100k-name memory",
            _provisioning,
        ),
        Section(
            "apply",
            "2,000 configured services made to match a file (apply, rerun) vs create+update",
            _apply,
        ),
    )
}
