"""Protobuf JSON (proto field names) into messages, fast.

``json_format.ParseDict`` walks descriptors by reflection on every call and
was the largest Python cost on the decision path. Here each message type
gets a plan once (key -> how to set it), and a document is applied with
plain attribute access. Strict like ParseDict: an unknown key or an unknown
enum name is an error.
"""

from __future__ import annotations

import datetime
import re
from typing import Any, Callable, TypeVar

from google.protobuf.descriptor import Descriptor, FieldDescriptor
from google.protobuf.message import Message

M = TypeVar("M", bound=Message)
Setter = Callable[[Message, Any], None]

_plans: dict[str, dict[str, Setter]] = {}

# The form protobuf itself writes (UTC, "Z", 0-9 fraction digits): parsed here. Anything else
# (offsets, lenient forms) goes to Timestamp.FromJsonString, so the two never disagree.
_CANONICAL = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})T([0-9]{2}):([0-9]{2}):([0-9]{2})(?:\.([0-9]{1,9}))?Z")
_EPOCH = datetime.datetime(1970, 1, 1)


class ProtoShapeError(ValueError):
    """The document does not fit the message."""


def set_timestamp(ts: Message, text: str) -> None:
    """RFC 3339 text into a Timestamp exactly as ``Timestamp.FromJsonString`` does (the
    same times accepted, the same refused: 2024-02-31, 25:61 ...), without its strptime
    (the slow part) for the form protobuf writes."""
    m = _CANONICAL.fullmatch(text) if isinstance(text, str) else None
    try:
        if m is None:
            ts.FromJsonString(text)  # type: ignore[attr-defined]
            return
        year, month, day, hour, minute, second, fraction = m.groups()
        elapsed = datetime.datetime(int(year), int(month), int(day), int(hour), int(minute), int(second)) - _EPOCH
    except (ValueError, TypeError) as exc:
        raise ProtoShapeError(f"{str(text)[:64]!r} is not an RFC 3339 time: {exc}") from None
    ts.seconds = elapsed.days * 86400 + elapsed.seconds  # type: ignore[attr-defined]
    ts.nanos = int((fraction or "").ljust(9, "0"))  # type: ignore[attr-defined]


def _enum_values(field: FieldDescriptor) -> dict[str, int]:
    return {v.name: v.number for v in field.enum_type.values}


def _enum(values: dict[str, int], field: FieldDescriptor, value: Any) -> int:
    try:
        return values[value]
    except (KeyError, TypeError):
        raise ProtoShapeError(f"{field.full_name}: {value!r} is not a {field.enum_type.name}") from None


def _setter(field: FieldDescriptor) -> Setter:
    name = field.name
    if field.type == FieldDescriptor.TYPE_MESSAGE:
        sub = field.message_type
        if sub.full_name == "google.protobuf.Timestamp" and not field.is_repeated:
            return lambda msg, value: set_timestamp(getattr(msg, name), value)
        if sub.full_name in ("google.protobuf.Timestamp", "google.protobuf.Duration"):
            if field.is_repeated:
                return lambda msg, value: [getattr(msg, name).add().FromJsonString(v) for v in value]
            return lambda msg, value: getattr(msg, name).FromJsonString(value)
        if sub.GetOptions().map_entry:
            return lambda msg, value: getattr(msg, name).update(value)
        if field.is_repeated:
            def set_messages(msg: Message, value: Any) -> None:
                container = getattr(msg, name)
                for item in value:
                    fill(container.add(), item)
            return set_messages

        def set_message(msg: Message, value: Any) -> None:
            child = getattr(msg, name)
            child.SetInParent()
            fill(child, value)
        return set_message
    if field.type == FieldDescriptor.TYPE_ENUM:
        values = _enum_values(field)
        if field.is_repeated:
            return lambda msg, value: getattr(msg, name).extend([_enum(values, field, v) for v in value])
        return lambda msg, value: setattr(msg, name, _enum(values, field, value))
    if field.is_repeated:
        return lambda msg, value: getattr(msg, name).extend(value)
    if field.type in (FieldDescriptor.TYPE_INT64, FieldDescriptor.TYPE_UINT64, FieldDescriptor.TYPE_INT32, FieldDescriptor.TYPE_UINT32):
        return lambda msg, value: setattr(msg, name, int(value))
    return lambda msg, value: setattr(msg, name, value)


def _plan(descriptor: Descriptor) -> dict[str, Setter]:
    plan = _plans.get(descriptor.full_name)
    if plan is None:
        plan = {f.name: _setter(f) for f in descriptor.fields}
        _plans[descriptor.full_name] = plan
    return plan


def fill(message: M, doc: Any) -> M:
    """Set ``message`` from a dict in protobuf JSON with proto field names."""
    if not isinstance(doc, dict):
        raise ProtoShapeError(f"{message.DESCRIPTOR.full_name}: expected an object, got {type(doc).__name__}")
    plan = _plan(message.DESCRIPTOR)
    for key, value in doc.items():
        setter = plan.get(key)
        if setter is None:
            raise ProtoShapeError(f"{message.DESCRIPTOR.full_name} has no field {key!r}")
        if value is None:
            continue
        try:
            setter(message, value)
        except (TypeError, ValueError) as exc:
            if isinstance(exc, ProtoShapeError):
                raise
            raise ProtoShapeError(f"{message.DESCRIPTOR.full_name}.{key}: {exc}") from None
    return message
