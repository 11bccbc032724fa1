"""The data-generation schema language (YAML): entities -> fields -> types.

See docs/formats/yaml.md. Validation works on the composed node graph rather than on loaded
Python objects, so every problem is reported at the line and column of the node that causes it.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from registry.formats.base import Problems, ValidationResult, entity_model, field_model
from registry.formats.limits import DEFAULT_LIMITS, Limits
from registry.formats.yaml_loader import compose_single, duplicate_keys, expand_merges

SCALAR_TYPES = ("string", "number", "boolean")
KNOWN_TYPES = (
    "string, number, boolean, enum(a, b, ...), $Entity, $Entity.field, a nested mapping, a one-item list"
)
NULL_TAG = "tag:yaml.org,2002:null"
ENUM_RE = re.compile(r"enum\s*\((?P<body>.*)\)", re.DOTALL)
REF_RE = re.compile(r"\$(?P<entity>[^\s.$]+)(?P<path>(?:\.[^\s.$]+)*)")


@dataclass(frozen=True)
class Reference:
    target: str
    node: Node
    path: str


def _at(node: Node) -> tuple[int, int]:
    return node.start_mark.line + 1, node.start_mark.column + 1


def validate(text: str, *, dialect: str | None = None, limits: Limits = DEFAULT_LIMITS) -> ValidationResult:
    """Validate a data-generation schema and extract its entities."""
    problems = Problems(limits)
    root = _compose(text, limits, problems)
    if root is None:
        return problems.result()
    if not isinstance(root, MappingNode):
        kind = "a list" if isinstance(root, SequenceNode) else "a scalar"
        problems.error(f"the document must be a mapping of entity names to fields, not {kind}", *_at(root))
        return problems.result()
    _report_duplicates(root, problems)
    try:
        expand_merges(root)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        problems.error(
            exc.problem or "invalid merge key",
            mark.line + 1 if mark else None,
            mark.column + 1 if mark else None,
        )
        return problems.result()
    checker = _Checker(problems)
    entities = checker.entities(root)
    checker.resolve()
    return problems.result(entities)


def _compose(text: str, limits: Limits, problems: Problems) -> Node | None:
    try:
        root = compose_single(text, limits)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        message = exc.problem or exc.context or "invalid YAML"
        if "expected a single document" in (exc.context or ""):
            message = "only one YAML document is allowed (found a second one)"
        problems.error(message, mark.line + 1 if mark else None, mark.column + 1 if mark else None)
        return None
    except yaml.reader.ReaderError as exc:
        line = text.count("\n", 0, exc.position) + 1
        column = exc.position - (text.rfind("\n", 0, exc.position) + 1) + 1
        problems.error(f"invalid character: {exc.reason}", line, column)
        return None
    except yaml.YAMLError as exc:
        problems.error(f"invalid YAML: {exc}", 1, 1)
        return None
    if root is None:
        problems.error("the document is empty; it must define at least one entity", 1, 1)
    return root


def _report_duplicates(root: Node, problems: Problems) -> None:
    seen: set[int] = set()
    stack: list[tuple[Node, str]] = [(root, "")]  # (node, its path, as the checker writes paths)
    while stack:
        node, path = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, MappingNode):
            for key, first in duplicate_keys(node):
                problems.error(
                    f"duplicate key {key.value!r} (first defined on line {first.start_mark.line + 1})",
                    *_at(key),
                    _joined(path, key),
                )
            # Pushed in reverse so nodes are visited in document order: an anchored node is then
            # reached first where it is defined, not through a later alias or merge key.
            stack.extend(
                (part, _joined(path, key)) for key, value in reversed(node.value) for part in (value, key)
            )
        elif isinstance(node, SequenceNode):
            stack.extend((item, f"{path}[]") for item in reversed(node.value))


def _joined(path: str, key: Node) -> str:
    name = str(key.value) if isinstance(key, ScalarNode) else "?"
    return f"{path}.{name}" if path else name


class _Checker:
    """Walks entities and fields, building the entity model and collecting references."""

    def __init__(self, problems: Problems) -> None:
        self.problems = problems
        self.models: dict[str, dict[str, Any]] = {}
        self.references: list[Reference] = []
        # Field lists by name, for references: thousands of $E.f into one big entity must not
        # each scan its fields. Keyed by id, holding the list itself so an id cannot be reused.
        self._by_name: dict[int, tuple[list[dict[str, Any]], dict[str, dict[str, Any]]]] = {}
        self._reaches: dict[str, bool] = {}  # field reference -> whether it ends at a type
        self._next: dict[str, str | None] = {}  # field reference -> the field reference it names

    def entities(self, root: MappingNode) -> list[dict[str, Any]]:
        result: list[dict[str, Any]] = []
        tags: dict[str, str] = {}
        for key, value in root.value:
            name = self._name(key, "entity")
            if name is None or self._again(name, key, tags, "entity", name):
                continue
            if not isinstance(value, MappingNode):
                kind = "a list" if isinstance(value, SequenceNode) else f"{value.value!r}"
                self.problems.error(
                    f"entity {name!r} must be a mapping of field names to types, not {kind}",
                    *_at(value),
                    name,
                )
                continue
            fields = self._fields(value, name)
            entity = entity_model(name, fields)
            self.models[name] = entity
            result.append(entity)
        return result

    def _again(self, name: str, key: Node, tags: dict[str, str], what: str, path: str) -> bool:
        """Whether ``name`` was seen before in this mapping (``tags``: name -> its key's tag).

        Keys equal as YAML values are reported as duplicates by the loader; ``1`` and ``'1'``
        are different YAML keys but one name, and the second must not vanish silently.
        """
        first = tags.get(name)
        if first is None:
            tags[name] = key.tag
            return False
        if first != key.tag:
            self.problems.error(
                f"{what} {name!r} is named twice, once not as a string (quote both, or rename one)",
                *_at(key),
                path,
            )
        return True

    def _name(self, key: Node, what: str) -> str | None:
        if not isinstance(key, ScalarNode) or key.tag == NULL_TAG or not str(key.value).strip():
            self.problems.error(f"{what} names must be non-empty plain scalars", *_at(key))
            return None
        return str(key.value)

    def _fields(self, mapping: MappingNode, path: str) -> list[dict[str, Any]]:
        if not mapping.value:
            self.problems.error(f"{path!r} has no fields", *_at(mapping), path)
        fields: list[dict[str, Any]] = []
        tags: dict[str, str] = {}
        for key, value in mapping.value:
            name = self._name(key, "field")
            if name is None or self._again(name, key, tags, "field", f"{path}.{name}"):
                continue
            model = self._type(value, f"{path}.{name}", name)
            if model is not None:
                type_ = model.pop("type")
                fields.append(field_model(name, type_, nullable=False, **model))
        return fields

    def _type(self, node: Node, path: str, name: str) -> dict[str, Any] | None:
        if isinstance(node, MappingNode):
            return {"type": "object", "source_type": None, "fields": self._fields(node, path)}
        if isinstance(node, SequenceNode):
            if len(node.value) != 1:
                self.problems.error(
                    "an array type is a list with exactly one item (its element type), "
                    f"found {len(node.value)}",
                    *_at(node),
                    path,
                )
                return None
            items = self._type(node.value[0], f"{path}[]", name)
            return None if items is None else {"type": "array", "source_type": None, "items": items}
        assert isinstance(node, ScalarNode)
        if node.tag == NULL_TAG or not str(node.value).strip():
            self.problems.error(f"field {name!r} has no type", *_at(node), path)
            return None
        return self._scalar_type(str(node.value).strip(), node, path)

    def _scalar_type(self, text: str, node: Node, path: str) -> dict[str, Any] | None:
        if text in SCALAR_TYPES:
            return {"type": text, "source_type": text}
        enum = ENUM_RE.fullmatch(text)
        if enum:
            values = self._enum_values(enum.group("body"), node, path)
            return None if values is None else {"type": "enum", "source_type": text, "values": values}
        ref = REF_RE.fullmatch(text)
        if ref:
            target = text[1:]
            self.references.append(Reference(target, node, path))
            return {"type": "reference", "source_type": text, "ref": target}
        self.problems.error(f"unknown type {text!r}; known types: {KNOWN_TYPES}", *_at(node), path)
        return None

    def _enum_values(self, body: str, node: Node, path: str) -> list[str] | None:
        if not body.strip():
            self.problems.error("enum() needs at least one value", *_at(node), path)
            return None
        values = [_unquote(part.strip()) for part in _enum_parts(body)]
        if any(not value for value in values):
            self.problems.error("enum has an empty value", *_at(node), path)
            return None
        duplicates = sorted(value for value, count in Counter(values).items() if count > 1)
        if duplicates:
            self.problems.error(f"enum repeats values: {', '.join(duplicates)}", *_at(node), path)
            return None
        return values

    def resolve(self) -> None:
        """Every reference must name an entity of this document, and a field path inside it."""
        for ref in self.references:
            entity, *steps = ref.target.split(".")
            if entity not in self.models:
                known = ", ".join(sorted(self.models)) or "none"
                self.problems.error(
                    f"reference ${ref.target} names an undefined entity {entity!r} (entities: {known})",
                    *_at(ref.node),
                    ref.path,
                )
                continue
            fields = self.models[entity]["fields"]
            _, missing = self._descend(fields, steps)
            if missing is not None:
                *through, last = missing.split(".")
                parent = self._descend(fields, through)[0] if through else None
                message = f"{entity!r} has no field path {missing!r}"
                scalar = (
                    parent is not None and parent["type"] != "reference" and not self._inner_fields(parent)
                )
                if parent is not None and scalar:  # a path through a scalar
                    where = ".".join([entity, *through])
                    kind = parent["type"]
                    article = "an" if kind[0] in "aeiou" else "a"
                    message = f"{where!r} is {article} {kind} field, so it has no field {last!r}"
                self.problems.error(f"reference ${ref.target}: {message}", *_at(ref.node), ref.path)
                continue
            self._check_reaches_a_type(ref)

    def _check_reaches_a_type(self, ref: Reference) -> None:
        """A field that takes its type from a field that takes it from ... must end at a type:
        ``A.x: $A.x``, or ``A.x: $B.y`` with ``B.y: $A.x``, has none to generate.

        Targets already followed are remembered (``_reaches``), so long chains cost their length
        once, not once per reference into them.
        """
        chain: list[str] = []
        on_chain: set[str] = set()
        target: str | None = ref.target
        while target is not None and target not in self._reaches and target not in on_chain:
            chain.append(target)
            on_chain.add(target)
            model = self._field(target)
            is_field_ref = model is not None and model["type"] == "reference" and "." in model["ref"]
            self._next[target] = model["ref"] if model is not None and is_field_ref else None
            target = self._next[target]
        ends = target is None or self._reaches.get(target, False)
        for seen in chain:
            self._reaches[seen] = ends
        if not ends:  # came round (target on the chain), or into a chain known to come round
            self.problems.error(
                f"reference ${ref.target} never reaches a type: {self._round(ref.target)}",
                *_at(ref.node),
                ref.path,
            )

    def _round(self, start: str, most: int = 10) -> str:
        """The way ``start`` comes round (``$A.x -> $B.y -> $A.x``), at most ``most`` steps shown."""
        steps, seen = [start], {start}
        while len(steps) <= most:
            following = self._next.get(steps[-1])
            if following is None:
                break
            steps.append(following)
            if following in seen:
                return " -> ".join(f"${step}" for step in steps)
            seen.add(following)
        return " -> ".join(f"${step}" for step in steps) + " -> ..."

    def _field(self, target: str) -> dict[str, Any] | None:
        """The field model ``$Entity.field.path`` names, or None (an entity, or nothing)."""
        entity, *steps = target.split(".")
        if entity not in self.models or not steps:
            return None
        return self._descend(self.models[entity]["fields"], steps)[0]

    def _descend(
        self, fields: list[dict[str, Any]], steps: list[str]
    ) -> tuple[dict[str, Any] | None, str | None]:
        """(the field ``steps`` lead to, None), or (None, the part of the path that is missing)."""
        done: list[str] = []
        found = None
        for step in steps:
            done.append(step)
            found = self._named_fields(fields).get(step)
            if found is None:
                return None, ".".join(done)
            fields = self._inner_fields(found)
        return found, None

    def _named_fields(self, fields: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
        cached = self._by_name.get(id(fields))
        if cached is None or cached[0] is not fields:
            names: dict[str, dict[str, Any]] = {}
            for field in fields:
                names.setdefault(field["name"], field)  # the first of a name, as a scan found it
            cached = self._by_name[id(fields)] = (fields, names)
        return cached[1]

    def _inner_fields(self, model: dict[str, Any]) -> list[dict[str, Any]]:
        # Paths continue through nested objects, array elements and whole-entity references.
        for _ in range(64):
            if model["type"] == "array":
                model = model["items"]
            elif model["type"] == "reference" and "." not in model["ref"] and model["ref"] in self.models:
                fields: list[dict[str, Any]] = self.models[model["ref"]]["fields"]
                return fields  # the model's own list (read only): cached field maps key on it
            else:
                break
        inner: list[dict[str, Any]] = model.get("fields", _NO_FIELDS)
        return inner


_NO_FIELDS: list[dict[str, Any]] = []


def _enum_parts(body: str) -> list[str]:
    """``enum(...)``'s values, split at commas outside quoted values.

    A quote opens a quoted value only at the value's start (``"a,b"`` is one value, ``don't`` is
    text); inside one, a backslash escapes the next character.
    """
    parts: list[str] = []
    current: list[str] = []
    quote, escaped = "", False
    for char in body:
        if quote:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == quote:
                quote = ""
        elif char in "'\"" and not "".join(current).strip():
            quote = char
        elif char == ",":
            parts.append("".join(current))
            current = []
            continue
        current.append(char)
    parts.append("".join(current))
    return parts


def _unquote(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
        return value[1:-1]
    return value
