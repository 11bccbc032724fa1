"""Records for the entities of a schema: every constraint of the entity model honoured, references
pointing at records made for their targets, the same records for the same seed.

Entities are made in the order their references need (targets first). A reference into a cycle
of nullable links is null where its target has no records yet; a self-reference points at an
earlier record of the same entity (the first record at itself); a cycle of non-nullable
references between entities cannot be inserted in any order and is refused as unsatisfiable.
"""

from __future__ import annotations

import hashlib
import random
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

import regress

from registry.formats.base import Problem
from registry.formats.samples.check import Unsatisfiable, unsatisfiable
from registry.formats.samples.values import NULL_RATE, Field, ValueMaker, integer_bounds

Entity = Mapping[str, Any]
Records = dict[str, list[dict[str, Any]]]  # entity name -> its records

MAX_ROWS = 10_000
UNIQUE_TRIES = 64
EMBED_DEPTH = 2  # levels of a record embedded in itself (a recursive schema)
PATTERN_TRIES = 32


class TooMuchWork(Exception):
    """The sample would take longer than the time it was given (the limit says which)."""


class _Targets:
    """Records made so far, by entity, and the values of their fields (to point references at)."""

    def __init__(self, entities: Sequence[Entity]) -> None:
        self.by_name: dict[str, Entity] = {}
        for entity in entities:
            self.by_name.setdefault(entity["name"], entity)
            if entity.get("namespace"):
                self.by_name[f"{entity['namespace']}.{entity['name']}"] = entity
        self.folded = {name.casefold(): entity for name, entity in self.by_name.items()}
        self.records: dict[int, list[dict[str, Any]]] = {}

    def resolve(self, ref: str) -> tuple[Entity, str | None] | None:
        """The entity and field (None: the record itself) that ``ref`` names."""
        for entity_part, field in ((ref, None), *(_split(ref),)):
            entity = self.by_name.get(entity_part) or self.folded.get(entity_part.casefold())
            if entity is not None:
                return entity, field
        return None


def _split(ref: str) -> tuple[str, str | None]:
    head, dot, tail = ref.rpartition(".")
    return (head, tail) if dot else (ref, None)


def generate(
    entities: Sequence[Entity],
    *,
    rows: int = 10,
    seed: int = 0,
    only: str | None = None,
    seconds: float | None = None,
) -> Records:
    """``rows`` records for each entity (an entity's own ``count`` wins), or only for ``only``
    and what it references. Raises :class:`Unsatisfiable` or :class:`TooMuchWork`."""
    problems = unsatisfiable(entities, rows)
    if problems:
        raise Unsatisfiable(problems)
    targets = _Targets(entities)
    chosen = _needed(entities, targets, only)
    deadline = None if seconds is None else time.monotonic() + seconds
    made: Records = {}
    for entity in _order(chosen, targets):
        count = min(int(entity.get("count") or rows), MAX_ROWS)
        records = _Maker(entity, targets, seed, deadline).records(count)
        targets.records[id(entity)] = records
        made[entity["name"]] = records
    if only is not None:
        return {only: made[only]}
    return {entity["name"]: made[entity["name"]] for entity in entities if entity["name"] in made}


def insert_order(entities: Sequence[Entity]) -> list[Entity]:
    """The entities in an order in which their records can be inserted (targets first)."""
    return _order(list(entities), _Targets(entities))


def _needed(entities: Sequence[Entity], targets: _Targets, only: str | None) -> list[Entity]:
    if only is None:
        return list(entities)
    start = targets.by_name.get(only)
    if start is None:
        raise Unsatisfiable([Problem(f"the schema has no entity {only!r}")])
    seen: dict[int, Entity] = {}
    stack = [start]
    while stack:
        entity = stack.pop()
        if id(entity) in seen:
            continue
        seen[id(entity)] = entity
        stack.extend(target for target, _ in _references(entity, targets))
    return list(seen.values())


def _references(entity: Entity, targets: _Targets) -> Iterable[tuple[Entity, bool]]:
    """Each entity ``entity`` references, with whether that reference may be left empty (null, or
    absent, or inside an array that may be empty), at any depth of nested objects and arrays."""
    for field, optional in _reference_fields(entity.get("fields", ()), False):
        found = targets.resolve(str(field["ref"]))
        if found is not None:
            yield found[0], optional


def _reference_fields(fields: Iterable[Field], optional: bool) -> Iterator[tuple[Field, bool]]:
    for field in fields:
        empty = optional or bool(field.get("nullable")) or field.get("required") is False
        kind = field.get("type")
        if kind == "reference" and field.get("ref"):
            yield field, empty
        elif kind == "object":
            yield from _reference_fields(field.get("fields", ()), empty)
        elif kind == "array" and isinstance(field.get("items"), Mapping):
            yield from _reference_fields([field["items"]], empty or not field.get("min_items"))


def _order(entities: list[Entity], targets: _Targets) -> list[Entity]:
    """Targets before the entities that reference them; nullable links give way in a cycle."""
    ordered: list[Entity] = []
    placed: set[int] = set()
    pending = list(entities)
    while pending:
        for strict in (True, False):
            ready = [e for e in pending if _ready(e, targets, placed, pending, strict)]
            if ready:
                break
        else:
            names = ", ".join(sorted(e["name"] for e in pending))
            raise Unsatisfiable(
                [Problem(f"non-nullable references form a cycle between {names}; no record can come first")]
            )
        for entity in ready:
            ordered.append(entity)
            placed.add(id(entity))
            pending.remove(entity)
    return ordered


def _ready(entity: Entity, targets: _Targets, placed: set[int], pending: list[Entity], strict: bool) -> bool:
    waiting = {id(e) for e in pending}
    for target, nullable in _references(entity, targets):
        if target is entity or id(target) in placed or id(target) not in waiting:
            continue
        if strict or not nullable:
            return False
    return True


class _Maker:
    """Makes the records of one entity."""

    def __init__(self, entity: Entity, targets: _Targets, seed: int, deadline: float | None) -> None:
        self.entity = entity
        self.targets = targets
        self.deadline = deadline
        name = f"{entity.get('namespace') or ''}.{entity['name']}"
        digest = hashlib.sha256(f"{seed}:{name}".encode()).digest()
        self.rng = random.Random(int.from_bytes(digest[:8], "big"))  # noqa: S311  # reproducible, not secret
        self.values = ValueMaker(self._reference, _pattern)
        self.fields: list[Field] = list(entity.get("fields", ()))
        keys = [f for f in self.fields if f.get("primary_key")]
        self.key_fields = keys
        self.unique = [f for f in self.fields if f.get("unique") or (len(keys) == 1 and f is keys[0])]
        self.seen: dict[str, set[Any]] = {f["name"]: set() for f in self.unique}
        self.seen_keys: set[tuple[Any, ...]] = set()
        self.made: list[dict[str, Any]] = []
        self.groups = _reference_groups(self.fields, targets)
        self.picked: dict[str, tuple[int, dict[str, Any]] | None] = {}
        self.current: dict[str, Any] = {}  # the record being made

    def records(self, count: int) -> list[dict[str, Any]]:
        for index in range(count):
            if self.deadline is not None and index % 100 == 0 and time.monotonic() > self.deadline:
                raise TooMuchWork(f"making records of {self.entity['name']} took too long")
            self.picked = {}
            self.made.append(self._record(index))
        return self.made

    def _record(self, index: int) -> dict[str, Any]:
        for _ in range(UNIQUE_TRIES):
            record: dict[str, Any] = {}
            self.current = record
            for field in self.fields:
                present, value = self._field(field, index)
                if present:
                    record[field["name"]] = value
            key = tuple(record.get(f["name"]) for f in self.key_fields)
            if len(self.key_fields) < 2 or key not in self.seen_keys:
                self.seen_keys.add(key)
                return record
            self.picked = {}
        raise Unsatisfiable(
            [_where(self.key_fields[0], f"could not make {index + 1} distinct keys of {self.entity['name']}")]
        )

    def _field(self, field: Field, index: int) -> tuple[bool, Any]:
        if field.get("required") is False and not field.get("primary_key") and self.rng.random() < NULL_RATE:
            return False, None
        may_be_null = field.get("nullable") and not field.get("primary_key") and not field.get("unique")
        if may_be_null and self.rng.random() < NULL_RATE:
            return True, None
        if field in self.unique:
            return True, self._unique(field, index)
        return True, self.values.value(field, self.rng)

    def _unique(self, field: Field, index: int) -> Any:
        seen = self.seen[field["name"]]
        if field.get("type") == "integer" and field.get("primary_key"):
            low, high = integer_bounds(field)
            value = max(low, 1 if low <= 1 <= high else low) + index  # keys count up
            if value > high:
                raise Unsatisfiable(
                    [_where(field, f"{field['name']} has room for fewer than {index + 1} keys")]
                )
            seen.add(value)
            return value
        for _ in range(UNIQUE_TRIES):
            value = self.values.typed(field, self.rng)
            if value is not None and _hashable(value) not in seen:
                seen.add(_hashable(value))
                return value
        if field.get("type") == "string" and not field.get("pattern"):
            numbered = _numbered(str(self.values.typed(field, self.rng)), index, field.get("max_length"))
            if numbered not in seen:
                seen.add(numbered)
                return numbered
        raise Unsatisfiable([_where(field, f"could not make {index + 1} distinct values of {field['name']}")])

    def _reference(self, field: Field, rng: random.Random) -> Any:
        found = self.targets.resolve(str(field.get("ref", "")))
        if found is None:
            return None
        target, target_field = found
        group = self.groups.get(str(field.get("name", "")))
        if group is not None and group in self.picked:
            picked = self.picked[group]
        else:
            picked = self._pick(target, rng, whole=target_field is None)
            if group is not None:
                self.picked[group] = picked
        return None if picked is None else _key_of(picked[0], picked[1], target, target_field)

    def _pick(self, target: Entity, rng: random.Random, *, whole: bool) -> tuple[int, dict[str, Any]] | None:
        """A record of ``target`` and its position. A self-reference picks an earlier record of
        this entity; the first record's key reference points at itself, and its reference to the
        whole entity, which cannot hold itself, is null."""
        records = self.made if target is self.entity else self.targets.records.get(id(target))
        if not records:
            return (0, self.current) if target is self.entity and not whole else None
        index = rng.randrange(len(records))
        return index, records[index]


def _reference_groups(fields: list[Field], targets: _Targets) -> dict[str, str]:
    """Fields that reference different fields of one entity (a composite foreign key) share a
    group, so their values come from the same target record."""
    by_target: dict[str, list[Field]] = {}
    for field in fields:
        if field.get("type") == "reference" and field.get("ref"):
            found = targets.resolve(str(field["ref"]))
            if found is not None:
                by_target.setdefault(str(id(found[0])), []).append(field)
    groups: dict[str, str] = {}
    for target, members in by_target.items():
        if len({str(f["ref"]) for f in members}) > 1:
            for member in members:
                groups[member["name"]] = target
    return groups


def _key_of(index: int, record: dict[str, Any], target: Entity, field: str | None) -> Any:
    """The value a reference to ``record`` holds: the field it names; for a reference to the
    whole entity, the record's single primary key (a SQL foreign key), else a copy of the record
    (a JSON Schema ``$ref`` or a yaml ``$Entity`` holds the object itself)."""
    if field is not None:
        if field in record:
            return record[field]
        return next((v for k, v in record.items() if k.casefold() == field.casefold()), None)
    keys = [f["name"] for f in target.get("fields", ()) if f.get("primary_key")]
    if len(keys) == 1:
        return record.get(keys[0])
    return _trimmed(record, target, EMBED_DEPTH)


def _trimmed(record: dict[str, Any], entity: Entity, depth: int) -> dict[str, Any]:
    """A copy of ``record`` whose references back to its own entity end after ``depth`` levels:
    there, a reference is left out where it may be (else null), an array of them is empty. A
    recursive schema's records stay small."""
    out = dict(record)
    for field in entity.get("fields", ()):
        name = field.get("name")
        if name not in out or not _embeds(field, entity):
            continue
        value = out[name]
        if isinstance(value, list):
            out[name] = (
                [] if depth <= 0 else [_trimmed(v, entity, depth - 1) for v in value if isinstance(v, dict)]
            )
        elif isinstance(value, dict):
            if depth > 0:
                out[name] = _trimmed(value, entity, depth - 1)
            elif field.get("required") is False:
                del out[name]
            else:
                out[name] = None
    return out


def _embeds(field: Field, entity: Entity) -> bool:
    """Whether ``field`` holds whole records of ``entity`` (itself, or an array of them)."""
    target = field.get("items") if field.get("type") == "array" else field
    if not isinstance(target, Mapping) or target.get("type") != "reference":
        return False
    return str(target.get("ref", "")) == str(entity["name"])


def _numbered(value: str, index: int, max_length: Any) -> str:
    suffix = str(index)
    if "@" in value:  # an email: number the local part
        local, _, domain = value.partition("@")
        return f"{local}{suffix}@{domain}"
    if max_length is not None:
        value = value[: max(0, int(max_length) - len(suffix))]
    return value + suffix


def _hashable(value: Any) -> Any:
    return repr(value) if isinstance(value, (dict, list)) else value


def _where(field: Field, message: str) -> Problem:
    return Problem(message, field.get("line"), field.get("column"), str(field.get("name", "")))


def _pattern(pattern: str, rng: random.Random) -> str:
    """A string ``pattern`` (ECMA-262, as JSON Schema reads it) matches, checked with the ECMA engine."""
    import rstr  # only when a pattern is sampled

    maker = rstr.Rstr(rng)
    checker = regress.Regex(pattern)
    for _ in range(PATTERN_TRIES):
        try:
            candidate = str(maker.xeger(pattern))
        except Exception:  # Python's parser refuses some ECMA syntax
            break
        if checker.find(candidate) is not None:
            return candidate
    raise Unsatisfiable([Problem(f"no string could be made to match the pattern {pattern!r}")])
