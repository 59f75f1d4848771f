"""Markdown rendering for benchmark reports."""

from __future__ import annotations

from collections.abc import Sequence


def table(header: Sequence[str], rows: Sequence[Sequence[str]], align: str = "") -> str:
    """A GitHub-flavoured Markdown table; ``align`` has one ``l``/``r`` per column."""
    align = align.ljust(len(header), "l")
    widths = [max(len(str(cell)) for cell in column) for column in zip(header, *rows, strict=True)]

    def line(cells: Sequence[str]) -> str:
        padded = (
            str(cell).rjust(width) if kind == "r" else str(cell).ljust(width)
            for cell, width, kind in zip(cells, widths, align, strict=True)
        )
        return "| " + " | ".join(padded) + " |"

    rule = (
        "|"
        + "|".join(
            "-" * (width + 1) + ":" if kind == "r" else "-" * (width + 2)
            for width, kind in zip(widths, align, strict=True)
        )
        + "|"
    )
    return "\n".join([line(header), rule, *(line(row) for row in rows)])


def bullets(lines: Sequence[str]) -> str:
    """A Markdown bullet list."""
    return "\n".join(f"- {line}" for line in lines)
