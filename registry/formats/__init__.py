"""Format validators, keyed by format name.

Adding a format is one module with a ``validate`` function plus one entry in :data:`VALIDATORS`.
Each module is imported on its first validation: a command that lists keys, or one that
validates a YAML file, must not pay for importing sqlglot.
"""

from __future__ import annotations

import importlib
import logging
import time
from collections.abc import Callable
from typing import cast

from registry.formats.base import Problem, ValidationResult, Validator, too_large
from registry.formats.limits import DEFAULT_LIMITS, Limits
from registry.formats.sql_dialects import check_dialect, sql_dialects

log = logging.getLogger(__name__)


def _on_first_use(module: str) -> Validator:
    """``module``'s ``validate``, imported when first called."""

    def validate(
        text: str, *, dialect: str | None = None, limits: Limits = DEFAULT_LIMITS
    ) -> ValidationResult:
        found = cast(Validator, importlib.import_module(module).validate)
        return found(text, dialect=dialect, limits=limits)

    return validate


VALIDATORS: dict[str, Validator] = {
    "yaml": _on_first_use("registry.formats.yaml_schema"),
    "json_schema": _on_first_use("registry.formats.json_schema"),
    "json_parquet": _on_first_use("registry.formats.json_parquet"),
    "sql": _on_first_use("registry.formats.sql"),
}

FORMATS: tuple[str, ...] = tuple(VALIDATORS)

# Called with (format, seconds) after every validation: how /metrics learns validation time
# without the validators knowing about metrics.
ValidationObserver = Callable[[str, float], None]
_observers: list[ValidationObserver] = []


def observe_validations(observer: ValidationObserver) -> Callable[[], None]:
    """Call ``observer`` after every validation in this process; returns a function that stops it."""
    _observers.append(observer)
    return lambda: _observers.remove(observer)


def validate(
    fmt: str, text: str, *, dialect: str | None = None, limits: Limits | None = None
) -> ValidationResult:
    """Validate ``text`` as ``fmt`` (one of :data:`FORMATS`); never raises for any ``text``."""
    validator = VALIDATORS.get(fmt)
    if validator is None:
        return ValidationResult(errors=(Problem(f"unknown format {fmt!r}; known: {', '.join(FORMATS)}"),))
    limits = limits or DEFAULT_LIMITS
    refused = too_large(text, limits)
    if refused is not None:
        return refused
    started = time.perf_counter()
    try:
        return validator(text, dialect=dialect, limits=limits)
    except (Exception, RecursionError, MemoryError):
        # Validators are written not to raise; this is the last line of defence so that a bug
        # in one of them (or a library under it) refuses the document instead of failing the request.
        log.exception("validator for %s failed", fmt)
        return ValidationResult(errors=(Problem(f"the {fmt} validator could not process this document"),))
    finally:
        report_validation(fmt, time.perf_counter() - started)


def report_validation(fmt: str, seconds: float) -> None:
    """Tell the observers that one ``fmt`` document took ``seconds`` to validate."""
    for observer in list(_observers):
        observer(fmt, seconds)


def __getattr__(name: str) -> frozenset[str]:
    if name == "SQL_DIALECTS":  # built from sqlglot's list: only when asked
        return sql_dialects()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "DEFAULT_LIMITS",
    "FORMATS",
    "SQL_DIALECTS",
    "VALIDATORS",
    "Limits",
    "Problem",
    "ValidationResult",
    "Validator",
    "check_dialect",
    "observe_validations",
    "report_validation",
    "validate",
]
