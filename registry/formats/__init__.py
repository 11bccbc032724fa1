"""Format validators, keyed by format name.

Adding a format is one module with a ``validate`` function plus one entry in
:data:`VALIDATOR_MODULES`. A validator's module (and its parser: sqlglot, jsonschema) is imported
on its first use, so a command that never validates (``keys list``) never pays for them.
"""

from __future__ import annotations

import importlib
import logging
import time
from collections.abc import Callable
from functools import cache

from registry.formats.base import Problem, ValidationResult, Validator, too_large
from registry.formats.limits import DEFAULT_LIMITS, Limits
from registry.formats.sql_dialects import check_dialect, sql_dialects

log = logging.getLogger(__name__)

# Each format's module; its ``validate`` function is the format's :class:`Validator`.
VALIDATOR_MODULES: dict[str, str] = {
    "yaml": "registry.formats.yaml_schema",
    "json_schema": "registry.formats.json_schema",
    "json_parquet": "registry.formats.json_parquet",
    "sql": "registry.formats.sql",
}

FORMATS: tuple[str, ...] = tuple(VALIDATOR_MODULES)


@cache
def validator_for(fmt: str) -> Validator | None:
    """The validator of ``fmt``, imported on first use; ``None`` for an unknown format."""
    module = VALIDATOR_MODULES.get(fmt)
    if module is None:
        return None
    found: Validator = importlib.import_module(module).validate
    return found


def load_validators() -> None:
    """Import every validator now (a validation worker does, before its clock starts)."""
    for fmt in FORMATS:
        validator_for(fmt)


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
    validator = validator_for(fmt)
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


__all__ = [
    "DEFAULT_LIMITS",
    "FORMATS",
    "VALIDATOR_MODULES",
    "Limits",
    "Problem",
    "ValidationResult",
    "Validator",
    "check_dialect",
    "load_validators",
    "observe_validations",
    "report_validation",
    "sql_dialects",
    "validate",
    "validator_for",
]
