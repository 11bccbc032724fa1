"""The quick benchmark runs end to end and prints every row (a smoke test: no timing assertions)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ROWS = ("1", "2", "3", "4", "5", "5b", "6", "6b", "6c", "7", "7b", "8", "9")


def test_quick_benchmark_prints_every_row(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "bench", "--quick", "--scratch", str(tmp_path / "scratch")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    table = [line for line in done.stdout.splitlines() if line.startswith("| ")]
    assert table[0].startswith("| row | measurement | value | baseline")
    keys = [line.split("|")[1].strip() for line in table[1:]]
    assert keys == list(ROWS)
    for line in table[1:]:
        cells = [c.strip() for c in line.strip("|").split("|")]
        assert len(cells) == 7, line
        assert all(cells[:4]), line  # every row has a measurement, a value and its baseline
        assert re.fullmatch(r"-|\d+\.\d\d( ok| MISS)?", cells[4]), line
