"""The public surface of twilio_chat.testing, and the layering rule it must keep."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import twilio_chat.testing as testing

PACKAGE = Path(testing.__file__).parent


def test_exports_all_names_resolve() -> None:
    """__all__ lists each public name once, each resolves, and classes show the public module."""
    assert len(testing.__all__) == len(set(testing.__all__))
    assert set(testing.__all__) == {
        "TEST_ACCOUNT_SID",
        "TEST_AUTH_TOKEN",
        "ChatEmulator",
        "EmulatorServer",
        "EmulatorStats",
        "Faults",
        "Operation",
        "ServiceRecord",
        "run_emulator",
    }
    for name in testing.__all__:
        value = getattr(testing, name)
        if isinstance(value, type):
            assert value.__module__ == "twilio_chat.testing", name


def test_exports_test_credentials_are_well_formed() -> None:
    """The default credentials look like Twilio's: AC + 32 hex, and a 32-character token."""
    assert re.fullmatch(r"AC[0-9a-f]{32}", testing.TEST_ACCOUNT_SID)
    assert len(testing.TEST_AUTH_TOKEN) == 32


def test_exports_never_import_the_facade() -> None:
    """No emulator module imports the facade (twilio_chat._*) or anything above testing/."""
    for module in PACKAGE.glob("*.py"):
        tree = ast.parse(module.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom):
                assert node.level in (0, 1), f"{module.name} imports from a parent package"
                names = [node.module or ""]
            elif isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            else:
                continue
            for name in names:
                assert not name.startswith("twilio_chat"), f"{module.name} imports {name}"
