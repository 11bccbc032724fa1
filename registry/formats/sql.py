"""SQL DDL. Minimal first version: sqlglot must parse every statement."""

from __future__ import annotations

import sqlglot
from sqlglot.errors import ParseError, SqlglotError

from registry.formats.base import Problem, ValidationResult


def validate(text: str, *, dialect: str | None = None) -> ValidationResult:
    try:
        sqlglot.parse(text, read=dialect)
    except ParseError as exc:
        return ValidationResult(
            errors=tuple(Problem(e.get("description") or str(exc), e.get("line"), e.get("col")) for e in exc.errors)
            or (Problem(str(exc)),)
        )
    except SqlglotError as exc:
        return ValidationResult(errors=(Problem(str(exc)),))
    return ValidationResult()
