"""What a round trip through the yaml language must keep: the part of the model yaml can say.

``assert_same_entities(before, after, text)`` compares the entities a document was written from
with those it gives back, on the keys yaml can say for each type (a reference says no
``max_length``: its target does), and allows a difference only where the document's header
declares it (``#   Entity.field: ...``), so nothing is ever lost silently.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from registry.formats.yaml_hints import HINTS
from registry.formats.yaml_types import ARGUMENTS, BOUNDS

CORE_KEYS = ("name", "type", "nullable", "primary_key", "ref", "values")
ENTITY_KEYS = ("count", "closed", "relations")
Model = dict[str, Any]


def model_keys(kind: str) -> set[str]:
    """The entity-model keys a yaml type ``kind`` can carry, beside the core ones."""
    arguments = ARGUMENTS.get("reference" if kind == "reference" else kind, frozenset())
    keys = {BOUNDS.get(name, name) for name in arguments} - {"per", "primary_key"}
    return keys | ({"items"} if kind == "array" else set()) | ({"fields"} if kind == "object" else set())


def sayable(model: Model) -> Model:
    """One field (or items type) reduced to what yaml can say of it."""
    kind = model.get("type", "")
    out = {k: model[k] for k in (*CORE_KEYS, *model_keys(kind)) if k in model}
    if kind == "object":
        out.pop("nullable", None)  # never nullable in yaml; the writer declares it when it was
    if "hint" in out and kind not in HINTS.get(str(out["hint"]), ()):
        del out["hint"]
    return out


def differences(before: Model, after: Model, path: str) -> list[tuple[str, str]]:
    """(path, key) of every sayable key that differs between two fields or items types."""
    found: list[tuple[str, str]] = []
    old, new = sayable(before), sayable(after)
    for key in sorted(set(old) | set(new)):
        if key == "items" and key in old and key in new:
            found += differences(old[key], new[key], f"{path}[]")
        elif key == "fields" and key in old and key in new:
            found += field_differences(old[key], new[key], path)
        elif old.get(key) != new.get(key):
            found.append((path, key))
    return found


def field_differences(before: Sequence[Model], after: Sequence[Model], path: str) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    later = {f["name"]: f for f in after}
    for field in before:
        where = f"{path}.{field['name']}"
        if field["name"] not in later:
            found.append((where, "field"))
        else:
            found += differences(field, later[field["name"]], where)
    return found + [(f"{path}.{name}", "field") for name in later.keys() - {f["name"] for f in before}]


def assert_same_entities(before: Sequence[Model], after: Sequence[Model], text: str) -> None:
    notes = [line for line in text.splitlines() if line.startswith("#   ")]
    found: list[tuple[str, str]] = []
    later = {e["name"]: e for e in after}
    for entity in before:
        if entity["name"] not in later:
            found.append((entity["name"], "entity"))
            continue
        again = later[entity["name"]]
        found += [(entity["name"], k) for k in ENTITY_KEYS if entity.get(k) != again.get(k)]
        found += field_differences(entity["fields"], again["fields"], entity["name"])
    undeclared = [(path, key) for path, key in found if not any(n.startswith(f"#   {path}:") for n in notes)]
    assert not undeclared, (undeclared, text)
