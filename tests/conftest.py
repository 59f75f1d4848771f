"""Shared fixtures: the spec, and the Twilio example bodies it carries."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def spec() -> dict[str, Any]:
    with (ROOT / "openapi.yaml").open(encoding="utf-8") as fh:
        loaded: dict[str, Any] = yaml.safe_load(fh)
    return loaded


@pytest.fixture(scope="session")
def service_example(spec: dict[str, Any]) -> dict[str, Any]:
    """Twilio's documented 201 body for a created service."""
    example: dict[str, Any] = spec["components"]["examples"]["ServiceCreated"]["value"]
    return example
