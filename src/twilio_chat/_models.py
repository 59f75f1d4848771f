"""Runtime checks that a parsed model holds the types its annotations promise, and the
readers that build a generated model from JSON with those checks on the way.

The generated `from_dict` converts dates and nested objects but copies strings, numbers and
lists as they come, so `"sid": 5` would sit in a field typed `str`. The facade checks every
parsed model against its own annotations once, so what it returns is what mypy was told.

`read_model(cls, data)` gives what `cls.from_dict(data)` gives when that model conforms, and
None otherwise, in one pass compiled per class from the model's attrs fields and annotations
(`from_dict` re-runs imports and defines a closure per nullable field on every call). It
reads a field from the JSON key of the same name, which it first confirms in the generated
`from_dict` itself; a class where that or any annotation is not plain is read by `from_dict`
and `conforms`, as before.
"""

from __future__ import annotations

import datetime
import functools
import inspect
import types
import typing
from collections.abc import Callable
from typing import Any, TypeVar

import attrs
import twilio_chat_api.models
from twilio_chat_api.types import UNSET, Unset

__all__ = ["conforms", "read_model"]

_Check = Callable[[object], bool]
T = TypeVar("T")


@attrs.frozen
class _FieldCheck:
    """One field's annotation, precomputed for the common case: the value's class must be
    one of `types` (an isinstance check; `no_bool` when an int is allowed but a JSON boolean
    is not), and `deep`, when set, checks what isinstance cannot see (list items, the fields
    of a nested model)."""

    name: str
    types: tuple[type, ...]
    no_bool: bool
    deep: _Check | None


def conforms(model: object) -> bool:
    """Whether every field of an attrs model (recursively) holds a value of its declared type.

    Runs once per parsed resource: each class's annotations are digested once into one
    straight-line function (see `_compile`), so the common case (`str | None | Unset`) costs
    one isinstance per field."""
    check = _CHECKS.get(type(model))
    if check is None:
        check = _class_check(type(model))
    return check(model)


_CHECKS: dict[type, _Check] = {}
_FIELDS: dict[type, tuple[_FieldCheck, ...]] = {}


def _class_check(cls: type) -> _Check:
    check = _CHECKS.get(cls)
    if check is None:
        fields = _FIELDS[cls] = _build_checks(cls)
        check = _CHECKS[cls] = _compile(cls, fields)
    return check


def _compile(cls: type, fields: tuple[_FieldCheck, ...]) -> _Check:
    """One function that checks every field of `cls` in turn, returning False at the first
    that fails: an isinstance against the field's precomputed classes, `__class__ is bool`
    where an int is allowed but a JSON boolean is not, then the deep check if any. Field
    names are attrs attribute names (identifiers); everything else is passed as a value."""
    namespace: dict[str, object] = {"_isinstance": isinstance, "_bool": bool}
    lines = ["def check(model):"]
    for i, field in enumerate(fields):
        if not field.name.isidentifier():
            raise TypeError(f"{cls.__name__}: field name {field.name!r} is not an identifier")
        namespace[f"_t{i}"] = field.types
        lines.append(f"    value = model.{field.name}")
        lines.append(f"    if not _isinstance(value, _t{i}):")
        lines.append("        return False")
        if field.no_bool:
            lines.append("    if value.__class__ is _bool:")
            lines.append("        return False")
        if field.deep is not None:
            namespace[f"_d{i}"] = field.deep
            lines.append(f"    if not _d{i}(value):")
            lines.append("        return False")
    lines.append("    return True")
    exec(compile("\n".join(lines), f"<conforms {cls.__qualname__}>", "exec"), namespace)  # noqa: S102
    return typing.cast(_Check, namespace["check"])


def _checks(cls: type) -> tuple[_FieldCheck, ...]:
    """Each field's check, in declaration order."""
    _class_check(cls)
    return _FIELDS[cls]


def _build_checks(cls: type) -> tuple[_FieldCheck, ...]:
    hints = typing.get_type_hints(cls, localns=vars(twilio_chat_api.models))
    return tuple(
        _field_check(field.name, hints[field.name])
        for field in attrs.fields(cls)
        if field.name != "additional_properties"
    )


def _field_check(name: str, hint: Any) -> _FieldCheck:
    """Split an annotation into the isinstance part and the rest (lists, nested models)."""
    exact = _check_for(hint)  # also refuses an annotation this module does not know
    options = _options(hint)
    allowed = tuple(kind for option in options for kind in _outer_types(option))
    lists = [option for option in options if typing.get_origin(option) is list]
    models = tuple(option for option in options if attrs.has(option))
    deep: _Check | None = None
    if len(lists) == 1:  # the value passed isinstance: a list, a model, or a plain value
        (item,) = typing.get_args(lists[0])
        items = _check_for(item)

        def deep(value: object) -> bool:
            if isinstance(value, list):
                return all(items(entry) for entry in value)
            return not isinstance(value, models) or conforms(value)
    elif lists:
        deep = exact
    elif models:

        def deep(value: object) -> bool:
            return not isinstance(value, models) or conforms(value)

    return _FieldCheck(
        name=name, types=allowed, no_bool=int in allowed and bool not in allowed, deep=deep
    )


def _options(hint: Any) -> tuple[Any, ...]:
    if isinstance(hint, types.UnionType) or typing.get_origin(hint) is typing.Union:
        return tuple(option for arg in typing.get_args(hint) for option in _options(arg))
    return (hint,)


def _outer_types(hint: Any) -> tuple[type, ...]:
    """The classes a value of `hint` may be an instance of (a float field takes JSON's
    integers too); `_check_for` has already refused what is not listed here."""
    if typing.get_origin(hint) is list:
        return (list,)
    if hint is float:
        return (float, int)
    if hint is type(None):
        return (type(None),)
    if isinstance(hint, type) and issubclass(hint, dict):
        return (dict,)
    return (typing.cast(type, hint),)


def _check_for(hint: Any) -> _Check:
    """A predicate for one annotation: unions, None, Unset, primitives, lists, models."""
    if isinstance(hint, types.UnionType) or typing.get_origin(hint) is typing.Union:
        options = tuple(_check_for(arg) for arg in typing.get_args(hint))
        return lambda value: any(option(value) for option in options)
    if hint is type(None):
        return lambda value: value is None
    if hint is int:  # bool is an int subclass, but JSON's true is not a number
        return lambda value: isinstance(value, int) and not isinstance(value, bool)
    if hint is float:
        return lambda value: isinstance(value, int | float) and not isinstance(value, bool)
    if typing.get_origin(hint) is list:
        (item_hint,) = typing.get_args(hint)
        item = _check_for(item_hint)
        return lambda value: isinstance(value, list) and all(item(entry) for entry in value)
    if attrs.has(hint):
        return lambda value: isinstance(value, hint) and conforms(value)
    if isinstance(hint, type) and hint in (str, bool, Unset, datetime.datetime):
        return lambda value: isinstance(value, hint)
    if isinstance(hint, type) and issubclass(hint, dict):
        return lambda value: isinstance(value, dict)
    raise TypeError(f"no runtime check for annotation {hint!r}")  # a new generator construct


_Reader = Callable[[Any], Any]
_READERS: dict[type, _Reader] = {}
_COMPILING: set[type] = set()
_MISSING = object()  # a required key that is absent: an instance of no allowed type


def read_model(cls: type[T], data: object) -> T | None:
    """`cls.from_dict(data)` if that succeeds and the result conforms, else None."""
    reader = _READERS.get(cls)
    if reader is None:
        reader = _READERS[cls] = _reader(cls)
    return typing.cast("T | None", reader(data))


class _NotPlain(Exception):
    """A field the compiled reader does not handle: the class is read by `from_dict`."""


def _reader(cls: type) -> _Reader:
    _COMPILING.add(cls)
    try:
        return _compile_reader(cls)
    except _NotPlain:
        return functools.partial(_read_generated, cls)
    finally:
        _COMPILING.discard(cls)


def _nested_reader(cls: type) -> _Reader:
    """The reader of a nested model, compiled now unless that model is being compiled (a
    model that contains itself reads its inner copies through `read_model`)."""
    reader = _READERS.get(cls)
    if reader is not None:
        return reader
    if cls in _COMPILING:
        return functools.partial(read_model, cls)
    reader = _READERS[cls] = _reader(cls)
    return reader


def _read_generated(cls: Any, data: object) -> object:
    if not isinstance(data, dict):
        return None
    try:
        model = cls.from_dict(data)
    except (KeyError, TypeError, ValueError, AttributeError):
        return None
    return model if conforms(model) else None


def _compile_reader(cls: type) -> _Reader:
    """One function reading each field of `cls` from `data` and checking it as `conforms`
    would; raises `_NotPlain` for anything but plain values, lists of them, datetimes and
    nested models read from the JSON key of the field's own name."""
    fields = [field for field in attrs.fields(cls) if field.name != "additional_properties"]
    if len(fields) + 1 != len(attrs.fields(cls)) or not fields:
        raise _NotPlain(cls)
    try:
        source = inspect.getsource(cls.from_dict)  # type: ignore[attr-defined]
    except (OSError, TypeError, AttributeError):
        raise _NotPlain(cls) from None
    checks = {check.name: check for check in _checks(cls)}
    hints = typing.get_type_hints(cls, localns=vars(twilio_chat_api.models))
    namespace: dict[str, object] = {
        "_cls": cls,
        "_isinstance": isinstance,
        "_bool": bool,
        "_dict": dict,
        "_str": str,
        "_MISSING": _MISSING,
        "_UNSET": UNSET,
        "_fromisoformat": datetime.datetime.fromisoformat,
    }
    lines = ["def read(data):", "    if data.__class__ is not _dict:", "        return None"]
    lines += ["    d = data.copy()", "    pop = d.pop"]
    for i, field in enumerate(fields):
        name = field.name
        if not field.init or not name.isidentifier() or f'd.pop("{name}"' not in source:
            raise _NotPlain(cls)
        check = checks[name]
        options = _options(hints[name])
        absent = "_MISSING" if field.default is attrs.NOTHING else "_UNSET"
        namespace[f"_t{i}"] = check.types
        lines.append(f'    v{i} = pop("{name}", {absent})')
        models = [option for option in options if attrs.has(option)]
        if datetime.datetime in options:
            if str in options or models:
                raise _NotPlain(cls)
            lines += [
                f"    if v{i}.__class__ is _str:",
                "        try:",
                f"            v{i} = _fromisoformat(v{i})",
                "        except ValueError:",
                "            return None",
                f"    elif not _isinstance(v{i}, _t{i}):",
                "        return None",
            ]
        elif models:
            if len(models) > 1 or any(typing.get_origin(option) for option in options):
                raise _NotPlain(cls)
            namespace[f"_r{i}"] = _nested_reader(models[0])
            lines += [
                f"    if v{i}.__class__ is _dict:",
                f"        v{i} = _r{i}(v{i})",
                f"        if v{i} is None:",
                "            return None",
                f"    elif not _isinstance(v{i}, _t{i}):",
                "        return None",
            ]
        else:
            lines += [f"    if not _isinstance(v{i}, _t{i}):", "        return None"]
            if check.no_bool:
                lines += [f"    if v{i}.__class__ is _bool:", "        return None"]
            if check.deep is not None:
                namespace[f"_d{i}"] = check.deep
                lines += [f"    if not _d{i}(v{i}):", "        return None"]
    # Positionally where attrs allows (a cheaper call), in field order, then by keyword.
    positional = [f"v{i}" for i, field in enumerate(fields) if not field.kw_only]
    keywords = [f"{field.name}=v{i}" for i, field in enumerate(fields) if field.kw_only]
    arguments = ", ".join(positional + keywords)
    lines += [f"    model = _cls({arguments})", "    model.additional_properties = d"]
    lines.append("    return model")
    exec(compile("\n".join(lines), f"<read {cls.__qualname__}>", "exec"), namespace)  # noqa: S102
    return typing.cast(_Reader, namespace["read"])
