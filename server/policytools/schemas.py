"""JSON schemas for the policies' ``input``, generated from the proto (`make schemas`).

The server builds every OPA input from protobuf messages (``case``,
``report``, ``group``, with the proto field names) and from the account
store (``account``, ``groups``, shaped like ``verdict.v1.Account`` and
``verdict.v1.GroupDesignation``). The schemas say exactly that, field by
field, so OPA's type checker can refuse a policy that reads a field that
does not exist or uses one as the wrong type.

Written:
  schemas/input.json           every field any policy may read (all queries)
  schemas/decision_input.json  verdict/decision/result, verdict/pi/assessment
  schemas/report_input.json    verdict/report/result
  schemas/group_input.json     verdict/group/result
  rego/verdict/schema.rego     schemas/input.json as an OPA schema annotation on
                               package verdict and its subpackages (inline, so
                               `opa check`, `opa test` and `opa eval` apply it
                               without a --schema flag)
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import yaml
from google.protobuf import descriptor_pb2
from google.protobuf.descriptor import Descriptor, FieldDescriptor

from verdict.v1 import account_pb2, assessments_pb2, case_pb2

ROOT = Path(__file__).resolve().parents[2]
SCHEMA_DIR = ROOT / "schemas"
REGO_MODULE = ROOT / "rego" / "verdict" / "schema.rego"
PROTO_DIR = ROOT / "proto"

_SCALARS = {
    FieldDescriptor.TYPE_BOOL: {"type": "boolean"},
    FieldDescriptor.TYPE_STRING: {"type": "string"},
    FieldDescriptor.TYPE_BYTES: {"type": "string"},
    FieldDescriptor.TYPE_DOUBLE: {"type": "number"},
    FieldDescriptor.TYPE_FLOAT: {"type": "number"},
}
_INTEGERS = {
    FieldDescriptor.TYPE_INT32, FieldDescriptor.TYPE_INT64, FieldDescriptor.TYPE_UINT32, FieldDescriptor.TYPE_UINT64,
    FieldDescriptor.TYPE_SINT32, FieldDescriptor.TYPE_SINT64, FieldDescriptor.TYPE_FIXED32, FieldDescriptor.TYPE_FIXED64,
    FieldDescriptor.TYPE_SFIXED32, FieldDescriptor.TYPE_SFIXED64,
}


def _comments() -> dict[str, str]:
    """Leading comments of proto messages and fields, by full name, from protoc's source info."""
    from grpc_tools import protoc
    import importlib.resources
    import tempfile

    include = str(importlib.resources.files("grpc_tools") / "_proto")
    protos = sorted(str(p.relative_to(PROTO_DIR)) for p in (PROTO_DIR / "verdict" / "v1").glob("*.proto"))
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "set.pb"
        code = protoc.main(["protoc", f"-I{PROTO_DIR}", f"-I{include}", "--include_source_info",
                            f"--descriptor_set_out={out}", *protos])
        if code != 0:
            raise SystemExit("protoc could not read proto/verdict/v1")
        files = descriptor_pb2.FileDescriptorSet.FromString(out.read_bytes())
    found: dict[str, str] = {}
    for file in files.file:
        names: dict[tuple[int, ...], str] = {}
        for i, message in enumerate(file.message_type):
            _name_paths(names, (4, i), f"{file.package}.{message.name}", message)
        for location in file.source_code_info.location:
            text = (location.leading_comments or location.trailing_comments).strip()
            name = names.get(tuple(location.path))
            if text and name:
                # A "// ---- section" heading above a field is not about the field.
                found[name] = " ".join(line.strip() for line in text.splitlines() if not line.strip().startswith("----"))
    return found


def _name_paths(names: dict[tuple[int, ...], str], path: tuple[int, ...], full: str, message: Any) -> None:
    names[path] = full
    for j, field in enumerate(message.field):
        names[(*path, 2, j)] = f"{full}.{field.name}"
    for j, nested in enumerate(message.nested_type):
        _name_paths(names, (*path, 3, j), f"{full}.{nested.name}", nested)


def _field(field: FieldDescriptor, comments: dict[str, str], seen: tuple[str, ...]) -> dict[str, Any]:
    if field.type == FieldDescriptor.TYPE_MESSAGE:
        name = field.message_type.full_name
        if name in ("google.protobuf.Timestamp", "google.protobuf.Duration"):
            item: dict[str, Any] = {"type": "string"}
            if name.endswith("Timestamp"):
                item["format"] = "date-time"
        else:
            item = message_schema(field.message_type, comments, seen)
    elif field.type == FieldDescriptor.TYPE_ENUM:
        item = {"type": "string", "enum": [v.name for v in field.enum_type.values]}
    elif field.type in _INTEGERS:
        item = {"type": "integer"}
    else:
        item = dict(_SCALARS[field.type])
    out = {"type": "array", "items": item} if field.is_repeated else item
    text = comments.get(field.full_name)
    return {"description": text, **out} if text else out


def message_schema(descriptor: Descriptor, comments: dict[str, str], seen: tuple[str, ...] = ()) -> dict[str, Any]:
    """A closed object: exactly the message's fields, by proto name."""
    if descriptor.full_name in seen:
        raise ValueError(f"{descriptor.full_name} is recursive; the input schemas cannot inline it")
    seen = (*seen, descriptor.full_name)
    schema: dict[str, Any] = {"type": "object"}
    if comments.get(descriptor.full_name):
        schema["description"] = comments[descriptor.full_name]
    schema["additionalProperties"] = False
    schema["properties"] = {f.name: _field(f, comments, seen) for f in descriptor.fields}
    return schema


def schemas(comments: dict[str, str] | None = None) -> dict[str, dict[str, Any]]:
    """The input schema of each query, and their union."""
    comments = _comments() if comments is None else comments
    as_of = {"type": "string", "format": "date-time",
             "description": "The time the decision is made for (RFC 3339); every time-dependent rule reads it."}
    parts = {
        "as_of": as_of,
        "case": message_schema(case_pb2.Case.DESCRIPTOR, comments),
        "account": {**message_schema(account_pb2.Account.DESCRIPTOR, comments),
                    "description": "The author's account from the account store (verdict.v1.Account)."},
        "groups": {"type": "object", "description": "Stored designations of the groups the case or account names, by group ID.",
                   "additionalProperties": message_schema(account_pb2.GroupDesignation.DESCRIPTOR, comments)},
        "report": message_schema(assessments_pb2.Report.DESCRIPTOR, comments),
        "group": message_schema(assessments_pb2.Group.DESCRIPTOR, comments),
    }

    def obj(title: str, keys: list[str]) -> dict[str, Any]:
        return {"$schema": "http://json-schema.org/draft-07/schema#", "title": title, "type": "object",
                "additionalProperties": False, "properties": {k: parts[k] for k in keys}}

    return {
        "input": obj("The input of every verdict policy query", list(parts)),
        "decision_input": obj("verdict/decision/result and verdict/pi/assessment", ["as_of", "case", "account", "groups"]),
        "report_input": obj("verdict/report/result", ["as_of", "report"]),
        "group_input": obj("verdict/group/result", ["as_of", "group"]),
    }


def _without(doc: Any, keys: tuple[str, ...]) -> Any:
    if isinstance(doc, dict):
        return {k: _without(v, keys) for k, v in doc.items() if k not in keys}
    if isinstance(doc, list):
        return [_without(v, keys) for v in doc]
    return doc


def rego_module(schema: dict[str, Any]) -> str:
    """package verdict with the input schema as an inline schema annotation for it and every subpackage."""
    inline = _without(schema, ("description", "$schema", "title", "format", "enum"))
    body = yaml.safe_dump([{"input": inline}], sort_keys=False, default_flow_style=False, width=1000)
    lines = [
        "# METADATA",
        "# title: The input of every verdict policy",
        "# description: >-",
        "#   Generated from proto/verdict/v1 by `make schemas` (server/policytools/schemas.py);",
        "#   do not edit. OPA's type checker refuses a policy that reads an input field",
        "#   that does not exist, or uses one as the wrong type.",
        "# scope: subpackages",
        "# schemas:",
        *[f"#   {line}" for line in body.splitlines()],
        "package verdict",
        "",
    ]
    return "\n".join(lines)


def generated() -> dict[Path, str]:
    """Every generated file and its content."""
    all_schemas = schemas()
    files = {SCHEMA_DIR / f"{name}.json": json.dumps(schema, indent=2, ensure_ascii=False) + "\n"
             for name, schema in all_schemas.items()}
    files[REGO_MODULE] = rego_module(all_schemas["input"])
    return files


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m server.policytools.schemas", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true", help="only check that the files are up to date (exit 1 if not)")
    args = parser.parse_args(argv)
    stale = []
    for path, content in generated().items():
        current = path.read_text(encoding="utf-8") if path.exists() else None
        if current == content:
            continue
        stale.append(path)
        if not args.check:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(content, encoding="utf-8")
            print(f"wrote {path.relative_to(ROOT)}")
    if args.check and stale:
        print("out of date (run `make schemas`): " + ", ".join(str(p.relative_to(ROOT)) for p in stale), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
