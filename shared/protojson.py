"""Protobuf JSON that people can write by hand.

Enum values may be given in full (``"OFFICE_ROLE_CANDIDATE"``) or short and
in any case (``"candidate"``, ``"hateful_conduct"``): the enum's prefix is
added. Everything else is standard protobuf JSON, so unknown fields and
wrong types are errors that name the field.
"""

from __future__ import annotations

from typing import Any, TypeVar

from google.protobuf import json_format
from google.protobuf.descriptor import Descriptor, EnumDescriptor, FieldDescriptor
from google.protobuf.message import Message

M = TypeVar("M", bound=Message)


class ProtoJsonError(ValueError):
    """The JSON does not fit the message; the text names the field."""


def _enum_prefix(enum: EnumDescriptor) -> str:
    # OfficeRole -> OFFICE_ROLE_
    name = enum.name
    out = "".join(f"_{c}" if c.isupper() and i else c for i, c in enumerate(name)).upper()
    return out + "_"


def _expand_enum(enum: EnumDescriptor, value: Any) -> Any:
    if not isinstance(value, str):
        return value
    if value in enum.values_by_name:
        return value
    full = _enum_prefix(enum) + value.strip().upper().replace("-", "_").replace(" ", "_")
    return full if full in enum.values_by_name else value


def _expand(descriptor: Descriptor, doc: Any) -> Any:
    if not isinstance(doc, dict):
        return doc
    out = {}
    for key, value in doc.items():
        field = descriptor.fields_by_name.get(key) or descriptor.fields_by_camelcase_name.get(key)
        if field is None:
            out[key] = value
            continue
        repeated = field.is_repeated
        if field.type == FieldDescriptor.TYPE_ENUM:
            out[key] = [_expand_enum(field.enum_type, v) for v in value] if repeated and isinstance(value, list) else _expand_enum(field.enum_type, value)
        elif field.type == FieldDescriptor.TYPE_MESSAGE and field.message_type.GetOptions().map_entry is False:
            sub = field.message_type
            if sub.full_name.startswith("google.protobuf."):
                out[key] = value
            elif repeated and isinstance(value, list):
                out[key] = [_expand(sub, v) for v in value]
            else:
                out[key] = _expand(sub, value)
        else:
            out[key] = value
    return out


def parse(doc: Any, message: M) -> M:
    """Fill ``message`` from hand-written JSON (a dict); raises ProtoJsonError."""
    if not isinstance(doc, dict):
        raise ProtoJsonError(f"expected a JSON object for {message.DESCRIPTOR.name}, got {type(doc).__name__}")
    try:
        return json_format.ParseDict(_expand(message.DESCRIPTOR, doc), message)
    except json_format.ParseError as exc:
        raise ProtoJsonError(str(exc)) from None


def to_dict(message: Message) -> dict[str, Any]:
    """Protobuf JSON with the proto field names (what the Rego policies read)."""
    return json_format.MessageToDict(message, preserving_proto_field_name=True)


_INT64 = {FieldDescriptor.TYPE_INT64, FieldDescriptor.TYPE_UINT64, FieldDescriptor.TYPE_SINT64,
          FieldDescriptor.TYPE_FIXED64, FieldDescriptor.TYPE_SFIXED64}


def _numbers(descriptor: Descriptor, doc: dict[str, Any]) -> dict[str, Any]:
    """The fields in proto order, 64-bit integers as ints."""
    out: dict[str, Any] = {}
    for field in descriptor.fields:
        if field.name not in doc:
            continue
        value = doc[field.name]
        if field.type == FieldDescriptor.TYPE_MESSAGE and field.message_type.GetOptions().map_entry:
            if field.message_type.fields_by_name["value"].type in _INT64:
                value = {k: int(v) for k, v in sorted(value.items())}
        elif field.type == FieldDescriptor.TYPE_MESSAGE and not field.message_type.full_name.startswith("google.protobuf."):
            value = [_numbers(field.message_type, v) for v in value] if field.is_repeated else _numbers(field.message_type, value)
        elif field.type in _INT64:
            value = [int(v) for v in value] if field.is_repeated else int(value)
        out[field.name] = value
    return out


def to_plain_dict(message: Message) -> dict[str, Any]:
    """Like to_dict, with every field and 64-bit integers as JSON numbers (reports, files)."""
    doc = json_format.MessageToDict(message, preserving_proto_field_name=True, always_print_fields_with_no_presence=True)
    return _numbers(message.DESCRIPTOR, doc)
