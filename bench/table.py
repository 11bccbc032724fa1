"""The benchmark's one table: a row per measurement, each with its baseline from the same run."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TextIO

HEADER = ("row", "measurement", "value", "baseline (same run)", "ratio", "target", "notes")


@dataclass(frozen=True)
class Row:
    key: str  # "1", "2", ... "6b": what --only selects
    measurement: str
    value: str
    baseline: str
    ratio: float | None
    target: str
    notes: str = ""
    met: bool | None = None  # None: a figure to report, without a pass mark

    def cells(self) -> tuple[str, ...]:
        verdict = {None: "", True: " ok", False: " MISS"}[self.met]
        ratio = "-" if self.ratio is None else f"{self.ratio:.2f}"
        return (
            self.key,
            self.measurement,
            self.value,
            self.baseline,
            ratio + verdict,
            self.target,
            self.notes,
        )


def ratio(value: float, baseline: float) -> float | None:
    return value / baseline if baseline > 0 else None


def at_least(value: float | None, limit: float) -> bool | None:
    return None if value is None else value >= limit


def at_most(value: float | None, limit: float) -> bool | None:
    return None if value is None else value <= limit


def print_row(row: Row, out: TextIO) -> None:
    """One finished row, as soon as it is measured."""
    cells = row.cells()
    out.write(
        f"[row {cells[0]}] {cells[1]}: {cells[2]} vs {cells[3]} -> ratio {cells[4]} (target {cells[5]})"
    )
    out.write(f"  {cells[6]}\n" if cells[6] else "\n")
    out.flush()


def markdown(rows: list[Row]) -> str:
    lines = ["| " + " | ".join(HEADER) + " |", "|" + "---|" * len(HEADER)]
    lines += ["| " + " | ".join(c.replace("|", "/") for c in row.cells()) + " |" for row in rows]
    return "\n".join(lines) + "\n"
