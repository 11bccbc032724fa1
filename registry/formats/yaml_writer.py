"""The entity model of any format, written as a document of the yaml language.

:func:`to_yaml` is what ``GET /project/{id}/entities?as=yaml`` answers with. The document
validates and gives back the same entities as far as the language can say them; whatever it
cannot say is left out and listed in comments at the top, so nothing is lost silently. Each type
expression is checked with the language's own parser before it is written, so a value the
language refuses (a SQL default such as ``now()`` on a timestamp) is dropped, not written broken.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from typing import Any

from registry.formats.yaml_expr import ENUM_OPTIONS, REF_NAME_RE, ExprError, parse
from registry.formats.yaml_hints import HINTS
from registry.formats.yaml_types import BOUNDS, SCALARS, interpret

PLAIN_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_\-]*")
# Plain words YAML 1.1 reads as something other than text.
YAML_WORDS = frozenset(["yes", "no", "true", "false", "on", "off", "null", "~", "y", "n"])
RAW_ENUM_VALUE = re.compile(r"[^\s,()'\"](?:[^,()'\"]*[^\s,()'\"])?")
INDENT = "  "
Lines = list[str]


def to_yaml(entities: Sequence[dict[str, Any]], *, source: str = "") -> str:
    """A yaml document with ``entities``; ``source`` names where they came from, for its header."""
    writer = _Writer(entities)
    body = writer.document()
    header = [f"# The entities of {source}, in the yaml format (docs/formats/yaml.md)."] if source else []
    if writer.notes:
        header.append("# Not expressible in yaml, so left out:")
        header.extend(f"#   {_comment(note)}" for note in writer.notes)
    return "\n".join([*header, *body]) + "\n"


class _Writer:
    def __init__(self, entities: Sequence[dict[str, Any]]) -> None:
        self.notes: list[str] = []
        self.entities: dict[str, dict[str, Any]] = {}
        for entity in entities:
            name = entity["name"]
            if name in self.entities:
                self.notes.append(f"{_qualified(entity)}: a second entity named {name!r}")
            elif not entity["fields"]:  # yaml has no entity without fields; references to it become json
                self.notes.append(f"{name}: an entity without fields")
            else:
                self.entities[name] = entity
        self._required_noted = False

    def document(self) -> Lines:
        lines: Lines = []
        for name, entity in self.entities.items():
            lines.append(f"{self._entity_key(name, entity)}:")
            relations = {r["field"]: r for r in entity.get("relations", ()) if isinstance(r, dict)}
            lines.extend(self._fields(entity["fields"], 1, name, relations, ""))
        return lines

    def _entity_key(self, name: str, entity: dict[str, Any]) -> str:
        options = []
        if isinstance(entity.get("count"), int):
            options.append(f"count={entity['count']}")
        if entity.get("closed") is True:
            options.append("closed")
        if entity.get("namespace"):
            self.notes.append(f"{name}: its namespace {entity['namespace']!r}")
        if not options:
            return _key(name, quote_parentheses=True)
        if not _plain(name):
            self.notes.append(f"{name}: count and closed (its name needs quotes, which take no arguments)")
            return _key(name, quote_parentheses=True)
        return f"{name}({', '.join(options)})"

    def _fields(
        self, fields: Iterable[dict[str, Any]], depth: int, path: str, relations: dict[str, Any], inner: str
    ) -> Lines:
        lines: Lines = []
        for field in fields:
            name = field["name"]
            where = f"{path}.{name}"
            field_inner = f"{inner}.{name}" if inner else name
            if field.get("required") is False and not self._required_noted:
                self._required_noted = True
                self.notes.append("fields that may be absent (required: false) are always present in yaml")
            value = self._value(field, where, relation=relations.get(field_inner), top=True)
            if isinstance(value, str):
                lines.append(f"{INDENT * depth}{_key(name)}: {_scalar(value)}")
            else:
                lines.append(f"{INDENT * depth}{_key(name)}:")
                lines.extend(self._block(value, depth + 1, where, relations, field_inner))
        return lines

    def _block(self, value: dict[str, Any], depth: int, where: str, relations: Any, inner: str) -> Lines:
        """A nested mapping (``value`` is an object type) or a block list of them."""
        if value["type"] == "object":
            return self._fields(value["fields"], depth, where, relations, inner)
        item = value["items"]
        nested = self._block(item, depth + 1, f"{where}[]", {}, inner)
        first = nested[0].lstrip()
        return [f"{INDENT * depth}- {first}", *nested[1:]]

    def _value(
        self, model: dict[str, Any], where: str, *, relation: Any = None, top: bool = False
    ) -> str | dict[str, Any]:
        """A type expression, or the object (or array of objects) model to write as a block."""
        kind = model.get("type")
        if kind == "object":
            if model.get("nullable"):
                self.notes.append(f"{where}: nullable (a nested mapping cannot be)")
            if model.get("closed"):
                self.notes.append(f"{where}: closed (only entities can be)")
            if not model.get("fields"):
                self.notes.append(f"{where}: an object without fields, written as json")
                return self._checked("json", [], model, where, top)
            return model
        if kind == "array":
            return self._array(model, where, top)
        if kind == "reference":
            return self._reference(model, where, relation, top)
        if kind == "enum":
            return self._enum(model, where, top)
        if kind not in SCALARS:
            self.notes.append(f"{where}: type {kind!r}, written as json")
            return self._checked("json", [], model, where, top)
        return self._checked(kind, self._scalar_args(model, kind, where), model, where, top)

    def _array(self, model: dict[str, Any], where: str, top: bool) -> str | dict[str, Any]:
        items = self._value(model.get("items") or {"type": "json"}, f"{where}[]")
        args = [f"{key}={model[key]}" for key in ("min_items", "max_items") if _count(model.get(key))]
        args += ["unique_items"] if model.get("unique_items") is True else []
        if not isinstance(items, str):
            if args or model.get("nullable") or "default" in model:
                self.notes.append(
                    f"{where}: array bounds, default and nullability (its items are nested mappings)"
                )
            return model
        if not args and not model.get("nullable") and "(" not in items and "default" not in model:
            return f"[{items}]"
        return self._checked("array", [items, *args], model, where, top)

    def _reference(self, model: dict[str, Any], where: str, relation: Any, top: bool) -> str:
        ref = str(model.get("ref", ""))
        if not self._resolvable(ref):
            self.notes.append(f"{where}: the reference to {ref!r}, written as json")
            return self._checked("json", [], model, where, top)
        args = self._flags(model)
        if isinstance(relation, dict) and _count(relation.get("min")) and _count(relation.get("max")):
            low, high = relation["min"], relation["max"]
            args.append(f"per={low}" if low == high else f"per={low}..{high}")
        return self._checked(f"${ref}", args, model, where, top)

    def _enum(self, model: dict[str, Any], where: str, top: bool) -> str:
        values = []
        for value in model.get("values", ()):
            written = _enum_value(str(value))
            if written is None:
                self.notes.append(f"{where}: the enum value {value!r}")
            else:
                values.append(written)
        if not values:
            self.notes.append(f"{where}: an enum without values yaml can write, written as string")
            return self._checked("string", [], model, where, top)
        return self._checked("enum", values + self._flags(model, enum=True), model, where, top)

    def _scalar_args(self, model: dict[str, Any], kind: str, where: str) -> list[str]:
        args: list[str] = []
        hint = model.get("hint")
        if isinstance(hint, str):
            if kind in HINTS.get(hint, ()):
                args.append(hint)
            else:
                self.notes.append(f"{where}: the hint {hint!r}")
        if kind == "decimal" and _count(model.get("precision")):
            args.append(str(model["precision"]))
            if _count(model.get("scale")):
                args.append(str(model["scale"]))
        for short, key in BOUNDS.items():
            if _number(model.get(key)):
                args.append(f"{short}={json.dumps(model[key])}")
        for key in ("bits", "min_length", "max_length"):
            if _count(model.get(key)):
                args.append(f"{key}={model[key]}")
        if isinstance(model.get("pattern"), str):
            quoted = _quoted(model["pattern"])
            if quoted is None:
                self.notes.append(f"{where}: its pattern (it holds both quote characters)")
            else:
                args.append(f"pattern={quoted}")
        return args + self._flags(model)

    def _flags(self, model: dict[str, Any], *, enum: bool = False) -> list[str]:
        flags = [flag for flag in ("unique", "primary_key") if model.get(flag) is True]
        return [f"{flag}=true" for flag in flags] if enum else flags

    def _checked(self, head: str, args: list[str], model: dict[str, Any], where: str, top: bool) -> str:
        """``head(args)?`` with the default, if the language takes it; else without what it refuses."""
        suffix = "?" if model.get("nullable") is True else ""
        default = _default(model) if "default" in model and head not in ("json", "array") else None
        if "default" in model and default is None:
            self.notes.append(f"{where}: its default {_short(model['default'])}")
        attempts = [[*args, f"default={default}"]] if default is not None else []
        attempts += [args, []]
        for attempt in attempts:
            text = f"{head}({', '.join(attempt)}){suffix}" if attempt else f"{head}{suffix}"
            try:
                interpret(parse(text), text, (), item=not top)
            except ExprError as exc:
                if attempt:
                    self.notes.append(f"{where}: {exc.message}")
                continue
            return text
        return f"json{suffix}"

    def _resolvable(self, ref: str) -> bool:
        entity, *steps = ref.split(".")
        if entity not in self.entities or not all(REF_NAME_RE.fullmatch(part) for part in ref.split(".")):
            return False
        fields = self.entities[entity]["fields"]
        for step in steps:
            found = next((f for f in fields if f.get("name") == step), None)
            if found is None:
                return False
            fields = found.get("fields", [])
        return True


def _default(model: dict[str, Any]) -> str | None:
    value = model["default"]
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return json.dumps(value)
    if isinstance(value, str):
        return _quoted(value)
    return None


def _quoted(text: str) -> str | None:
    """``text`` in quotes the expression parser reads back as exactly ``text``, if there are any."""
    if text.endswith("\\"):
        return None  # the backslash would keep the closing quote from closing
    for quote in ("'", '"'):
        if quote not in text:
            return f"{quote}{text}{quote}"
    return None


def _enum_value(value: str) -> str | None:
    head = value.split("=", 1)[0].strip()
    if RAW_ENUM_VALUE.fullmatch(value) and not ("=" in value and head in ENUM_OPTIONS):
        return value
    return _quoted(value) if value else None


def _plain(name: str) -> bool:
    return bool(PLAIN_KEY.fullmatch(name)) and name.lower() not in YAML_WORDS


def _key(name: str, *, quote_parentheses: bool = False) -> str:
    if _plain(name) and not (quote_parentheses and "(" in name):
        return name
    return json.dumps(name, ensure_ascii=False)  # a JSON string is a YAML double-quoted scalar


def _scalar(expression: str) -> str:
    """``expression`` as a YAML scalar: plain where YAML reads it back as written, else quoted."""
    if expression.startswith("[") and "(" not in expression:
        return expression  # the one-item list form, `[string]`, `[[number]]`: YAML's own flow list
    risky = " #" in expression or ": " in expression or expression.endswith(":") or "\t" in expression
    if risky or expression[0] in "!&*{}[]|>'\"%@`#,?:-":
        return "'" + expression.replace("'", "''") + "'"
    return expression


def _count(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _qualified(entity: dict[str, Any]) -> str:
    namespace = entity.get("namespace")
    return f"{namespace}.{entity['name']}" if namespace else str(entity["name"])


def _short(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 60 else text[:57] + "..."


def _comment(note: str) -> str:
    return "".join(char if char.isprintable() else " " for char in note)
