"""`read_model` gives exactly what the generated `from_dict` followed by `conforms` gives, for
every field of the service resource replaced by every kind of JSON value, absent or unknown;
classes it cannot compile are read by the generated code itself.

Stricter on one point, on purpose: an object field must hold a JSON object. The generated
code passes the value to `dict()`, so `""` and `[]` read as an empty object."""

from __future__ import annotations

import copy
import functools
from collections.abc import Iterator
from typing import Any

import attrs
import pytest
from twilio_chat_api.models import PageMeta, Service

from tests._bodies import service_body
from twilio_chat._models import _READERS, read_model
from twilio_chat._models import _read_generated as _generated  # from_dict, then conforms

ABSENT = object()
VALUES: list[Any] = [
    ABSENT,
    None,
    "",
    "x",
    "2026-01-02T03:04:05Z",
    "2026-13-45",
    0,
    7,
    -1,
    1.5,
    True,
    False,
    [],
    ["a", "b"],
    [1],
    [None],
    {},
    {"enabled": True, "template": "t", "sound": None},
    {"unknown": 1},
]


def _paths(body: dict[str, Any], prefix: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    for key, value in body.items():
        yield (*prefix, key)
        if isinstance(value, dict):
            yield from _paths(value, (*prefix, key))


def _replaced(body: dict[str, Any], path: tuple[str, ...], value: Any) -> dict[str, Any]:
    changed = copy.deepcopy(body)
    parent = changed
    for key in path[:-1]:
        parent = parent[key]
    if value is ABSENT:
        del parent[path[-1]]
    else:
        parent[path[-1]] = copy.deepcopy(value)
    return changed


BODY = service_body()
CASES = [
    pytest.param(path, value, id=f"{'.'.join(path)}={value!r}"[:80])
    for path in _paths(BODY)
    for value in VALUES
]


def test_read_model_reads_a_whole_service_like_from_dict() -> None:
    ours = read_model(Service, BODY)
    assert ours is not None
    assert ours == Service.from_dict(BODY)
    assert ours.limits.user_channels == 250
    assert ours.date_created.year == 2015


@pytest.mark.parametrize(("path", "value"), CASES)
def test_read_model_agrees_with_from_dict_and_conforms(path: tuple[str, ...], value: Any) -> None:
    body = _replaced(BODY, path, value)
    not_an_object = isinstance(_at(BODY, path), dict) and value in ("", [])
    expected = None if not_an_object else _generated(Service, body)
    assert read_model(Service, body) == expected
    if not_an_object:
        assert _generated(Service, body) is not None  # the generated code's dict("") == {}


def _at(body: dict[str, Any], path: tuple[str, ...]) -> Any:
    for key in path:
        body = body[key]
    return body


@pytest.mark.parametrize("extra", [{"brand_new": [1, {"a": None}]}, {"links": "x"}])
def test_read_model_keeps_unknown_properties(extra: dict[str, Any]) -> None:
    body = {**BODY, **extra}
    ours = read_model(Service, body)
    assert ours == _generated(Service, body)
    if ours is not None:
        assert ours.additional_properties == {
            key: value for key, value in extra.items() if key not in BODY
        }


@pytest.mark.parametrize("data", [None, [], "x", 1, [["sid", "IS1"]]])
def test_read_model_refuses_what_is_not_an_object(data: Any) -> None:
    assert read_model(Service, data) is None
    assert read_model(PageMeta, data) is None


def test_read_model_page_meta_like_from_dict() -> None:
    meta = {"page": 0, "page_size": 50, "next_page_url": None, "key": "services"}
    assert read_model(PageMeta, meta) == _generated(PageMeta, meta)
    assert read_model(PageMeta, {**meta, "page": "0"}) is None


def test_read_model_compiles_the_service_models() -> None:
    """The service resource and every model inside it are read by compiled readers, not by
    the generated fallback (which would be correct, only slower)."""
    read_model(Service, BODY)
    compiled = {
        cls for cls, reader in _READERS.items() if not isinstance(reader, functools.partial)
    }
    nested = {type(getattr(read_model(Service, BODY), name)) for name in ("limits", "media")}
    assert Service in compiled
    assert nested <= compiled


@attrs.define
class _Renamed:
    """A model whose JSON key is not its field's name, as the generator makes for `type`."""

    type_: str
    additional_properties: dict[str, Any] = attrs.field(init=False, factory=dict)

    @classmethod
    def from_dict(cls, src_dict: dict[str, Any]) -> _Renamed:
        d = dict(src_dict)
        type_ = d.pop("type")
        model = cls(type_=type_)
        model.additional_properties = d
        return model


def test_read_model_leaves_a_renamed_field_to_the_generated_code() -> None:
    model = read_model(_Renamed, {"type": "a", "other": 1})
    assert model is not None
    assert model.type_ == "a"
    assert model.additional_properties == {"other": 1}
    assert read_model(_Renamed, {"type": 5}) is None
    assert isinstance(_READERS[_Renamed], functools.partial)


@attrs.define(kw_only=True)
class _KeywordOnly:
    """A model whose fields can only be passed by keyword."""

    name: str
    count: int
    additional_properties: dict[str, Any] = attrs.field(init=False, factory=dict)

    @classmethod
    def from_dict(cls, src_dict: dict[str, Any]) -> _KeywordOnly:
        d = dict(src_dict)
        name = d.pop("name")
        count = d.pop("count")
        model = cls(name=name, count=count)
        model.additional_properties = d
        return model


def test_read_model_passes_keyword_only_fields_by_keyword() -> None:
    data = {"count": 2, "name": "a", "extra": None}
    assert read_model(_KeywordOnly, data) == _KeywordOnly.from_dict(data)
    assert read_model(_KeywordOnly, {**data, "count": True}) is None
    assert not isinstance(_READERS[_KeywordOnly], functools.partial)
