"""Project bodies rendered once and reused are the bytes ``web.json_response`` would have sent."""

from __future__ import annotations

from dataclasses import replace

from registry.changes import Project
from registry.representations import RenderedProjects, project_detail, versioned

PROJECT = Project(
    id="_pabc",
    group_id="_gdef",
    name="orders",
    format="yaml",
    dialect=None,
    data="Order:\n  id: number\n  note: string  # ünïcödé\n",
    created_at="2024-01-01T00:00:00Z",
    updated_at="2024-01-02T00:00:00Z",
    version="0123456789abcdef0123456789abcdef01234567",
)


def test_a_rendered_project_is_what_json_response_sends() -> None:
    rendered = RenderedProjects()
    for status in (200, 201):
        expected = versioned(project_detail(PROJECT), PROJECT.version, status=status)
        response = rendered.response(PROJECT, status=status)
        assert response.body == expected.body
        assert response.status == status
        assert list(response.headers.items()) == list(expected.headers.items())


def test_any_change_to_the_project_renders_anew() -> None:
    rendered = RenderedProjects()
    assert rendered.body(PROJECT) is rendered.body(PROJECT)  # the second read does no json.dumps
    renamed = replace(PROJECT, name="purchases")  # a rename keeps id and data, not the body
    assert b'"name": "purchases"' in rendered.body(renamed)
    assert b'"name": "orders"' in rendered.body(PROJECT)


def test_bodies_beyond_the_bound_are_dropped_not_kept() -> None:
    rendered = RenderedProjects(max_bytes=1000)
    bodies = [rendered.body(replace(PROJECT, name=f"p{n}")) for n in range(20)]
    assert all(b'"name": "p' in body for body in bodies)
    assert rendered.body(replace(PROJECT, name="p0")) is not bodies[0]  # evicted, rendered again
