"""The API description is public: /openapi.json and the /docs page it renders need no key."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import yaml

from registry.http.reference_page import render
from tests.support.client import Client
from tests.support.openapi_check import OPENAPI_PATH


class _Page(HTMLParser):
    """What the page holds: its tags and attributes, its text, and the ids it can link to."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def _parse(html: str) -> _Page:
    page = _Page()
    page.feed(html)
    return page


def test_the_document_and_the_page_need_no_key(api: Client) -> None:
    anonymous = api.with_key(None)
    document = anonymous.get("/openapi.json")
    assert document.status == 200
    assert document.json == yaml.safe_load(OPENAPI_PATH.read_text())
    page = anonymous.get("/docs")
    assert page.status == 200 and page.content_type == "text/html"
    assert page.headers["Content-Security-Policy"] == "default-src 'self'"
    style = anonymous.get("/docs/style.css")
    assert style.status == 200 and style.content_type == "text/css"
    # The rest of the API still needs one.
    assert anonymous.get("/project-group").status == 401
    assert anonymous.get("/metrics").status == 401


def test_the_page_lists_every_operation_and_loads_nothing_from_elsewhere(api: Client) -> None:
    html = api.with_key(None).get("/docs").body.decode()
    page = _parse(html)
    text = "".join(page.text)
    document = yaml.safe_load(OPENAPI_PATH.read_text())
    for path, item in document["paths"].items():
        for method in item:
            if method in ("get", "put", "post", "patch", "delete"):
                assert f"{method.upper()} {path}" in text, (method, path)
    assert [tag for tag, _ in page.tags if tag in ("script", "style", "iframe", "img", "object")] == []
    assert all("style" not in attrs and not any(a.startswith("on") for a in attrs) for _, attrs in page.tags)
    links = [attrs.get("href") or "" for _, attrs in page.tags if "href" in attrs]
    assert [link for link in links if re.match(r"[a-z]+:|//", link)] == []  # same origin only
    ids = {attrs["id"] for _, attrs in page.tags if attrs.get("id")}
    assert [link for link in links if link.startswith("#") and link[1:] not in ids] == []


HOSTILE = {
    "openapi": "3.1.0",
    "info": {"title": "<script>alert(1)</script>", "version": '1" onload="x'},
    "paths": {
        "/a/{b}": {
            "parameters": [{"name": "<b>", "in": "path", "description": "</td><script>"}],
            "get": {
                "summary": "<img src=x onerror=alert(1)>",
                "responses": {"200": {"description": "&amp; <i>"}},
            },
        }
    },
    "components": {"schemas": {"<x>": {"description": "</pre><script>"}}},
}


def test_every_text_of_the_document_is_escaped() -> None:
    html = render(HOSTILE)
    page = _parse(html)
    assert [tag for tag, _ in page.tags if tag in ("script", "img", "b", "i", "x")] == []
    text = "".join(page.text)
    for hostile in (
        "<script>alert(1)</script>",
        "<img src=x onerror=alert(1)>",
        "&amp; <i>",
        "</td><script>",
    ):
        assert hostile in text  # shown as text, not taken as markup
    assert all(not any(a.startswith("on") for a in attrs) for _, attrs in page.tags)
