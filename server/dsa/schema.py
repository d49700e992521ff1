"""The Transparency Database's rules for a statement of reasons, as a JSON Schema.

``tdb_statement.schema.json`` encodes the rules of the DSA Transparency
Database API (schema v2): required and conditional fields, enumerations,
lengths, date bounds, the puid pattern. Two rules JSON Schema cannot say
are custom keywords, checked here: ``formatMinimum``/``formatMaximum``
(a date's bounds, as in ajv-formats) and ``notBeforeField`` (an end date
on or after the application date). Every statement is checked with it
before it leaves the server, and again before it is submitted.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterator

from jsonschema import Draft202012Validator, validators
from jsonschema.exceptions import ValidationError

SCHEMA_PATH = Path(__file__).with_name("tdb_statement.schema.json")


@dataclass(frozen=True)
class FieldError:
    """One broken rule: the statement field and what is wrong with it."""

    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.field}: {self.message}"


def _format_minimum(validator: Any, bound: str, instance: Any, schema: dict) -> Iterator[ValidationError]:
    if isinstance(instance, str) and instance < bound:
        yield ValidationError(f"must be on or after {bound}, got {instance}")


def _format_maximum(validator: Any, bound: str, instance: Any, schema: dict) -> Iterator[ValidationError]:
    if isinstance(instance, str) and instance > bound:
        yield ValidationError(f"must be on or before {bound}, got {instance}")


def _not_before_field(validator: Any, pairs: dict[str, str], instance: Any, schema: dict) -> Iterator[ValidationError]:
    if not isinstance(instance, dict):
        return
    for field, other in pairs.items():
        value, start = instance.get(field), instance.get(other)
        if isinstance(value, str) and isinstance(start, str) and value < start:
            yield ValidationError(f"must be on or after {other} ({start}), got {value}", path=[field])


TdbValidator = validators.extend(
    Draft202012Validator,
    {"formatMinimum": _format_minimum, "formatMaximum": _format_maximum, "notBeforeField": _not_before_field},
)


@lru_cache(maxsize=1)
def schema() -> dict[str, Any]:
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def _validator() -> Any:
    TdbValidator.check_schema(schema())
    return TdbValidator(schema(), format_checker=Draft202012Validator.FORMAT_CHECKER)


def enumeration(field: str) -> list[str]:
    """The allowed values of a field (for arrays: of its items)."""
    spec = schema()["properties"][field]
    return list(spec.get("enum") or spec["items"]["enum"])


def _field_of(error: ValidationError) -> str:
    if error.absolute_path:
        return str(error.absolute_path[0])
    if error.validator == "required":  # one error per missing field: "'puid' is a required property"
        return error.message.split("'")[1]
    if error.validator == "anyOf":  # none of the four kinds of restriction
        return "decision_visibility"
    if error.validator == "additionalProperties":
        extra = sorted(set(error.instance) - set(schema()["properties"]))
        return extra[0] if extra else "statement"
    return "statement"


def _message(error: ValidationError) -> str:
    kind, value = error.validator, error.validator_value
    if kind == "required":
        return "is required"
    if kind == "anyOf":
        return "at least one of decision_visibility, decision_monetary, decision_provision, decision_account is required"
    if kind == "additionalProperties":
        return "is not a field of the Transparency Database API"
    if kind == "enum":
        return f"{error.instance!r} is not one of the allowed values"
    if kind == "maxLength":
        return f"at most {value} characters, got {len(error.instance)}"
    if kind == "minLength":
        return "must not be empty"
    if kind == "minItems":
        return "must hold at least one value"
    if kind == "uniqueItems":
        return "must not repeat a value"
    if kind == "pattern" and _field_of(error) == "puid":
        return "only letters a-z A-Z, digits 0-9, '-' and '_' are allowed"
    if kind in ("pattern", "format") and "date" in _field_of(error):
        return f"must be a date YYYY-MM-DD, got {error.instance!r}"
    return error.message


def validate(statement: dict[str, Any]) -> list[FieldError]:
    """Every rule the statement breaks, one per field and rule, in field order."""
    errors = {(_field_of(e), _message(e)) for e in _validator().iter_errors(statement)}
    return [FieldError(f, m) for f, m in sorted(errors)]
