"""The one result model that every format validator returns.

A validator is a function ``(text, *, dialect, limits) -> ValidationResult`` registered under its
format name in :data:`registry.formats.VALIDATORS`. It reports every problem it finds, never just
the first, and never raises for bad input: a broken document is a result with errors.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

from registry.formats.limits import DEFAULT_LIMITS, Limits


@dataclass(frozen=True)
class Problem:
    """One error or warning, located in the document (1-based line and column)."""

    message: str
    line: int | None = None
    column: int | None = None
    path: str = ""

    def to_json(self) -> dict[str, Any]:
        return {"message": self.message, "line": self.line, "column": self.column, "path": self.path}


@dataclass(frozen=True)
class ValidationResult:
    """Everything a validator found: refusing errors, advisory warnings, and the entities."""

    errors: tuple[Problem, ...] = ()
    warnings: tuple[Problem, ...] = ()
    # The normalized entity model (see docs/formats/README.md), JSON-ready.
    entities: tuple[dict[str, Any], ...] = field(default=())
    errors_not_shown: int = 0  # past the cap; ``errors`` then ends with one entry saying so

    @property
    def valid(self) -> bool:
        return not self.errors

    @property
    def error_count(self) -> int:
        """Every error found, shown or not."""
        return len(self.errors) - (1 if self.errors_not_shown else 0) + self.errors_not_shown

    def to_json(self) -> dict[str, Any]:
        return {
            "valid": self.valid,
            "errors": [p.to_json() for p in self.errors],
            "warnings": [p.to_json() for p in self.warnings],
            "entities": list(self.entities) if self.valid else [],
        }


class Validator(Protocol):
    """A format's validator; :func:`registry.formats.validate` has already checked the size."""

    def __call__(
        self, text: str, *, dialect: str | None = None, limits: Limits = ...
    ) -> ValidationResult: ...


class Problems:
    """Collects errors and warnings in document order, capped at ``limits.max_problems`` each."""

    def __init__(self, limits: Limits = DEFAULT_LIMITS) -> None:
        self._cap = limits.max_problems
        self.errors: list[Problem] = []
        self.warnings: list[Problem] = []
        self._dropped = {"errors": 0, "warnings": 0}
        # The same problem at the same place is reported once (a meta-schema reaches one bad
        # value through several of its branches, each with the same message).
        self._seen: set[tuple[str, Problem]] = set()

    def error(self, message: str, line: int | None = None, column: int | None = None, path: str = "") -> None:
        self._add("errors", self.errors, Problem(message, line, column, path))

    def warn(self, message: str, line: int | None = None, column: int | None = None, path: str = "") -> None:
        self._add("warnings", self.warnings, Problem(message, line, column, path))

    def _add(self, kind: str, found: list[Problem], problem: Problem) -> None:
        if (kind, problem) in self._seen:
            return
        self._seen.add((kind, problem))
        if len(found) < self._cap:
            found.append(problem)
        else:
            self._dropped[kind] += 1

    def result(self, entities: list[dict[str, Any]] | tuple[dict[str, Any], ...] = ()) -> ValidationResult:
        errors = sorted(self.errors, key=_order)
        warnings = sorted(self.warnings, key=_order)
        for kind, shown in (("errors", errors), ("warnings", warnings)):
            if self._dropped[kind]:
                shown.append(Problem(f"{self._dropped[kind]} more {kind} not shown"))
        return ValidationResult(
            errors=tuple(errors),
            warnings=tuple(warnings),
            entities=() if errors else tuple(entities),
            errors_not_shown=self._dropped["errors"],
        )


def _order(problem: Problem) -> tuple[int, int]:
    # Stable sort: problems without a position keep their place after located ones on line 0.
    return (problem.line or 0, problem.column or 0)


def too_large(text: str, limits: Limits) -> ValidationResult | None:
    """The refusal for a document above ``limits.max_chars``, or ``None`` when it is small enough."""
    if len(text) <= limits.max_chars:
        return None
    return ValidationResult(
        errors=(Problem(f"document is larger than the limit of {limits.max_chars} characters", 1, 1),)
    )


# The optional keys of the entity model (docs/formats/README.md): present only where a document
# says them, never as null placeholders.
FIELD_KEYS = (
    "default", "min_length", "max_length", "minimum", "maximum", "exclusive_minimum",
    "exclusive_maximum", "pattern", "unique", "precision", "scale", "bits", "min_items", "max_items",
    "unique_items", "hint", "required", "closed", "line", "column",
)  # fmt: skip
ENTITY_KEYS = ("closed", "line", "column")


def said(**keys: Any) -> dict[str, Any]:
    """The keys a document says: those whose value is not ``None`` (``closed`` only when true)."""
    return {k: v for k, v in keys.items() if v is not None and not (k == "closed" and v is not True)}


def field_model(
    name: str,
    type_: str,
    *,
    nullable: bool = True,
    primary_key: bool = False,
    source_type: str | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """One field of the entity model (see docs/formats/README.md); ``extra`` holds the type's own
    keys (``values``, ``items``, ``fields``, ``ref``) and the optional keys of :data:`FIELD_KEYS`."""
    model: dict[str, Any] = {
        "name": name,
        "type": type_,
        "nullable": nullable,
        "primary_key": primary_key,
        "source_type": source_type,
    }
    model.update(extra)
    return model


def entity_model(
    name: str, fields: list[dict[str, Any]], *, namespace: str | None = None, **extra: Any
) -> dict[str, Any]:
    """One entity of the entity model; ``extra`` holds optional keys (``closed``, ``line``,
    ``column``, ...), left out when ``None`` (and ``closed`` when not true)."""
    return {"name": name, "namespace": namespace, "fields": fields, **said(**extra)}
