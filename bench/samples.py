"""How fast sample records are made: the generator alone, no HTTP (docs/samples.md, issue 20).

``python -m bench.samples`` prints, as medians of a few runs after a warm-up:

- 10,000 records of one entity with 20 fields (strings with hints, integers, decimals, dates,
  enums, nullable fields), against the goal of 2 s;
- 10 records of every table of a 200-table SQL schema (each table referencing the one before),
  against the goal of 2 s;
- the cost of one Faker call per value for the same 10,000 records' hinted fields, the baseline
  that pools avoid (measured on 1,000 values and scaled).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from typing import Any

from registry.formats import validate
from registry.formats.samples import generate

HINTS = ("email", "name", "phone_number", "address", "company", "url", "ipv4", "iban")


def twenty_fields() -> list[dict[str, Any]]:
    fields: list[dict[str, Any]] = [{"name": "id", "type": "integer", "nullable": False, "primary_key": True}]
    for hint in HINTS:
        fields.append({"name": hint, "type": "string", "hint": hint, "nullable": False, "primary_key": False})
    for n in range(4):
        fields.append({"name": f"n{n}", "type": "integer", "minimum": 0, "maximum": 99, "nullable": True})
    fields.append({"name": "price", "type": "decimal", "precision": 10, "scale": 2, "nullable": False})
    fields.append({"name": "born", "type": "date", "nullable": True})
    fields.append({"name": "seen", "type": "timestamp", "nullable": False})
    fields.append({"name": "tier", "type": "enum", "values": ["a", "b", "c"], "nullable": False})
    fields.append({"name": "code", "type": "string", "max_length": 12, "nullable": False})
    fields.append({"name": "ok", "type": "boolean", "nullable": False})
    for field in fields:
        field.setdefault("primary_key", False)
    return [{"name": "Person", "namespace": None, "fields": fields}]


def two_hundred_tables() -> list[dict[str, Any]]:
    ddl = ["CREATE TABLE t0 (id INT PRIMARY KEY, name VARCHAR(40) NOT NULL, made DATE);"]
    for n in range(1, 200):
        ddl.append(
            f"CREATE TABLE t{n} (id INT PRIMARY KEY, parent INT NOT NULL REFERENCES t{n - 1}(id), "
            f"label VARCHAR(80), amount DECIMAL(12, 2) NOT NULL, at TIMESTAMP);"
        )
    result = validate("sql", "\n".join(ddl))
    assert result.valid, result.errors
    return list(result.entities)


def median_seconds(run: Callable[[], object], repeats: int) -> float:
    run()  # warm-up: pools and imports, as a warm server has them
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def faker_per_value_seconds(values: int) -> float:
    from faker import Faker

    fake = Faker("en_US")
    fake.seed_instance(1)
    calls = [getattr(fake, h) for h in HINTS]
    started = time.perf_counter()
    for n in range(1_000):
        calls[n % len(calls)]()
    return (time.perf_counter() - started) * values / 1_000


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(argv)
    person, tables = twenty_fields(), two_hundred_tables()
    rows = [
        (
            "10,000 records, 20 fields",
            median_seconds(lambda: generate(person, rows=10_000, seed=1), args.repeats),
        ),
        ("200 tables x 10 records", median_seconds(lambda: generate(tables, rows=10, seed=1), args.repeats)),
        (
            "baseline: a Faker call per hinted value of the 10,000 records",
            faker_per_value_seconds(10_000 * len(HINTS)),
        ),
    ]
    for what, seconds in rows:
        goal = (
            ""
            if what.startswith("baseline")
            else ("  ok (goal < 2 s)" if seconds < 2 else "  MISS (goal < 2 s)")
        )
        sys.stdout.write(f"{what:<64} {seconds:8.3f} s{goal}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
