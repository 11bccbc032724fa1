"""The metadata file's fast renderer writes exactly what json.dumps(indent=2, sort_keys=True) would."""

from __future__ import annotations

import json
import random

import pytest

from registry.core.metadata import GroupMeta, ProjectMeta


def reference(meta: GroupMeta) -> bytes:
    doc = {
        "registry_metadata_version": 1,
        "group": {"id": meta.id, "name": meta.name, "created_at": meta.created_at},
        "next_project_number": meta.next_project_number,
        "projects": {
            p.id: {
                "name": p.name,
                "format": p.format,
                "dialect": p.dialect,
                "has_data": p.has_data,
                "created_at": p.created_at,
                "updated_at": p.updated_at,
            }
            for p in meta.projects.values()
        },
    }
    return (json.dumps(doc, indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode()


@pytest.mark.parametrize("count", [0, 1, 2, 11, 300])
def test_fast_rendering_matches_the_standard_encoder(count: int) -> None:
    rng = random.Random(count)
    projects = {}
    for n in range(1, count + 1):
        pid = f"_pabcdefghjkmnpqrst{n}"
        projects[pid] = ProjectMeta(
            pid,
            rng.choice(["users", "caf\u00e9", "a.b-c_d", "X9"]) + str(n),
            rng.choice(["yaml", "sql", "json_schema", "json_parquet"]),
            rng.choice([None, "postgres"]),
            rng.random() < 0.5,
            "2026-01-01T00:00:00Z",
            "2026-11-28T01:02:03Z",
        )
    meta = GroupMeta("_gabcdefghjkmnpqrst", 'te"am\\\u00e9', "2026-01-01T00:00:00Z", count + 1, projects)
    assert meta.dumps() == reference(meta)
    assert GroupMeta.loads(meta.dumps()) == meta
