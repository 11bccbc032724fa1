"""A browser without a browser: cookies and form posts over plain HTTP, for the web page tests."""

from __future__ import annotations

import re
from http.cookies import SimpleCookie
from urllib.parse import urlencode

from tests.support.client import Client, Response
from tests.support.openapi_check import check_response

PAGE_HEADERS = {
    "Content-Security-Policy": "default-src 'self'",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
}


class PageSession:
    """One visitor of the pages: the session cookie the server set, sent back on every request."""

    def __init__(self, base_url: str) -> None:
        self.client = Client(base_url, hooks=[check_response])  # every answer as docs/openapi.yaml says
        self.cookie: str | None = None

    def login(self, key: str, next_path: str | None = None, **headers: str) -> Response:
        fields = {"key": key} if next_path is None else {"key": key, "next": next_path}
        response = self.form("/ui/_login", fields, headers=headers)
        set_cookie = response.headers.get("Set-Cookie")
        if set_cookie:
            self.cookie = SimpleCookie(set_cookie)["registry_session"].value
        return response

    def headers(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        out = dict(extra or {})
        if self.cookie is not None:
            out["Cookie"] = f"registry_session={self.cookie}"
        return out

    def get(self, path: str, headers: dict[str, str] | None = None) -> Response:
        return self.client.get(path, headers=self.headers(headers))

    def form(self, path: str, fields: dict[str, str], headers: dict[str, str] | None = None) -> Response:
        all_headers = self.headers({"Content-Type": "application/x-www-form-urlencoded", **(headers or {})})
        return self.client.post(path, raw=urlencode(fields).encode(), headers=all_headers)


def text(response: Response) -> str:
    return response.body.decode("utf-8")


def csrf_of(page: Response | str) -> str:
    found = re.search(r'name="csrf" value="([0-9a-f]+)"', page if isinstance(page, str) else text(page))
    assert found, "the page has no form token"
    return found.group(1)


def assert_page(response: Response, status: int = 200) -> str:
    """The page's HTML, once its status, type and security headers are right."""
    assert response.status == status, response
    assert response.content_type == "text/html"
    for name, value in PAGE_HEADERS.items():
        assert response.headers.get(name) == value, name
    body = text(response)
    assert "<script>" not in body and "style=" not in body  # no inline script or style anywhere
    return body


def rows(body: str, table_class: str) -> list[str]:
    table = re.search(rf'<table class="[^"]*{table_class}[^"]*">(.*?)</table>', body, re.S)
    assert table, f"no {table_class} table"
    return re.findall(r"<tr[ >].*?</tr>", table.group(1).split("<tbody>", 1)[1], re.S)
