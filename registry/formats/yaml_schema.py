"""The data-generation schema language (YAML): entities -> fields -> types.

See docs/formats/yaml.md. Validation works on the composed node graph rather than on loaded
Python objects, so every problem is reported at the line and column of the node that causes it.
"""

from __future__ import annotations

import re
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from registry.formats.base import Problems, ValidationResult, entity_model, field_model
from registry.formats.limits import DEFAULT_LIMITS, Limits
from registry.formats.yaml_entity_options import entity_options
from registry.formats.yaml_expr import ExprError, TypeExpr, parse
from registry.formats.yaml_flow import rejoin_flow
from registry.formats.yaml_loader import compose_single, duplicate_keys, expand_merges
from registry.formats.yaml_refs import Reference, References
from registry.formats.yaml_types import Typed, interpret

NULL_TAG = "tag:yaml.org,2002:null"
ARGUMENT_COLON = re.compile(r"\w:(\s|$)")
ENTITY_HEAD = "entity"  # stands in for the name while an entity key's arguments are parsed


def _at(node: Node) -> tuple[int, int]:
    return node.start_mark.line + 1, node.start_mark.column + 1


def _at_offset(node: ScalarNode, offset: int) -> tuple[int, int]:
    """Where the character ``offset`` into a scalar's (stripped) value is, when that is knowable:
    a one-line plain scalar, or a one-line quoted one without escapes; else the scalar's start."""
    line, column = _at(node)
    value = str(node.value)
    if node.start_mark.line != node.end_mark.line:
        return line, column
    lead = len(value) - len(value.lstrip())
    if not node.style:
        return line, column + lead + offset
    if node.style in ("'", '"') and node.end_mark.column - node.start_mark.column == len(value) + 2:
        return line, column + 1 + lead + offset
    return line, column


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
    rejoin_flow(root, text)
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
    checker = _Checker(problems, root)
    entities = checker.entities(root)
    checker.references.resolve()
    return problems.result(entities)


def _compose(text: str, limits: Limits, problems: Problems) -> Node | None:
    try:
        root = compose_single(text, limits)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        message = exc.problem or exc.context or "invalid YAML"
        if "expected a single document" in (exc.context or ""):
            message = "only one YAML document is allowed (found a second one)"
        elif mark and _colon_in_arguments(text, mark):
            message += "; inside type arguments write name=value (integer(min=18)), not name: value"
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


def _colon_in_arguments(text: str, mark: yaml.Mark) -> bool:
    """Whether the line of a syntax error has ``name: `` inside an unclosed '(' before the error:
    YAML took ``integer(min: 18)`` for a mapping, and the fix is ``min=18``."""
    lines = text.split("\n", mark.line + 1)
    before = lines[mark.line][: mark.column + 1] if mark.line < len(lines) else ""
    opened = before.rfind("(")
    return (
        opened >= 0 and before.count("(") > before.count(")") and bool(ARGUMENT_COLON.search(before, opened))
    )


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

    def __init__(self, problems: Problems, root: MappingNode) -> None:
        self.problems = problems
        self.models: dict[str, dict[str, Any]] = {}
        self.references = References(problems, self.models)
        self._relations: list[dict[str, Any]] = []  # of the entity being read
        # Entity names, for "did you mean '$Customer'?" before every entity has been read.
        self.names = {
            str(key.value).partition("(")[0].strip() for key, _ in root.value if isinstance(key, ScalarNode)
        }

    def entities(self, root: MappingNode) -> list[dict[str, Any]]:
        result: list[dict[str, Any]] = []
        tags: dict[str, str] = {}
        keys: dict[str, Node] = {}  # name -> its first key: `A:` and `A(count=3):` are one entity twice
        for key, value in root.value:
            named = self._entity_name(key)
            if named is None or self._named_again(named[0], key, keys):
                continue
            if self._again(named[0], key, tags, "entity", named[0]):
                continue
            name, options = named
            if not isinstance(value, MappingNode):
                kind = "a list" if isinstance(value, SequenceNode) else f"{value.value!r}"
                self.problems.error(
                    f"entity {name!r} must be a mapping of field names to types, not {kind}",
                    *_at(value),
                    name,
                )
                continue
            self._relations = []
            fields = self._fields(value, name, "")
            entity = entity_model(name, fields)
            entity.update(zip(("line", "column"), _at(key), strict=True))
            entity.update(options)
            if self._relations:
                entity["relations"] = self._relations
            self.models[name] = entity
            result.append(entity)
        return result

    def _entity_name(self, key: Node) -> tuple[str, dict[str, Any]] | None:
        """An entity key's name and options: ``Customer(count=100)`` when written plain."""
        name = self._name(key, "entity")
        if name is None or not isinstance(key, ScalarNode) or key.style or "(" not in name:
            return None if name is None else (name, {})
        cut = name.index("(")
        try:
            options = entity_options(parse(ENTITY_HEAD + name[cut:]))
        except ExprError as exc:
            at = _at_offset(key, max(exc.offset - len(ENTITY_HEAD), 0) + cut)
            self.problems.error(exc.message, *at, name[:cut].strip())
            return None
        if not name[:cut].strip():
            self.problems.error("entity names must be non-empty plain scalars", *_at(key))
            return None
        return name[:cut].strip(), options

    def _named_again(self, name: str, key: Node, keys: dict[str, Node]) -> bool:
        first = keys.setdefault(name, key)
        if first is key or first.value == key.value:
            return False  # the same key twice is the loader's duplicate, already reported
        self.problems.error(
            f"entity {name!r} is defined twice (first on line {first.start_mark.line + 1})", *_at(key), name
        )
        return True

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

    def _fields(self, mapping: MappingNode, path: str, inner: str) -> list[dict[str, Any]]:
        """The fields of an entity or nested object at ``path`` (``inner``: the path below the entity)."""
        if not mapping.value:
            self.problems.error(f"{path!r} has no fields", *_at(mapping), path)
        fields: list[dict[str, Any]] = []
        tags: dict[str, str] = {}
        for key, value in mapping.value:
            name = self._name(key, "field")
            if name is None or self._again(name, key, tags, "field", f"{path}.{name}"):
                continue
            if mapping.flow_style and name.count("(") > name.count(")"):
                # `[integer(min: 18)]`: YAML read `integer(min` as a key.
                self.problems.error(
                    f"{name!r} opens a '(' that YAML split off at ': '; inside type arguments write "
                    "name=value (integer(min=18)), not name: value",
                    *_at(key),
                    f"{path}.{name}",
                )
                continue
            field_path = f"{inner}.{name}" if inner else name
            typed = self._type(value, f"{path}.{name}", name, field_path)
            if typed is None:
                continue
            type_ = typed.model.pop("type")
            line, column = _at(key)
            fields.append(
                field_model(
                    name,
                    type_,
                    nullable=typed.nullable,
                    primary_key=typed.primary_key,
                    **typed.model,
                    line=line,
                    column=column,
                )
            )
        return fields

    def _type(self, node: Node, path: str, name: str, inner: str) -> Typed | None:
        if isinstance(node, MappingNode):
            return Typed({"type": "object", "source_type": None, "fields": self._fields(node, path, inner)})
        if isinstance(node, SequenceNode):
            if len(node.value) != 1:
                self.problems.error(
                    "an array type is a list with exactly one item (its element type), "
                    f"found {len(node.value)}",
                    *_at(node),
                    path,
                )
                return None
            items = self._type(node.value[0], f"{path}[]", name, inner)
            if items is None:
                return None
            if items.primary_key or items.per is not None:
                self.problems.error(
                    "primary_key and per apply to a field, not to array items", *_at(node), path
                )
                return None
            if items.nullable:
                items.model["nullable"] = True
            return Typed({"type": "array", "source_type": None, "items": items.model})
        assert isinstance(node, ScalarNode)
        if node.tag == NULL_TAG or not str(node.value).strip():
            self.problems.error(f"field {name!r} has no type", *_at(node), path)
            return None
        return self._expression(node, path, inner)

    def _expression(self, node: ScalarNode, path: str, inner: str) -> Typed | None:
        text = str(node.value).strip()
        try:
            expr: TypeExpr = parse(text)
            typed = interpret(expr, text, self.names)
        except ExprError as exc:
            self.problems.error(exc.message, *_at_offset(node, exc.offset), path)
            return None
        for target, offset in typed.refs:
            self.references.references.append(Reference(target, node, path, _at_offset(node, offset)))
        if typed.per is not None:
            low, high = typed.per
            self._relations.append({"field": inner, "ref": typed.model["ref"], "min": low, "max": high})
        return typed
