"""References of the yaml language: every ``$Entity.path`` must lead to a field that has a type.

Split from :mod:`registry.formats.yaml_schema` so the walk over entities and the resolution of
references stay small enough to read.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Any

from yaml.nodes import Node

from registry.formats.base import Problems
from registry.formats.yaml_types import MAX_SUGGESTED_ENTITIES


@dataclass(frozen=True)
class Reference:
    target: str
    node: Node
    path: str
    at: tuple[int, int]  # line and column of the reference itself


class References:
    """Resolves the references of one document against its entity models."""

    def __init__(self, problems: Problems, models: dict[str, dict[str, Any]]) -> None:
        self.problems = problems
        self.models = models
        self.references: list[Reference] = []
        # Field lists by name, for references: thousands of $E.f into one big entity must not
        # each scan its fields. Keyed by id, holding the list itself so an id cannot be reused.
        self._by_name: dict[int, tuple[list[dict[str, Any]], dict[str, dict[str, Any]]]] = {}
        self._reaches: dict[str, bool] = {}  # field reference -> whether it ends at a type
        self._next: dict[str, str | None] = {}  # field reference -> the field reference it names
        self._known_names: str | None = None

    def resolve(self) -> None:
        """Every reference must name an entity of this document, and a field path inside it."""
        for ref in self.references:
            entity, *steps = ref.target.split(".")
            if entity not in self.models:
                known = self._known()
                few = len(self.models) <= MAX_SUGGESTED_ENTITIES  # else a scan of every name per reference
                close = difflib.get_close_matches(entity, list(self.models), n=1, cutoff=0.6) if few else []
                fix = f"; did you mean ${close[0]}?" if close else ""
                self.problems.error(
                    f"reference ${ref.target} names an undefined entity {entity!r}{fix} (entities: {known})",
                    *ref.at,
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
                self.problems.error(f"reference ${ref.target}: {message}", *ref.at, ref.path)
                continue
            self._check_reaches_a_type(ref)

    def _known(self, most: int = 20) -> str:
        """The entity names for a message: sorted once, and at most ``most`` of them."""
        if self._known_names is None:
            names = sorted(self.models)
            shown = ", ".join(names[:most]) or "none"
            self._known_names = shown + (f", ... ({len(names)} in all)" if len(names) > most else "")
        return self._known_names

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
                *ref.at,
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
