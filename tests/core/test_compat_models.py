"""Entity models of old versions come from the cache: each document is validated once per process,
however many checks, writes and history pages need it."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from registry.core.catalog import Catalog
from registry.core.compat_service import CompatibilityService
from registry.core.compat_settings import CompatibilitySettings
from registry.core.errors import IncompatibleSchema
from registry.core.models import ModelCache, ModelKey
from registry.core.timeline import Timeline
from registry.formats import ValidationResult, validate


class CountingValidator:
    """The real validator, counting the documents it is given."""

    def __init__(self) -> None:
        self.seen: Counter[str] = Counter()

    def __call__(self, fmt: str, text: str, *, dialect: str | None = None) -> ValidationResult:
        self.seen[text] += 1
        return validate(fmt, text, dialect=dialect)


def version(n: int) -> str:
    return f"CREATE TABLE t (id INT PRIMARY KEY, c{n} TEXT);\n"


def build(data_dir: Path, counter: CountingValidator) -> tuple[Catalog, CompatibilityService]:
    catalog = Catalog(data_dir, validator=counter)
    return catalog, CompatibilityService(Timeline(catalog))


def test_each_old_version_is_validated_once(tmp_path: Path) -> None:
    counter = CountingValidator()
    catalog, service = build(tmp_path / "data", counter)
    group = catalog.create_group("g", author="t")
    pid = catalog.create_project(group.meta.id, "t", fmt="sql", data=version(0), author="t").id
    CompatibilitySettings(catalog, service.timeline).set_project_level(pid, "BACKWARD_TRANSITIVE", author="t")
    for n in range(1, 8):
        catalog.update_project(pid, data=version(n), author="t")
    # Written versions were remembered as they were written: every check came from the cache.
    assert all(count == 1 for count in counter.seen.values()), counter.seen
    assert len(counter.seen) == 8
    # A process that starts afresh validates each old version once, on first need.
    fresh = CountingValidator()
    catalog, service = build(tmp_path / "data", fresh)
    new = "CREATE TABLE t (id INT PRIMARY KEY, c0 INT);\n"
    with pytest.raises(IncompatibleSchema) as refused:
        catalog.update_project(pid, data=new, author="t")
    assert len(refused.value.against) == 8
    assert [c["kind"] for c in refused.value.changes] == ["type-changed"]
    for _ in range(3):
        assert not service.check(pid, new, fmt=None, dialect=None, level=None, against=None).compatible
    page = service.summarize(pid, service.timeline.project_history(pid, limit=None, cursor=None).items)
    assert [item["change_summary"]["changes"] for item in page] == [2] * 7 + [1]
    assert fresh.seen[new] == 4  # the new document, once per request (it is not stored)
    assert all(fresh.seen[version(n)] == 1 for n in range(8)), fresh.seen


def test_a_version_that_no_longer_validates_is_skipped_and_remembered(tmp_path: Path) -> None:
    models = ModelCache()
    calls: list[str] = []

    def refuse(fmt: str, text: str, *, dialect: str | None = None) -> ValidationResult:
        calls.append(text)
        return validate("yaml", "user:\n  name: strng\n")

    key = ModelKey("0" * 40, "yaml", None)
    for _ in range(3):
        assert models.model(key, lambda: "anything", refuse).entities is None
    assert calls == ["anything"]


def test_the_model_cache_is_bounded_by_fields() -> None:
    models = ModelCache(max_fields=25)
    result = validate("sql", "CREATE TABLE t (" + ", ".join(f"c{n} INT" for n in range(10)) + ");")
    keys = [ModelKey(f"{n:040x}", "sql", None) for n in range(3)]
    for key in keys:
        models.remember(key, result)
    assert models.get(keys[0]) is None  # 11 + 11 + 11 > 25: the oldest went
    assert models.get(keys[1]) is not None and models.get(keys[2]) is not None
