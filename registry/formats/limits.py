"""Bounds that keep every validator fast and small in memory, whatever the input.

Validators take ``limits: Limits | None``; ``None`` means :data:`DEFAULT_LIMITS`. The HTTP layer
can build its own :class:`Limits` from configuration and pass it down; nothing here reads
configuration at import time.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Limits:
    """Resource bounds for one validation call."""

    # Nesting of arrays/objects (JSON) or collections (YAML). Real schemas stay far below this;
    # hostile ones (a 100,000-level array) are refused before any recursive code sees them.
    max_depth: int = 128
    # Size of a YAML document with every alias expanded: anchors are fine, "billion laughs" is not.
    max_yaml_nodes: int = 200_000
    # Documents larger than this are refused up front (characters).
    max_chars: int = 20_000_000
    # Reporting more problems than this helps nobody; the rest are summarized in one error.
    max_problems: int = 200
    # SQL statements in one script.
    max_sql_statements: int = 50_000


DEFAULT_LIMITS = Limits()
