"""The entity models of stored schemas, cached by blob id: a blob never changes, so neither does
its model under one format and dialect.

Compatibility checks and history summaries compare a new document with old versions; validating
an old version again costs as much as validating the new one (0.6 s for a 200-table SQL schema),
so models are put here as versions are written, and once when an old one is first needed. A
version that does not pass today's validator is remembered as such (checks skip it).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, NamedTuple

from registry.core.lru import SizedLRU
from registry.formats import ValidationResult

DEFAULT_MAX_FIELDS = 500_000  # about 250 MB of field dicts; a 200-table schema has about 2,000


class ModelKey(NamedTuple):
    blob: str
    format: str
    dialect: str | None


@dataclass(frozen=True)
class Model:
    """A document's entities; ``entities`` is None when it does not pass today's validator."""

    entities: tuple[dict[str, Any], ...] | None

    @property
    def valid(self) -> bool:
        return self.entities is not None


def _size(model: Model) -> int:
    """What a model costs the cache: its fields (entities of few fields are cheap, many are not)."""
    return 1 + sum(len(e.get("fields", ())) for e in model.entities or ())


class ModelCache:
    def __init__(self, max_fields: int = DEFAULT_MAX_FIELDS) -> None:
        self._models: SizedLRU[ModelKey, Model] = SizedLRU(max_fields, _size)

    @property
    def stats(self) -> tuple[int, int]:
        return self._models.hits, self._models.misses

    def remember(self, key: ModelKey, result: ValidationResult) -> Model:
        model = Model(tuple(result.entities) if result.valid else None)
        self._models.put(key, model)
        return model

    def get(self, key: ModelKey) -> Model | None:
        return self._models.get(key)

    def model(
        self, key: ModelKey, text: Callable[[], str], validator: Callable[..., ValidationResult]
    ) -> Model:
        """The model of ``key``, validating its ``text()`` (once) if it is not cached."""
        cached = self._models.get(key)
        if cached is not None:
            return cached
        return self.remember(key, validator(key.format, text(), dialect=key.dialect))
