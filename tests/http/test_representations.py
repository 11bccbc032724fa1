"""Project bodies rendered once and reused are the bytes ``web.json_response`` would have sent."""

from __future__ import annotations

from registry.core.changes import Project
from registry.http.representations import RenderedProjects, project_detail, versioned

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


HEAD = "f" * 40


def test_a_remembered_body_is_answered_again_for_the_same_head_only() -> None:
    rendered = RenderedProjects()
    assert rendered.current(HEAD, PROJECT.id) is None
    first = rendered.response(PROJECT, head=HEAD)
    again = rendered.current(HEAD, PROJECT.id)
    assert again is not None and again.body is first.body  # the second read does no json.dumps
    assert list(again.headers.items()) == list(first.headers.items())
    assert rendered.current("e" * 40, PROJECT.id) is None  # another head: the group changed
    assert rendered.current(HEAD, "_pother") is None


def test_a_body_without_a_head_is_not_remembered() -> None:
    rendered = RenderedProjects()
    rendered.response(PROJECT)  # a write's answer, or a read at a past version
    assert rendered.current(HEAD, PROJECT.id) is None


def test_bodies_beyond_the_bound_are_dropped_not_kept() -> None:
    rendered = RenderedProjects(max_bytes=1000)
    heads = [f"{n:040x}" for n in range(20)]
    for head in heads:
        rendered.response(PROJECT, head=head)
    assert rendered.current(heads[0], PROJECT.id) is None  # evicted: rendered again on the next read
    newest = rendered.current(heads[-1], PROJECT.id)
    assert newest is not None and newest.body == rendered.response(PROJECT).body
