"""One difference between two entity models, with the directions of compatibility it breaks.

See docs/compatibility.md for every ``kind`` and the rule that gives its ``breaks``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

Direction = Literal["BACKWARD", "FORWARD"]
BACKWARD: tuple[Direction, ...] = ("BACKWARD",)
FORWARD: tuple[Direction, ...] = ("FORWARD",)
BOTH: tuple[Direction, ...] = ("BACKWARD", "FORWARD")
SAFE: tuple[Direction, ...] = ()

Where = tuple[int | None, int | None]  # line and column in a document (1-based), or unknown
NOWHERE: Where = (None, None)


@dataclass(frozen=True)
class Change:
    """What changed at ``path``, in words, and which directions it breaks (empty: a safe change)."""

    kind: str
    path: str
    message: str
    breaks: tuple[Direction, ...]
    before: Any = None
    after: Any = None
    # Into the new document, or into the old one for a removal.
    line: int | None = None
    column: int | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "path": self.path,
            "message": self.message,
            "breaks": list(self.breaks),
            "before": self.before,
            "after": self.after,
            "line": self.line,
            "column": self.column,
        }


def change(
    kind: str,
    path: str,
    message: str,
    breaks: tuple[Direction, ...],
    where: Where,
    *,
    before: Any = None,
    after: Any = None,
) -> Change:
    """A :class:`Change` located at ``where``."""
    return Change(kind, path, message, breaks, before, after, where[0], where[1])


def where_of(model: Any, fallback: Where = NOWHERE) -> Where:
    """Where a field or entity of the model is declared, from its ``line``/``column`` keys."""
    if isinstance(model, Mapping):
        line, column = model.get("line"), model.get("column")
        if isinstance(line, int) and not isinstance(line, bool):
            return line, column if isinstance(column, int) and not isinstance(column, bool) else None
    return fallback
