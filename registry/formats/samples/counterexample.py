"""A record that shows a breaking change: one that a writer on one version can emit and a reader
on the other refuses (docs/compatibility.md, "Counterexamples").

The search is the same for every kind of change: records made from the writer's schema, then the
changed field set to values the writer allows at its edges (null, absent, its bounds, its longest
string, a fraction, each enum value, ...), each checked against the writer's model and the
reader's. The first that the writer accepts and the reader refuses is the example. A change no
single record shows (a primary key's columns) finds none.
"""

from __future__ import annotations

import random
from collections.abc import Iterator, Mapping, Sequence
from typing import Any, TypedDict

from registry.formats.compat_change import Change, Direction
from registry.formats.compatibility import entity_path
from registry.formats.samples.accepts import accepts, value_accepted
from registry.formats.samples.generate import generate
from registry.formats.samples.values import ValueMaker, integer_bounds, number_bounds

Model = Mapping[str, Any]
SEEDS = 4
DRAWS = 12
_ABSENT = object()
WIDTH_EDGES = tuple(v for bits in (8, 16, 32, 64) for v in (2 ** (bits - 1), -(2 ** (bits - 1)) - 1))


class Example(TypedDict):
    record: dict[str, Any]
    direction: Direction


def example(change: Change, old: Sequence[Model], new: Sequence[Model]) -> Example | None:
    """A record showing ``change`` in the first direction it breaks that a record can show."""
    for direction in change.breaks:
        writer, reader = (old, new) if direction == "BACKWARD" else (new, old)
        record = _search(change.path, writer, reader)
        if record is not None:
            return {"record": record, "direction": direction}
    return None


def _search(path: str, writers: Sequence[Model], readers: Sequence[Model]) -> dict[str, Any] | None:
    writer, rest = _entity_at(path, writers)
    reader, _ = _entity_at(path, readers)
    if writer is None or reader is None or not rest:
        return None  # a change of a whole entity (its key, say): no one field to show it by
    field_path = rest.split(".")
    written = _field_at(writer.get("fields") or (), field_path)
    if written is not None and written.get("type") == "json":
        return None  # the model does not say what the writer's json field may hold
    # The reader judged here differs from the writer in the changed field alone (and in being
    # closed), so a refusal is this change's doing, not another change's in the same version.
    judge = _with_field(writer, reader, field_path)
    for base in _bases(writer, writers):
        for candidate in _variants(base, writer, field_path):
            if accepts(writer, candidate, closed=True) and not accepts(judge, candidate):
                return candidate
    return None


def _with_field(writer: Model, reader: Model, field_path: list[str]) -> Model:
    """``writer`` with the reader's model of the changed top-level field (or without it, where
    the reader has none) and the reader's closedness."""
    name = field_path[0].removesuffix("[]")
    theirs = _named(reader.get("fields") or (), name)
    ours = _named(writer.get("fields") or (), name)
    fields = [f for f in writer.get("fields") or () if f is not ours]
    if theirs is not None:
        # Under the writer's name, so the record's key finds it whatever its case in the reader.
        fields.append({**theirs, "name": ours["name"] if ours is not None else theirs["name"]})
    return {**writer, "fields": fields, "closed": reader.get("closed") is True}


def _entity_at(path: str, entities: Sequence[Model]) -> tuple[Model | None, str]:
    """The entity a change path starts with (the longest match: names may hold dots), and the rest."""
    best: tuple[Model | None, str] = (None, "")
    longest = -1
    folded = path.casefold()
    for entity in entities:
        name = entity_path(entity).casefold()  # SQL names differ in case only across versions
        if (folded == name or folded.startswith(name + ".")) and len(name) > longest:
            best, longest = (entity, path[len(name) + 1 :]), len(name)
    return best


def _named(fields: Any, name: str) -> Model | None:
    """The field called ``name``, or else the one whose name differs from it only in case."""
    fields = list(fields)
    exact = next((f for f in fields if f["name"] == name), None)
    return exact or next((f for f in fields if str(f["name"]).casefold() == name.casefold()), None)


def _bases(writer: Model, writers: Sequence[Model]) -> Iterator[dict[str, Any]]:
    """Records the writer makes, from a few seeds."""
    for seed in range(SEEDS):
        try:
            made = generate(list(writers), rows=1, seed=seed, only=str(writer["name"]))
        except Exception:  # an unsatisfiable writer has no records to show
            return
        yield from made[str(writer["name"])]


def _variants(base: dict[str, Any], entity: Model, field_path: list[str]) -> Iterator[dict[str, Any]]:
    """``base`` itself, then ``base`` with the changed field set to each edge value."""
    yield base
    field = _field_at(entity.get("fields") or (), field_path)
    if field is None:
        return
    keys = _writer_names(entity.get("fields") or (), field_path)
    for value in _edges(field):
        changed = _with(base, keys, value)
        if changed is not None:
            yield changed


def _field_at(fields: Any, path: list[str]) -> Model | None:
    for name in path[:-1] or []:
        field = _named(fields, name.removesuffix("[]"))
        if field is None or field.get("type") != "object":
            return None
        fields = field.get("fields") or ()
    return _named(fields, path[-1]) if path else None


def _writer_names(fields: Any, path: list[str]) -> list[str]:
    """``path`` spelled as the writer's fields are (the change may name them in the reader's case)."""
    names = []
    for name in path:
        field = _named(fields, name.removesuffix("[]"))
        names.append(str(field["name"]) if field is not None else name)
        fields = (field or {}).get("fields") or ()
    return names


def _with(record: dict[str, Any], path: list[str], value: Any) -> dict[str, Any] | None:
    """A copy of ``record`` with the field at ``path`` set to ``value`` (or left out)."""
    out = dict(record)
    if len(path) > 1:
        inner = out.get(path[0])
        if not isinstance(inner, dict):
            return None
        changed = _with(inner, path[1:], value)
        if changed is None:
            return None
        out[path[0]] = changed
    elif value is _ABSENT:
        out.pop(path[0], None)
    else:
        out[path[0]] = value
    return out


def _edges(field: Model) -> Iterator[Any]:
    """Values at the edges of what the field allows, then ordinary draws."""
    yield None
    yield _ABSENT
    kind = field.get("type")
    if kind == "integer":
        low, high = integer_bounds(field)
        yield from (low, high, low + 1, high - 1, 0, 1, -1)
        yield from WIDTH_EDGES  # past 8, 16, 32 and 64 bits, for a writer without a width
        yield low + 0.5  # a fraction: valid for a number, refused by an integer
    elif kind in ("number", "decimal"):
        bottom, top = number_bounds(field)
        yield from (bottom, top, 0.5, 1.25, 12345.678)
    elif kind == "string":
        longest = int(field.get("max_length") or 200)
        yield from ("a" * longest, "a" * int(field.get("min_length") or 0), "not-a-special-value")
    elif kind == "enum":
        yield from list(field.get("values") or ())
    elif kind == "array":
        yield []
        items = field.get("items")
        maker = ValueMaker(lambda f, r: None, lambda p, r: "")
        item_model: Model = items if isinstance(items, Mapping) else {"type": "string"}
        one = maker.typed(item_model, random.Random(1))  # noqa: S311  # reproducible, not secret
        longest = int(field.get("max_items") or 10)
        yield [one] * max(2, longest)  # the most items, and repeated ones

    maker = ValueMaker(lambda f, r: None, lambda p, r: "")
    rng = random.Random(0)  # noqa: S311  # reproducible draws, not secrets
    for _ in range(DRAWS):
        value = maker.typed(field, rng)
        if value is not None and value_accepted(field, value):
            yield value
