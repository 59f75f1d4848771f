"""Every `python` block in README.md is a complete program that runs as written, against the
emulator on loopback with credentials in the environment, as a reader would run it.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import attrs
import pytest

from twilio_chat.testing import (
    TEST_ACCOUNT_SID,
    TEST_AUTH_TOKEN,
    ChatEmulator,
    EmulatorServer,
)

README = Path(__file__).resolve().parent.parent / "README.md"
PYTHON_FENCES = frozenset({"python", "py", "python3"})
# Fenced blocks that are not programs: say which kind of text they are.
OTHER_FENCES = frozenset({"text", "sh", "bash", "console", "toml", "yaml", "json", "jsonl", "csv"})
TEST_API_KEY = "SK" + "5" * 32
TEST_API_SECRET = "readme-api-secret"

_FENCE = re.compile(r"^(\s*)(`{3,}|~{3,})\s*([^\s`]*)")


@attrs.frozen
class Block:
    """One fenced code block: its info string (language), where it starts, and its code."""

    language: str
    line: int
    heading: str
    code: str


def fenced_blocks(text: str) -> list[Block]:
    """The fenced blocks of a Markdown text, with the heading each one sits under."""
    blocks: list[Block] = []
    heading = "top"
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        line = lines[i]
        opening = _FENCE.match(line)
        if opening is None:
            if line.startswith("#"):
                heading = line.lstrip("#").strip()
            i += 1
            continue
        indent, fence, language = opening.groups()
        body: list[str] = []
        i += 1
        while i < len(lines) and not lines[i].strip().startswith(fence):
            body.append(lines[i].removeprefix(indent))
            i += 1
        blocks.append(Block(language.lower(), i - len(body), heading, "\n".join(body) + "\n"))
        i += 1  # the closing fence
    return blocks


BLOCKS = fenced_blocks(README.read_text(encoding="utf-8"))
PYTHON_BLOCKS = [block for block in BLOCKS if block.language in PYTHON_FENCES]


def _block_id(block: Block) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", block.heading.lower()).strip("-")
    return f"line{block.line}-{slug}"


@pytest.fixture
def server() -> Iterator[EmulatorServer]:
    emulator = ChatEmulator(api_keys={TEST_API_KEY: TEST_API_SECRET})
    with EmulatorServer(emulator) as running:
        yield running


def test_fenced_blocks_finds_languages_headings_and_code() -> None:
    """The extractor sees each block's language, heading and code, indented ones included."""
    text = (
        "# Title\n\n```python\nprint(1)\n```\n\n## Part\n\n"
        "- item\n\n  ```sh\n  make test\n  ```\n\n```\nbare\n```\n"
    )
    assert fenced_blocks(text) == [
        Block("python", 3, "Title", "print(1)\n"),
        Block("sh", 11, "Part", "make test\n"),
        Block("", 15, "Part", "bare\n"),
    ]


def test_readme_has_python_blocks() -> None:
    """The README's examples are found (an extractor that finds none would test nothing)."""
    assert len(PYTHON_BLOCKS) >= 4


@pytest.mark.parametrize("block", BLOCKS, ids=_block_id)
def test_readme_block_says_what_it_is(block: Block) -> None:
    """Every fence names its language: `python` blocks are run, the others say they are not."""
    assert block.language in PYTHON_FENCES | OTHER_FENCES, (
        f"README.md line {block.line}: fence the block as ```python (a program the tests run) "
        f"or as one of {sorted(OTHER_FENCES)}, not {block.language or 'nothing'!r}"
    )


@pytest.mark.parametrize("block", PYTHON_BLOCKS, ids=_block_id)
def test_readme_python_block_runs(block: Block, server: EmulatorServer, tmp_path: Path) -> None:
    """The block runs as written, as its own program, against the emulator."""
    script = tmp_path / "example.py"
    script.write_text(block.code, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("TWILIO_")}
    env.update(
        TWILIO_ACCOUNT_SID=TEST_ACCOUNT_SID,
        TWILIO_AUTH_TOKEN=TEST_AUTH_TOKEN,
        TWILIO_API_KEY=TEST_API_KEY,
        TWILIO_API_SECRET=TEST_API_SECRET,
        TWILIO_CHAT_BASE_URL=server.base_url,
    )
    done = subprocess.run(
        [sys.executable, str(script)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, (
        f"README.md line {block.line} ({block.heading}) failed:\n{done.stdout}\n{done.stderr}"
    )
