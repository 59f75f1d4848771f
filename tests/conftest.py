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


# --- Facade tests: credentials, a clean environment, sleep-free clients ----------------------

import logging  # noqa: E402
import os  # noqa: E402
from collections.abc import Callable, Iterator  # noqa: E402

import attrs  # noqa: E402
import httpx  # noqa: E402


@attrs.frozen
class TestCredentials:
    """Well-formed fake credentials; the secrets are distinctive so leaks are easy to spot."""

    __test__ = False  # not a test class, despite the name

    account_sid: str = "AC" + "0123456789abcdef" * 2
    auth_token: str = "authtoken-7c1f0e93d2b84a6f"
    api_key: str = "SK" + "fedcba9876543210" * 2
    api_secret: str = "apisecret-5b2d9e8a1c6f4e07"

    @property
    def secrets(self) -> tuple[str, str]:
        return (self.auth_token, self.api_secret)


@pytest.fixture(autouse=True)
def _no_twilio_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """The developer's TWILIO_* variables must never leak into a test."""
    for name in list(os.environ):
        if name.startswith("TWILIO_"):
            monkeypatch.delenv(name)


@pytest.fixture
def creds() -> TestCredentials:
    return TestCredentials()


@attrs.define
class SleepRecorder:
    """An injectable async sleep that records each wait and advances a fake clock."""

    waits: list[float] = attrs.field(factory=list)
    now: float = 0.0

    async def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)
        self.now += seconds

    def clock(self) -> float:
        return self.now


@pytest.fixture
def sleeps() -> SleepRecorder:
    return SleepRecorder()


@pytest.fixture
def assert_no_secret(creds: TestCredentials) -> Callable[[object], None]:
    """Check that neither secret appears in str/repr of an object or its exception chain."""

    def check(obj: object) -> None:
        seen: set[int] = set()
        while obj is not None and id(obj) not in seen:
            seen.add(id(obj))
            for text in (str(obj), repr(obj)):
                for secret in creds.secrets:
                    assert secret not in text, f"secret leaked in {type(obj).__name__}: {text}"
            if not isinstance(obj, BaseException):
                return
            obj = obj.__cause__ or obj.__context__

    return check


def offline_transport() -> httpx.MockTransport:
    """A transport for clients whose requests respx routes (`respx.mock(using="httpx")` sits
    above it). It spares each client the TLS setup of a real pool; reaching it is a bug."""

    def unrouted(request: httpx.Request) -> httpx.Response:
        raise AssertionError(f"request not routed by respx: {request.method} {request.url}")

    return httpx.MockTransport(unrouted)


@pytest.fixture
def secrets_stay_hidden(
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    assert_no_secret: Callable[[object], None],
    creds: TestCredentials,
) -> Iterator[None]:
    """After the test, check every TwilioChatError it created (str, repr, cause chain) and every
    log record (any logger, DEBUG and up) for the test secrets."""
    from twilio_chat import TwilioChatError

    created: list[BaseException] = []

    def recording_init(self: BaseException, *args: object) -> None:
        created.append(self)
        super(TwilioChatError, self).__init__(*args)

    monkeypatch.setattr(TwilioChatError, "__init__", recording_init)
    caplog.set_level(logging.DEBUG)
    yield
    for error in created:
        assert_no_secret(error)
    for record in caplog.get_records("setup") + caplog.get_records("call"):
        text = f"{record.getMessage()} {record.args!r} {record.exc_text or ''}"
        for secret in creds.secrets:
            assert secret not in text, f"secret leaked in log record: {text}"


# --- Deep search for credentials reachable from an error -------------------------------------

import base64  # noqa: E402
import contextlib  # noqa: E402
import types  # noqa: E402
from collections.abc import Iterable  # noqa: E402

_LEAF_TYPES = (
    type(None), bool, int, float, complex, type, types.ModuleType, types.FunctionType,
    types.BuiltinFunctionType, types.MethodType, types.CodeType, types.FrameType,
    types.TracebackType,
)  # fmt: skip
_EXCEPTION_LINKS = ("__cause__", "__context__", "args", "__notes__", "request_info", "history")


def credential_needles(creds: TestCredentials) -> tuple[str, ...]:
    """The strings no error may carry: both secrets and the Basic header payload of each pair."""
    pairs = (f"{creds.account_sid}:{creds.auth_token}", f"{creds.api_key}:{creds.api_secret}")
    encoded = tuple(base64.b64encode(pair.encode()).decode() for pair in pairs)
    return (*creds.secrets, *encoded)


def leaks(root: object, needles: Iterable[str], *, budget: int = 20_000) -> list[str]:
    """Paths from `root` to objects whose repr or str shows a needle, following exception
    links (cause, context, args, notes, aiohttp's request_info and history), containers and
    every attribute (`vars`, slots), recursively; at most `budget` objects are visited."""
    wanted = tuple(needles)
    found: list[str] = []
    seen: set[int] = set()
    stack: list[tuple[object, str]] = [(root, type(root).__name__)]
    while stack and len(seen) < budget:
        obj, path = stack.pop()
        if isinstance(obj, _LEAF_TYPES) or id(obj) in seen:
            continue
        seen.add(id(obj))
        try:
            texts = (repr(obj), str(obj))
        except Exception as exc:  # noqa: BLE001 - a broken repr is reported, not fatal
            texts = (f"<repr failed: {type(exc).__name__}>",)
        found += [
            f"{path} shows {needle[:6]}..." for needle in wanted if any(needle in t for t in texts)
        ]
        if isinstance(obj, str | bytes | bytearray):
            continue
        children: list[tuple[str, object]] = []
        if isinstance(obj, BaseException):
            for name in _EXCEPTION_LINKS:
                try:
                    children.append((f".{name}", getattr(obj, name)))
                except Exception:  # noqa: BLE001, S112 - an unset attribute is no leak
                    continue
        if isinstance(obj, dict):
            children += [(f"[{key!r}]", value) for key, value in obj.items()]
            children += [(".<key>", key) for key in obj]
        elif isinstance(obj, list | tuple | set | frozenset):
            children += [(f"[{index}]", value) for index, value in enumerate(obj)]
        with contextlib.suppress(TypeError):  # no __dict__
            children += [(f".{name}", value) for name, value in vars(obj).items()]
        for kind in type(obj).__mro__:
            for name in getattr(kind, "__slots__", ()):
                if hasattr(obj, name):
                    children.append((f".{name}", getattr(obj, name)))
        stack += [(child, path + step) for step, child in children]
    return found
