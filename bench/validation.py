"""Validation throughput per format over the schema corpus, and the time for its largest file.

Run ``python -m bench.validation`` (``--quick`` for one pass, ``--corpus DIR`` to point elsewhere
than the repository's own ``tests/corpus``).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import TextIO

from registry.formats import validate

DEFAULT_CORPUS = Path(__file__).resolve().parents[1] / "tests" / "corpus"


def _time(fmt: str, text: str, dialect: str | None, repeat: int) -> float:
    """Best of ``repeat`` runs, in seconds (the minimum is the least noisy estimate)."""
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        validate(fmt, text, dialect=dialect)
        best = min(best, time.perf_counter() - start)
    return best


def run(corpus: Path, repeat: int, out: TextIO) -> int:
    cases = json.loads((corpus / "manifest.json").read_text(encoding="utf-8"))
    totals: dict[str, list[float]] = {}
    largest: dict[str, tuple[int, str, float]] = {}
    for case in cases:
        text = (corpus / case["path"]).read_text(encoding="utf-8")
        seconds = _time(case["format"], text, case.get("dialect"), repeat)
        row = totals.setdefault(case["format"], [0, 0.0, 0.0])
        row[0] += 1
        row[1] += len(text.encode())
        row[2] += seconds
        if len(text) > largest.get(case["format"], (-1, "", 0.0))[0]:
            largest[case["format"]] = (len(text), case["path"], seconds)
    out.write(
        f"{'format':<14}{'files':>6}{'KiB':>9}{'seconds':>9}{'files/s':>9}{'KiB/s':>9}   largest file (ms)\n"
    )
    for fmt, (files, size, seconds) in sorted(totals.items()):
        big_size, big_path, big_seconds = largest[fmt]
        out.write(
            f"{fmt:<14}{files:>6.0f}{size / 1024:>9.0f}{seconds:>9.3f}{files / seconds:>9.0f}"
            f"{size / 1024 / seconds:>9.0f}   "
            f"{Path(big_path).name} ({big_size // 1024} KiB): {big_seconds * 1000:.0f}\n"
        )
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="one run per file instead of the best of five")
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    args = parser.parse_args(argv)
    if not (args.corpus / "manifest.json").is_file():
        sys.stderr.write(f"no corpus at {args.corpus}\n")
        return 2
    return run(args.corpus, 1 if args.quick else 5, sys.stdout)


if __name__ == "__main__":
    raise SystemExit(main())
