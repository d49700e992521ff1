"""The METADATA annotations of a bundle's rules, read the way OPA reads them.

An annotation is a comment block that starts with ``# METADATA`` and holds
YAML (title, description, entrypoint, custom); it belongs to the rule or
package statement right below it. The policies name in ``custom.clauses``
the clause IDs a rule can cite. OPA itself exposes annotations only to the
policy (``rego.metadata.rule()``) or through ``opa inspect``, neither of
which the embedded engine offers, so they are read here from the module
text, by the same rule: the comment block directly above a statement.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Mapping

import yaml

_NAME = re.compile(r"^(?:default\s+)?([A-Za-z_][A-Za-z0-9_]*)")
_PACKAGE = re.compile(r"^package\s+([\w.]+)", re.MULTILINE)


@dataclass(frozen=True)
class Annotation:
    path: str            # module path in the bundle
    package: str         # e.g. verdict.pi
    rule: str            # rule name; "" for a package annotation
    row: int             # 1-based row of the statement it belongs to
    title: str = ""
    description: str = ""
    entrypoint: bool = False
    clauses: tuple[str, ...] = field(default_factory=tuple)

    @property
    def ref(self) -> str:
        return f"data.{self.package}.{self.rule}" if self.rule else f"data.{self.package}"


class AnnotationError(ValueError):
    """A METADATA block is not valid YAML."""


def module_annotations(path: str, source: str) -> list[Annotation]:
    package_match = _PACKAGE.search(source)
    package = package_match.group(1) if package_match else ""
    lines = source.splitlines()
    found: list[Annotation] = []
    i = 0
    while i < len(lines):
        if lines[i].strip() != "# METADATA":
            i += 1
            continue
        block: list[str] = []
        i += 1
        while i < len(lines) and lines[i].lstrip().startswith("#"):
            text = lines[i].lstrip()[1:]
            block.append(text[1:] if text.startswith(" ") else text)
            i += 1
        try:
            doc: Any = yaml.safe_load("\n".join(block)) or {}
        except yaml.YAMLError as exc:
            raise AnnotationError(f"{path}:{i}: METADATA is not valid YAML: {exc}") from None
        statement = lines[i] if i < len(lines) else ""
        name = "" if statement.startswith("package ") else ((_NAME.match(statement) or [None, ""])[1])
        custom = doc.get("custom") or {}
        found.append(Annotation(
            path=path, package=package, rule=name, row=i + 1, title=str(doc.get("title", "")),
            description=str(doc.get("description", "")).strip(), entrypoint=bool(doc.get("entrypoint", False)),
            clauses=tuple(str(c) for c in (custom.get("clauses") or [])),
        ))
    return found


def bundle_annotations(modules: Mapping[str, str]) -> dict[tuple[str, str], Annotation]:
    """(module path, rule name) -> the rule's annotation, for every annotated rule."""
    out: dict[tuple[str, str], Annotation] = {}
    for path, source in modules.items():
        for annotation in module_annotations(path, source):
            if annotation.rule:
                out[(path, annotation.rule)] = annotation
    return out
