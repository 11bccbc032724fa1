"""Compatibility levels on ``git push``: each project the push updates is checked as an API update
is, its pushed tip against what the registry had; one break refuses the whole push.

``git push -o compatibility=force`` (admin keys only) commits it anyway, and the registry's record
commit then lists, in trailers, the level and every breaking change of each file.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from registry.core.catalog import Catalog
from registry.core.compat_check import BREAK_TRAILER, one_line
from registry.core.errors import IncompatibleSchema
from registry.core.metadata import ProjectMeta
from registry.core.models import ModelKey
from registry.core.snapshots import GroupSnapshot
from repo_store.smart_protocol import PushRefused

OPTION = "compatibility"
FORCE = "force"


@dataclass(frozen=True)
class PushedUpdate:
    """A project the push changed: as the registry had it, and as the pushed tip leaves it."""

    before: ProjectMeta
    after: ProjectMeta
    file: str
    blob: str


def wants_force(options: Sequence[str], *, may_force: bool) -> bool:
    """Whether the push options ask to override compatibility; refused for a key below admin."""
    values = [o.partition("=")[2] for o in options if o.partition("=")[0] == OPTION]
    if any(v != FORCE for v in values):
        raise PushRefused(f"unknown push option value: use -o {OPTION}={FORCE}")
    if values and not may_force:
        raise PushRefused(f"-o {OPTION}={FORCE} needs an admin key")
    return bool(values)


def check_pushed(
    catalog: Catalog, view: GroupSnapshot, updates: Sequence[PushedUpdate], *, force: bool
) -> tuple[tuple[str, str], ...]:
    """Refuse the push (every breaking change as ``file:line:column: message``) if an update
    breaks its project's level; forced, the trailers for the record commit."""
    lines: list[str] = []
    trailers: dict[tuple[str, str], None] = {}
    for update in updates:
        key = ModelKey(update.blob, update.after.format, update.after.dialect)
        entities = catalog.compat.model(view.meta.id, key).entities or ()  # validated by the push
        try:
            found = catalog.compat.enforce(
                view, update.before.id, update.before, entities, key.format, force=force, what=update.file
            )
        except IncompatibleSchema as exc:
            lines += _explain(update.file, exc)
            continue
        for name, value in found:
            line = f"{update.file} {value}" if name == BREAK_TRAILER else value
            trailers[(name, line)] = None
    if lines:
        raise PushRefused(
            "push refused: incompatible schema (an admin may push -o compatibility=force)", lines
        )
    return tuple(trailers)


def _explain(file: str, refused: IncompatibleSchema) -> list[str]:
    head = f"{file}: breaks {refused.level} compatibility ({len(refused.changes)} change(s))"
    return [head, *(_line(file, refused.level, change) for change in refused.changes)]


def _line(file: str, level: str, change: dict[str, Any]) -> str:
    against = str(change.get("against", ""))[:12]
    where = f"{file}:{change.get('line') or 1}:{change.get('column') or 1}"
    said = f"{change['message']} ({change['kind']} {change['path']}, {level} against {against})"
    return f"{where}: {one_line(said)}"  # one remote: line per change, whatever the names hold
