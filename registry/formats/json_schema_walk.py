"""A schema-aware walk of a JSON Schema: identifiers, anchors, references and keywords.

Only keywords whose values are schemas are descended into, so data inside ``enum``, ``const``,
``default`` or ``examples`` is never mistaken for a schema.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote, urldefrag, urljoin

from registry.formats.json_positions import PathKey

# Where a document without `$id` lives, for resolving its relative references. Hierarchical
# (so urljoin works) and under a reserved name (.invalid, RFC 2606), so it never matches a real URL.
DOCUMENT_BASE = "https://document.invalid/schema.json"

SCHEMA_MAPS = frozenset({"properties", "patternProperties", "$defs", "definitions", "dependentSchemas"})
SCHEMA_VALUES = frozenset(
    {
        "additionalProperties",
        "additionalItems",
        "unevaluatedItems",
        "unevaluatedProperties",
        "contains",
        "propertyNames",
        "not",
        "if",
        "then",
        "else",
        "contentSchema",
    }
)
SCHEMA_ARRAYS = frozenset({"allOf", "anyOf", "oneOf", "prefixItems"})
ANNOTATIONS = frozenset(
    {
        "$schema",
        "$id",
        "$anchor",
        "$dynamicAnchor",
        "$recursiveAnchor",
        "$vocabulary",
        "$comment",
        "title",
        "description",
        "default",
        "examples",
        "deprecated",
        "readOnly",
        "writeOnly",
        "contentMediaType",
        "contentEncoding",
        "definitions",
        "$defs",
        "then",
        "else",
        "contentSchema",
    }
)
FORMATS = frozenset(
    {
        "date-time", "date", "time", "duration", "email", "idn-email", "hostname", "idn-hostname",
        "ipv4", "ipv6", "uri", "uri-reference", "iri", "iri-reference", "uuid", "uri-template",
        "json-pointer", "relative-json-pointer", "regex",
    }
)  # fmt: skip


@dataclass(frozen=True)
class Ref:
    target: str  # absolute URI, fragment included
    written: str
    path: PathKey


@dataclass
class Walk:
    """What the walk found, for reference resolution and warnings."""

    draft4: bool
    keywords: frozenset[str]
    # Resource URI (no fragment) -> its schema and path.
    resources: dict[str, tuple[Any, PathKey]] = field(default_factory=dict)
    anchors: dict[tuple[str, str], PathKey] = field(default_factory=dict)
    refs: list[Ref] = field(default_factory=list)
    patterns: list[tuple[str, PathKey]] = field(default_factory=list)
    unknown_keywords: dict[str, PathKey] = field(default_factory=dict)
    unknown_formats: dict[str, PathKey] = field(default_factory=dict)

    def run(self, root: Any) -> None:
        self.resources[DOCUMENT_BASE] = (root, ())
        stack: list[tuple[Any, PathKey, str]] = [(root, (), DOCUMENT_BASE)]
        while stack:
            schema, path, base = stack.pop()
            if isinstance(schema, dict):
                base = self._identify(schema, path, base)
                self._keywords(schema, path, base)
                stack.extend((sub, sub_path, base) for sub, sub_path in _subschemas(schema, path))

    def _identify(self, schema: dict[str, Any], path: PathKey, base: str) -> str:
        id_keyword = "id" if self.draft4 else "$id"
        ident = schema.get(id_keyword)
        if isinstance(ident, str):
            uri, fragment = urldefrag(_join(base, ident))
            if uri and uri != base:
                base = uri
                self.resources.setdefault(uri, (schema, path))
            if fragment:  # drafts 4-7: "$id": "#name" is a plain-name anchor
                self.anchors.setdefault((base, fragment), path)
        for keyword in ("$anchor", "$dynamicAnchor"):
            anchor = schema.get(keyword)
            if isinstance(anchor, str):
                self.anchors.setdefault((base, anchor), path)
        return base

    def _keywords(self, schema: dict[str, Any], path: PathKey, base: str) -> None:
        for keyword in ("$ref", "$dynamicRef"):
            ref = schema.get(keyword)
            if isinstance(ref, str):
                self.refs.append(Ref(_join(base, ref), ref, (*path, keyword)))
        fmt = schema.get("format")
        if isinstance(fmt, str) and fmt not in FORMATS:
            self.unknown_formats.setdefault(fmt, (*path, "format"))
        patterns = schema.get("patternProperties")
        if self.draft4 and isinstance(patterns, dict):
            self.patterns.extend((key, (*path, "patternProperties", key)) for key in patterns)
        for keyword in schema:
            if keyword not in self.keywords and keyword not in ANNOTATIONS:
                self.unknown_keywords.setdefault(keyword, (*path, keyword))


def _subschemas(schema: dict[str, Any], path: PathKey) -> list[tuple[Any, PathKey]]:
    found: list[tuple[Any, PathKey]] = []
    for keyword, value in schema.items():
        if keyword in SCHEMA_MAPS or (keyword == "dependencies" and isinstance(value, dict)):
            if isinstance(value, dict):
                found.extend((sub, (*path, keyword, name)) for name, sub in value.items())
        elif keyword in SCHEMA_VALUES or (keyword == "items" and not isinstance(value, list)):
            found.append((value, (*path, keyword)))
        elif (keyword in SCHEMA_ARRAYS or keyword == "items") and isinstance(value, list):
            found.extend((sub, (*path, keyword, index)) for index, sub in enumerate(value))
    return found


def _join(base: str, reference: str) -> str:
    """``urljoin``, which leaves a fragment-only reference alone against a base it cannot join
    (``urn:...``, ``tag:...``): there the fragment belongs to the base document."""
    joined = urljoin(base, reference)
    if joined == reference and reference.startswith("#") and base:
        return urldefrag(base)[0] + reference
    return joined


def resolve_pointer(document: Any, fragment: str) -> tuple[bool, str]:
    """Follow a JSON pointer fragment; ``(True, "")`` or ``(False, the part that is missing)``."""
    node = document
    done = ""
    for raw in fragment.split("/")[1:]:
        part = unquote(raw).replace("~1", "/").replace("~0", "~")
        done += "/" + raw
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and part.isascii() and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            return False, done
    return True, ""
