"""The rules of the Parquet LogicalTypes specification: which physical type each logical type annotates.

https://github.com/apache/parquet-format/blob/master/LogicalTypes.md
"""

from __future__ import annotations

import math
from typing import Any

PHYSICAL_TYPES = (
    "BOOLEAN",
    "INT32",
    "INT64",
    "INT96",
    "FLOAT",
    "DOUBLE",
    "BYTE_ARRAY",
    "FIXED_LEN_BYTE_ARRAY",
)
REPETITIONS = ("REQUIRED", "OPTIONAL", "REPEATED")
SIMPLE_LOGICAL = ("STRING", "ENUM", "UUID", "DATE", "JSON", "BSON", "FLOAT16", "LIST", "MAP")
PARAMETRIZED = {
    "DECIMAL": ({"precision"}, {"scale"}),
    "TIME": ({"unit", "is_adjusted_to_utc"}, set()),
    "TIMESTAMP": ({"unit", "is_adjusted_to_utc"}, set()),
    "INTEGER": ({"bit_width", "is_signed"}, set()),
}
GROUP_LOGICAL = ("LIST", "MAP")
UNITS = ("MILLIS", "MICROS", "NANOS")
BYTE_ARRAY_ONLY = ("STRING", "ENUM", "JSON", "BSON")
MAX_DECIMAL_PRECISION = {"INT32": 9, "INT64": 18}


def max_fixed_precision(length: int) -> int:
    """Most decimal digits a signed ``length``-byte two's-complement integer holds."""
    return math.floor(math.log10(2 ** (8 * length - 1) - 1)) if length > 0 else 0


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def logical_shape(logical: Any) -> tuple[str | None, dict[str, Any], list[tuple[str, str]]]:
    """The name and parameters of a ``logical_type`` value, and the problems of its own shape.

    Problems are ``(key, message)`` pairs; ``key`` is the parameter at fault, or ``""``.
    """
    if isinstance(logical, str):
        if logical in SIMPLE_LOGICAL:
            return logical, {}, []
        if logical in PARAMETRIZED:
            return None, {}, [("", f"logical type {logical} needs parameters: write it as an object")]
        return None, {}, [("", f"unknown logical type {logical!r}; known: {', '.join(_known())}")]
    if not isinstance(logical, dict):
        return None, {}, [("", "logical_type must be a name or an object with a 'type'")]
    name = logical.get("type")
    if name in SIMPLE_LOGICAL:
        extra = sorted(set(logical) - {"type"})
        return name, {}, [(key, f"logical type {name} takes no parameter {key!r}") for key in extra]
    if name not in PARAMETRIZED:
        return None, {}, [("type", f"unknown logical type {name!r}; known: {', '.join(_known())}")]
    required, optional = PARAMETRIZED[name]
    params = {key: value for key, value in logical.items() if key != "type"}
    problems = [
        (key, f"logical type {name} has no parameter {key!r}")
        for key in sorted(set(params) - required - optional)
    ]
    problems += [("", f"logical type {name} needs {key!r}") for key in sorted(required - set(params))]
    problems += _parameter_problems(name, params)
    return (name if not problems else None), params, problems


def _known() -> list[str]:
    return [*SIMPLE_LOGICAL, *PARAMETRIZED]


def _parameter_problems(name: str, params: dict[str, Any]) -> list[tuple[str, str]]:
    problems: list[tuple[str, str]] = []
    if name == "DECIMAL":
        precision: Any = params.get("precision")
        scale: Any = params.get("scale", 0)
        if "precision" in params and (not _is_int(precision) or precision < 1):
            problems.append(("precision", "DECIMAL precision must be an integer of at least 1"))
        if not _is_int(scale) or scale < 0:
            problems.append(("scale", "DECIMAL scale must be a non-negative integer"))
        elif _is_int(precision) and scale > precision:
            problems.append(("scale", f"DECIMAL scale {scale} is larger than its precision {precision}"))
    if name in ("TIME", "TIMESTAMP"):
        if "unit" in params and params["unit"] not in UNITS:
            problems.append(("unit", f"{name} unit must be one of {', '.join(UNITS)}"))
        if "is_adjusted_to_utc" in params and not isinstance(params["is_adjusted_to_utc"], bool):
            problems.append(("is_adjusted_to_utc", "is_adjusted_to_utc must be true or false"))
    if name == "INTEGER":
        if "bit_width" in params and params["bit_width"] not in (8, 16, 32, 64):
            problems.append(("bit_width", "INTEGER bit_width must be 8, 16, 32 or 64"))
        if "is_signed" in params and not isinstance(params["is_signed"], bool):
            problems.append(("is_signed", "is_signed must be true or false"))
    return problems


def annotation_problem(name: str, params: dict[str, Any], physical: str, length: int | None) -> str | None:
    """Why logical type ``name`` cannot annotate ``physical`` (of ``length`` bytes), or ``None``."""
    if name in GROUP_LOGICAL:
        return f"{name} annotates a group (a field with 'fields'), not a {physical} column"
    if name in BYTE_ARRAY_ONLY and physical != "BYTE_ARRAY":
        return f"{name} annotates BYTE_ARRAY only, not {physical}"
    if name == "UUID" and (physical != "FIXED_LEN_BYTE_ARRAY" or length != 16):
        return "UUID annotates a FIXED_LEN_BYTE_ARRAY of length 16 only"
    if name == "FLOAT16" and (physical != "FIXED_LEN_BYTE_ARRAY" or length != 2):
        return "FLOAT16 annotates a FIXED_LEN_BYTE_ARRAY of length 2 only"
    if name == "DATE" and physical != "INT32":
        return f"DATE annotates INT32 only, not {physical}"
    if name == "TIME":
        wanted = "INT32" if params["unit"] == "MILLIS" else "INT64"
        if physical != wanted:
            return f"TIME with unit {params['unit']} annotates {wanted} only, not {physical}"
    if name == "TIMESTAMP" and physical != "INT64":
        return f"TIMESTAMP annotates INT64 only, not {physical}"
    if name == "INTEGER":
        wanted = "INT64" if params["bit_width"] == 64 else "INT32"
        if physical != wanted:
            return f"INTEGER with bit_width {params['bit_width']} annotates {wanted} only, not {physical}"
    if name == "DECIMAL":
        return _decimal_problem(params["precision"], physical, length)
    return None


def _decimal_problem(precision: int, physical: str, length: int | None) -> str | None:
    if physical in MAX_DECIMAL_PRECISION:
        most = MAX_DECIMAL_PRECISION[physical]
        if precision > most:
            return f"DECIMAL precision {precision} does not fit {physical} (at most {most} digits)"
        return None
    if physical == "FIXED_LEN_BYTE_ARRAY" and length is not None:
        most = max_fixed_precision(length)
        if precision > most:
            return f"DECIMAL precision {precision} does not fit {length} bytes (at most {most} digits)"
        return None
    if physical == "BYTE_ARRAY" or physical == "FIXED_LEN_BYTE_ARRAY":
        return None
    return f"DECIMAL annotates INT32, INT64, FIXED_LEN_BYTE_ARRAY or BYTE_ARRAY, not {physical}"


def entity_type(physical: str | None, name: str | None, params: dict[str, Any]) -> dict[str, Any]:
    """The entity-model type of a primitive column."""
    by_logical = {
        "STRING": "string", "ENUM": "string", "UUID": "uuid", "DATE": "date", "JSON": "json",
        "BSON": "json", "FLOAT16": "number", "TIME": "time", "TIMESTAMP": "timestamp", "INTEGER": "integer",
    }  # fmt: skip
    if name == "DECIMAL":
        return {"type": "decimal", "precision": params["precision"], "scale": params.get("scale", 0)}
    if name == "INTEGER":  # an unsigned integer of N bits is still N bits wide, and never negative
        unsigned = {"minimum": 0} if params.get("is_signed") is False else {}
        return {"type": "integer", "bits": params["bit_width"], **unsigned}
    if name in by_logical:
        return {"type": by_logical[name]}
    if name is None and physical in ("INT32", "INT64"):
        return {"type": "integer", "bits": 32 if physical == "INT32" else 64}
    by_physical = {
        "BOOLEAN": "boolean", "INT32": "integer", "INT64": "integer", "INT96": "timestamp",
        "FLOAT": "number", "DOUBLE": "number", "BYTE_ARRAY": "binary", "FIXED_LEN_BYTE_ARRAY": "binary",
    }  # fmt: skip
    return {"type": by_physical.get(physical or "", "binary")}
