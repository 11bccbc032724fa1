"""Sample records from any schema's entity model (docs/samples.md): pure functions, no I/O."""

from __future__ import annotations

from registry.formats.samples.check import Unsatisfiable
from registry.formats.samples.generate import MAX_ROWS, Records, TooMuchWork, generate

# Bumped whenever the same seed would give other records (a new value rule, pool, or Faker's
# data): part of a sample's ETag, so a cached sample of an older generator is not taken for today's.
GENERATOR_RELEASE = "1"

__all__ = ["GENERATOR_RELEASE", "MAX_ROWS", "Records", "TooMuchWork", "Unsatisfiable", "generate"]
