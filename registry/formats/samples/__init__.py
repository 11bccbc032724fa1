"""Sample records from any schema's entity model (docs/samples.md): pure functions, no I/O."""

from __future__ import annotations

from registry.formats.samples.check import Unsatisfiable
from registry.formats.samples.generate import MAX_ROWS, Records, TooMuchWork, generate

__all__ = ["MAX_ROWS", "Records", "TooMuchWork", "Unsatisfiable", "generate"]
