"""The public surface: one sorted `__all__`, public module paths, one error hierarchy."""

from __future__ import annotations

import inspect

import twilio_chat
from twilio_chat import TwilioChatError


def test_exported_members_all_is_sorted() -> None:
    """`__all__` is kept sorted, so drift shows up in review."""
    assert twilio_chat.__all__ == sorted(twilio_chat.__all__)


def test_exported_members_all_has_no_duplicates() -> None:
    """Each public name is listed once."""
    assert len(twilio_chat.__all__) == len(set(twilio_chat.__all__))


def test_exported_members_every_name_resolves() -> None:
    """Every name in `__all__` is an attribute of the package."""
    for name in twilio_chat.__all__:
        assert hasattr(twilio_chat, name), name


def test_exported_members_public_names_are_exported() -> None:
    """Every public attribute that is not a submodule is listed in `__all__`."""
    public = {
        name
        for name, value in vars(twilio_chat).items()
        if not name.startswith("_") and not inspect.ismodule(value)
    }
    assert public <= set(twilio_chat.__all__)


def test_exported_members_classes_report_public_module() -> None:
    """Classes defined in the package show `twilio_chat.X`, not a private module path."""
    own = [
        getattr(twilio_chat, name)
        for name in twilio_chat.__all__
        if inspect.isclass(getattr(twilio_chat, name))
        and not getattr(twilio_chat, name).__module__.startswith("twilio_chat_api")
    ]
    assert own, "no classes exported"
    for cls in own:
        assert cls.__module__ == "twilio_chat", cls


def test_exported_members_errors_share_one_base() -> None:
    """Every exported exception class subclasses `TwilioChatError`."""
    errors = [
        getattr(twilio_chat, name)
        for name in twilio_chat.__all__
        if inspect.isclass(getattr(twilio_chat, name))
        and issubclass(getattr(twilio_chat, name), BaseException)
    ]
    assert len(errors) >= 8
    for cls in errors:
        assert issubclass(cls, TwilioChatError), cls


def test_exported_members_core_api_present() -> None:
    """The names the issue makes part of the contract are exported."""
    required = {
        "AmbiguousCreateError",
        "ApiError",
        "AuthenticationError",
        "ChatClient",
        "ConfigurationError",
        "RateLimitError",
        "RetryPolicy",
        "TransportError",
        "TwilioChatError",
    }
    assert required <= set(twilio_chat.__all__)


def test_exported_members_version_is_a_string() -> None:
    """`__version__` is exported and looks like a version."""
    assert isinstance(twilio_chat.__version__, str)
    assert twilio_chat.__version__[0].isdigit()
