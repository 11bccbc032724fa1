"""What a round trip through the yaml language must keep: the part of the model yaml can say."""

from __future__ import annotations

from typing import Any

from registry.formats.yaml_hints import HINTS

# Field keys yaml writes back; `source_type`, `line`, `column`, `required`, `namespace` and
# `closed` on nested objects are the source's own, or not sayable (docs/formats/yaml.md).
FIELD_KEYS = (
    "name", "type", "nullable", "primary_key", "ref", "values", "default", "minimum", "maximum",
    "exclusive_minimum", "exclusive_maximum", "min_length", "max_length", "pattern", "unique",
    "precision", "scale", "bits", "min_items", "max_items", "unique_items",
)  # fmt: skip
ENTITY_KEYS = ("name", "count", "closed", "relations")


def sayable(entities: list[dict[str, Any]] | tuple[dict[str, Any], ...]) -> list[dict[str, Any]]:
    """``entities`` reduced to what a yaml document can express."""
    return [
        {**{k: e[k] for k in ENTITY_KEYS if k in e}, "fields": [_field(f) for f in e["fields"]]}
        for e in entities
    ]


def _field(model: dict[str, Any]) -> dict[str, Any]:
    out = {k: model[k] for k in FIELD_KEYS if k in model}
    if model.get("type") == "object":
        out.pop("nullable", None)  # a nested mapping is never nullable in yaml
    hint = model.get("hint")
    if isinstance(hint, str) and model.get("type") in HINTS.get(hint, ()):
        out["hint"] = hint
    if "items" in model:
        out["items"] = _field(model["items"])
    if "fields" in model:
        out["fields"] = [_field(f) for f in model["fields"]]
    return out
