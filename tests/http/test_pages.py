"""The web pages under /ui/ through HTTP: sessions, every page, escaping, headers, scope, CSRF."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import pytest

from registry.core.config import config_from
from registry.core.errors import InvalidInput
from registry.core.keys import KeyStore
from registry.http.pages.sessions import SessionStore
from tests.conftest import MakeKey
from tests.support.client import Client
from tests.support.pages import PageSession, assert_page, csrf_of, rows
from tests.support.server import Server, run_cli

HOSTILE = "# <script>alert('x')</script> & \"quotes\"\nUser:\n  name: string\n  age: number\n"
GROWN = HOSTILE + "  email: string\nOrder:\n  id: number\n  buyer: $User\n"


@pytest.fixture
def shop(api: Client, group: dict[str, Any]) -> dict[str, Any]:
    """A group with one project: created, grown, then renamed (three versions)."""
    created = api.post("/project", {"project_group_id": group["id"], "name": "users", "data": HOSTILE})
    assert created.status == 201, created
    pid = created.json["id"]
    assert api.put(f"/project/{pid}", {"data": GROWN, "message": "orders <b>too</b>"}).status == 200
    assert api.patch(f"/project/{pid}", {"name": "people"}).status == 200
    versions = [v["version"] for v in api.get(f"/project/{pid}/history").json["versions"]]
    return {"group": group, "id": pid, "versions": versions}  # newest first


@pytest.fixture
def visitor(server: Server) -> PageSession:
    session = PageSession(server.url)
    assert session.login(server.admin_key()).status == 303
    return session


# -- sessions ------------------------------------------------------------------------------------


def test_a_page_without_session_or_key_sends_to_the_login_page(server: Server) -> None:
    anonymous = PageSession(server.url)
    response = anonymous.get("/ui/some-group/some-project/history?cursor=abc")
    assert response.status == 303
    login, _, query = response.headers["Location"].partition("?")
    assert login == "/ui/_login"
    assert parse_qs(query) == {"next": ["/ui/some-group/some-project/history?cursor=abc"]}
    assert anonymous.get("/ui/").headers["Location"] == "/ui/_login?next=/ui/"
    body = assert_page(anonymous.get("/ui/_login?next=/ui/x"))
    assert '<label for="key">' in body and 'name="next" value="/ui/x"' in body


def test_login_sets_a_random_strict_cookie_and_never_shows_the_key(server: Server) -> None:
    visitor = PageSession(server.url)
    key = server.admin_key()
    response = visitor.login(key)
    assert response.status == 303 and response.headers["Location"] == "/ui/"
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Path=/ui" in cookie
    assert "Secure" not in cookie  # plain HTTP here; a proxy saying HTTPS gets Secure (below)
    assert visitor.cookie and key not in cookie and len(visitor.cookie) >= 40
    body = assert_page(visitor.get("/ui/"))
    assert key not in body
    assert key not in server.log()


def test_a_proxy_saying_https_gets_a_secure_cookie(server: Server) -> None:
    response = PageSession(server.url).login(server.admin_key(), **{"X-Forwarded-Proto": "https"})
    assert "Secure" in response.headers["Set-Cookie"]


@pytest.mark.parametrize(
    ("next_path", "expected"),
    [
        ("/ui/shop/users/diff?from=abc&to=def", "/ui/shop/users/diff?from=abc&to=def"),
        ("/ui/_pabc1/history", "/ui/_pabc1/history"),
        ("https://evil.example/ui/", "/ui/"),
        ("//evil.example/ui/", "/ui/"),
        ("/ui//evil.example", "/ui/"),
        ("/\\evil.example", "/ui/"),
        ("/ui/\\evil.example", "/ui/"),
        ("/ui/../project-group", "/ui/"),
        ("/ui/%2e%2e/project-group", "/ui/"),
        ("/project-group", "/ui/"),
        ("javascript:alert(1)", "/ui/"),
        ("/ui/x\r\nSet-Cookie: a=b", "/ui/"),
        ("", "/ui/"),
    ],
)
def test_login_goes_back_only_to_a_page_of_ours(server: Server, next_path: str, expected: str) -> None:
    response = PageSession(server.url).login(server.admin_key(), next_path)
    assert response.status == 303
    assert response.headers["Location"] == expected


def test_a_wrong_key_is_refused_without_a_session_or_an_echo(server: Server) -> None:
    visitor = PageSession(server.url)
    response = visitor.login("sr_not-a-key-at-all-but-long-enough-0123456789")
    body = assert_page(response, 401)
    assert "not known" in body and "sr_not-a-key" not in body
    assert "Set-Cookie" not in response.headers and visitor.cookie is None


def test_sessions_are_stored_only_as_hashes(server: Server, visitor: PageSession) -> None:
    assert visitor.cookie is not None
    files = list((server.data_dir / "ui-sessions").glob("*.json"))
    assert files
    for path in files:
        stored = path.read_text()
        assert visitor.cookie not in stored and visitor.cookie not in path.name
        assert server.admin_key() not in stored


def test_logout_needs_the_form_token_and_ends_the_session(visitor: PageSession) -> None:
    token = csrf_of(visitor.get("/ui/"))
    refused = visitor.form("/ui/_logout", {"csrf": "0" * 64})
    assert "token does not match" in assert_page(refused, 403)
    assert visitor.get("/ui/").status == 200  # still logged in
    done = visitor.form("/ui/_logout", {"csrf": token})
    assert done.status == 303 and done.headers["Location"] == "/ui/_login"
    assert visitor.get("/ui/").status == 303  # the cookie is worth nothing now


def test_revoking_the_key_ends_its_sessions(server: Server, make_key: MakeKey) -> None:
    reader = make_key("read")
    visitor = PageSession(server.url)
    assert reader.key is not None and visitor.login(reader.key).status == 303
    assert visitor.get("/ui/").status == 200
    run_cli("keys", "revoke", "--name", reader.name, data_dir=server.data_dir)
    deadline = time.monotonic() + 10
    while visitor.get("/ui/").status == 200 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert visitor.get("/ui/").status == 303


def test_a_bearer_key_works_for_scripts(server: Server, api: Client) -> None:
    assert_page(Client(server.url, server.admin_key()).get("/ui/"))
    assert Client(server.url, "sr_unknown").get("/ui/").status == 303


def test_sessions_survive_a_restart_and_links_use_the_public_url(tmp_path: Path) -> None:
    srv = Server(tmp_path / "data", extra_args=("--public-url", "https://registry.example.com/")).start()
    try:
        Client(srv.url, srv.admin_key()).post("/project-group", {"name": "pub"})
        visitor = PageSession(srv.url)
        assert visitor.login(srv.admin_key()).status == 303
        srv.stop()
        srv.start()
        visitor.client = PageSession(srv.url).client  # a new port; the same cookie
        body = assert_page(visitor.get("/ui/pub"))
        assert "https://registry.example.com/git/pub.git" in body
        assert "https://registry.example.com/ui/_g" in body  # the permalink
    finally:
        srv.stop()


def test_a_session_ends_after_the_idle_time_and_use_keeps_it(tmp_path: Path) -> None:
    keys = KeyStore(tmp_path)
    key, _ = keys.create("someone", "read")
    now = [1000.0]
    store = SessionStore(tmp_path, idle_seconds=100, clock=lambda: now[0])
    token = store.start(key)
    for later in (99.0, 190.0, 280.0):  # each use within the idle time of the one before
        now[0] = 1000.0 + later
        assert store.find(token, keys) == key
    now[0] += 101
    assert store.find(token, keys) is None
    assert list((tmp_path / "ui-sessions").glob("*.json")) == []  # and it is gone from the folder
    assert store.find("x" * 43, keys) is None and store.find("../../keys.json", keys) is None


# -- pages ---------------------------------------------------------------------------------------


def _pages(shop: dict[str, Any]) -> list[str]:
    name, pid, (newest, middle, oldest) = shop["group"]["name"], shop["id"], shop["versions"]
    by_name = f"/ui/{name}/people"
    return [
        "/ui/",
        f"/ui/?q={name}",
        f"/ui/{name}",
        f"/ui/{shop['group']['id']}",
        by_name,
        f"{by_name}?at={oldest}",
        f"{by_name}/history",
        f"{by_name}/diff",
        f"{by_name}/diff?from={oldest}&to={newest}&view=unified",
        f"{by_name}/blame",
        f"{by_name}/blame?at={middle}",
        f"{by_name}/restore?version={oldest}",
        f"/ui/{pid}",
        f"/ui/{pid}/history",
        f"/ui/{pid}/diff?from={oldest}&to={middle}",
        f"/ui/{pid}/blame",
    ]


def test_every_page_answers_escaped_html_with_the_security_headers(
    visitor: PageSession, shop: dict[str, Any]
) -> None:
    for path in _pages(shop):
        body = assert_page(visitor.get(path))
        assert "alert('x')</script>" not in body, path  # the schema's <script> is text, never markup
    schema = assert_page(visitor.get(f"/ui/{shop['group']['name']}/people"))
    assert "&lt;script&gt;" in schema
    history = assert_page(visitor.get(f"/ui/{shop['group']['name']}/people/history"))
    assert "orders &lt;b&gt;too&lt;/b&gt;" in history and "<b>too" not in history


def test_the_static_files_are_served_from_the_package(visitor: PageSession) -> None:
    for name, kind in (("ui.css", "text/css"), ("ui.js", "text/javascript"), ("pygments.css", "text/css")):
        response = visitor.get(f"/ui/_static/{name}")
        assert response.status == 200 and response.content_type == kind and response.body
    assert_page(visitor.get("/ui/_static/..%2Fsessions.py"), 404)
    assert_page(visitor.get("/ui/_static/nothing.css"), 404)


def test_permalinks_name_projects_and_versions_by_id(
    visitor: PageSession, shop: dict[str, Any], server: Server
) -> None:
    name, pid, (newest, middle, oldest) = shop["group"]["name"], shop["id"], shop["versions"]
    diff = assert_page(visitor.get(f"/ui/{name}/people/diff?from={oldest[:8]}"))
    assert f'data-copy="{server.url}/ui/{pid}/diff?from={oldest}&amp;to={newest}"' in diff
    old = assert_page(visitor.get(f"/ui/{name}/people?at={middle[:10]}"))
    assert f'data-copy="{server.url}/ui/{pid}?at={middle}"' in old
    current = assert_page(visitor.get(f"/ui/{name}/people/history"))
    assert f'data-copy="{server.url}/ui/{pid}/history"' in current
    restore = assert_page(visitor.get(f"/ui/{name}/people/restore?version={oldest[:9]}"))
    assert f'data-copy="{server.url}/ui/{pid}/restore?version={oldest}"' in restore
    assert visitor.get("/ui").headers["Location"] == "/ui/"


def test_groups_page_lists_counts_and_filters(visitor: PageSession, shop: dict[str, Any]) -> None:
    name = shop["group"]["name"]
    body = assert_page(visitor.get(f"/ui/?q={name.upper()}"))
    listed = rows(body, "list")
    assert len(listed) == 1 and f'href="/ui/{name}"' in listed[0] and "<td>1</td>" in listed[0]
    assert "No project group" in assert_page(visitor.get("/ui/?q=no-such-name-anywhere"))


def test_group_page_shows_projects_clone_url_tags_and_history(
    api: Client, visitor: PageSession, shop: dict[str, Any], server: Server
) -> None:
    name = shop["group"]["name"]
    assert (
        api.post(f"/project-group/{name}/tags", {"name": "v1", "message": "first <i>cut</i>"}).status == 201
    )
    body = assert_page(visitor.get(f"/ui/{name}"))
    assert f'data-copy="{server.url}/git/{name}.git"' in body
    assert f'href="/ui/{name}/people"' in body and "yaml" in body
    assert "v1" in body and "first &lt;i&gt;cut&lt;/i&gt;" in body
    assert len(re.findall(r"<code>[0-9a-f]{12}</code>", body)) >= 4  # the group's history: 4 commits


def test_project_page_highlights_lines_links_references_and_downloads(
    visitor: PageSession, shop: dict[str, Any]
) -> None:
    base = f"/ui/{shop['group']['name']}/people"
    body = assert_page(visitor.get(base))
    assert (
        'class="highlight"' in body
        and 'href="#L-1"' in body
        and 'href="#L-8"' in body
        and 'href="#L-9"' not in body
    )
    assert 'id="entity-User"' in body and 'href="#entity-User"' in body  # Order.buyer -> User
    assert "past version" not in body
    raw = visitor.get(f"{base}/raw")
    assert raw.status == 200 and raw.body.decode() == GROWN
    assert raw.headers["Content-Disposition"] == 'attachment; filename="people.yaml"'
    old = assert_page(visitor.get(f"{base}?at={shop['versions'][-1]}"))
    assert "past version" in old and "email" not in old.split("<h2>Entities</h2>")[1]
    assert visitor.get(f"{base}/raw?at={shop['versions'][-1]}").body.decode() == HOSTILE


def test_history_is_paginated_with_links(api: Client, visitor: PageSession, group: dict[str, Any]) -> None:
    created = api.post(
        "/project", {"project_group_id": group["id"], "name": "busy", "data": "A:\n  v0: string\n"}
    )
    pid = created.json["id"]
    for n in range(1, 55):
        assert api.put(f"/project/{pid}", {"data": f"A:\n  v{n}: string\n"}).status == 200
    first = assert_page(visitor.get(f"/ui/{group['name']}/busy/history"))
    assert len(rows(first, "history")) == 50
    more = re.search(r'href="([^"]+)" rel="next"', first)
    assert more is not None
    second = assert_page(visitor.get(more.group(1).replace("&amp;", "&")))
    assert len(rows(second, "history")) == 5 and 'rel="next"' not in second
    assert assert_page(visitor.get(f"/ui/{group['name']}/busy/history?cursor=zzzz"), 400)


def test_history_badges_say_which_changes_break_consumers(
    api: Client, visitor: PageSession, group: dict[str, Any]
) -> None:
    body = {"project_group_id": group["id"], "name": "people", "data": "P:\n  id: number\n  nick: string?\n"}
    pid = api.post("/project", body).json["id"]
    # A nullable field dropped: compatible. A required field without default added: breaks BACKWARD.
    assert api.put(f"/project/{pid}", {"data": "P:\n  id: number\n"}).status == 200
    assert api.put(f"/project/{pid}", {"data": "P:\n  id: number\n  email: string\n"}).status == 200
    html = assert_page(visitor.get(f"/ui/{group['name']}/people/history"))
    newest, middle, oldest = rows(html, "history")
    assert '<span class="badge breaking"' in newest and "breaks BACKWARD" in newest
    assert '<span class="badge compatible"' in middle and 'class="badge breaking"' not in middle
    assert "badge" not in oldest  # the create has nothing before it


def test_a_history_of_1000_versions_renders(api: Client, visitor: PageSession, group: dict[str, Any]) -> None:
    created = api.post(
        "/project", {"project_group_id": group["id"], "name": "long", "data": "A:\n  f: string\n"}
    )
    pid = created.json["id"]

    def update(n: int) -> int:
        return api.put(f"/project/{pid}", {"data": f"A:\n  f: string\n  g{n}: number\n"}).status

    with ThreadPoolExecutor(8) as pool:
        assert set(pool.map(update, range(999))) == {200}
    assert len(api.get(f"/project/{pid}/history?limit=200").json["versions"]) == 200
    started = time.monotonic()
    body = assert_page(visitor.get(f"/ui/{pid}/history"))
    assert len(rows(body, "history")) == 50 and 'rel="next"' in body
    assert time.monotonic() - started < 5
    started = time.monotonic()
    blame = assert_page(visitor.get(f"/ui/{pid}/blame"))
    assert time.monotonic() - started < 5  # one repository open for all 1,000 texts (0.7 s here)
    assert len(rows(blame, "blame")) == 3  # A:, f: and the last version's g field
    picker = assert_page(visitor.get(f"/ui/{pid}/diff"))
    assert picker.count("<option") <= 2 * 201 + 3  # the newest versions, not a thousand options twice


def test_diff_marks_changed_words_across_a_rename(
    visitor: PageSession, shop: dict[str, Any], api: Client
) -> None:
    pid, oldest = shop["id"], shop["versions"][-1]
    assert api.put(f"/project/{pid}", {"data": GROWN.replace("age: number", "age: string")}).status == 200
    body = assert_page(visitor.get(f"/ui/{pid}/diff?from={oldest}"))
    assert "users (yaml)" in body and "people (yaml)" in body  # followed by id, through the rename
    assert "<del>number</del>" in body and "<ins>string</ins>" in body  # the word, not the line
    assert 'class="code split"' in body
    unified = assert_page(visitor.get(f"/ui/{pid}/diff?from={oldest}&view=unified"))
    assert 'class="code unified"' in unified and "<del>number</del>" in unified
    same = assert_page(visitor.get(f"/ui/{pid}/diff?from={oldest}&to={oldest}"))
    assert "the same in both" in same
    assert_page(visitor.get(f"/ui/{pid}/diff?from=nonsense-version"), 400)


def test_diff_across_a_format_change(api: Client, visitor: PageSession, group: dict[str, Any]) -> None:
    created = api.post(
        "/project", {"project_group_id": group["id"], "name": "t", "data": "T:\n  id: number\n"}
    )
    pid = created.json["id"]
    sql = "CREATE TABLE t (id INT PRIMARY KEY);\n"
    assert api.put(f"/project/{pid}", {"data": sql, "format": "sql"}).status == 200
    body = assert_page(visitor.get(f"/ui/{pid}/diff"))
    assert "t (yaml)" in body and "t (sql)" in body and "CREATE TABLE" in body


def test_blame_follows_the_project_through_renames(visitor: PageSession, shop: dict[str, Any]) -> None:
    newest, middle, oldest = shop["versions"]
    body = assert_page(visitor.get(f"/ui/{shop['group']['name']}/people/blame"))
    lines = rows(body, "blame")
    assert len(lines) == GROWN.count("\n")
    firsts = [line for line in lines if 'class="first"' in line]
    assert oldest[:12] in firsts[0] and middle[:12] in firsts[1]  # the rename changed no line
    assert all(newest[:12] not in line for line in lines)
    assert "&lt;script&gt;" in lines[0]


def test_not_found_and_errors_are_pages(visitor: PageSession, shop: dict[str, Any]) -> None:
    name = shop["group"]["name"]
    for path in (
        "/ui/no-such-group",
        f"/ui/{name}/no-such-project",
        f"/ui/{name}/people/no-such-page",
        f"/ui/{shop['id']}/no-such-page",
        "/ui/_pzzzzzzzzzzzzzzzz1",
    ):
        assert_page(visitor.get(path), 404)
    no_route = Client(visitor.client.base_url).get(
        "/ui/a/b/c/d", headers=visitor.headers()
    )  # not in the spec
    assert_page(no_route, 404)
    assert_page(visitor.get(f"/ui/{name}/people?at=not-a-version"), 400)
    assert_page(visitor.get(f"/ui/{name}/people?at={'f' * 500}"), 400)
    wrong_method = Client(visitor.client.base_url).request("DELETE", "/ui/", headers=visitor.headers())
    assert_page(wrong_method, 405)


def test_a_scoped_key_sees_only_its_groups_and_cannot_tell_others_exist(
    server: Server, api: Client, make_key: MakeKey, shop: dict[str, Any], unique: Callable[[str], str]
) -> None:
    mine = api.post("/project-group", {"name": unique("mine")}).json
    scoped = make_key("read", mine["id"])
    visitor = PageSession(server.url)
    assert scoped.key is not None and visitor.login(scoped.key).status == 303
    listing = assert_page(visitor.get("/ui/"))
    assert mine["name"] in listing and shop["group"]["name"] not in listing
    other = visitor.get(f"/ui/{shop['group']['name']}")
    missing = visitor.get(f"/ui/{unique('nobody-has-this')}")
    assert_page(other, 403)
    assert_page(missing, 403)
    assert other.body.replace(shop["group"]["name"].encode(), b"") == other.body  # no name echoed
    assert_page(visitor.get(f"/ui/{shop['id']}"), 403)
    assert_page(visitor.get(f"/ui/{shop['group']['name']}/people/history"), 403)
    assert_page(visitor.get(f"/ui/{shop['group']['id']}"), 403)


def test_restore_needs_write_a_form_token_and_shows_the_diff_first(
    server: Server, api: Client, make_key: MakeKey, shop: dict[str, Any]
) -> None:
    pid, oldest = shop["id"], shop["versions"][-1]
    base = f"/ui/{shop['group']['name']}/people"
    reader = PageSession(server.url)
    read_key = make_key("read")
    assert read_key.key is not None and reader.login(read_key.key).status == 303
    assert "Restore this version" not in assert_page(reader.get(f"{base}?at={oldest}"))
    assert_page(reader.get(f"{base}/restore?version={oldest}"), 403)
    writer = PageSession(server.url)
    write_key = make_key("write")
    assert write_key.key is not None and writer.login(write_key.key).status == 303
    assert f"/restore?version={oldest}" in assert_page(writer.get(f"{base}?at={oldest}"))
    preview = assert_page(writer.get(f"{base}/restore?version={oldest}"))
    assert "<del>" in preview or 'class="text del"' in preview  # the lines the restore removes
    token = csrf_of(preview)
    before = len(api.get(f"/project/{pid}/history").json["versions"])
    for bad in ({"version": oldest}, {"version": oldest, "csrf": "f" * 64}):
        assert_page(writer.form(f"{base}/restore", bad), 403)
    assert_page(reader.form(f"{base}/restore", {"version": oldest, "csrf": csrf_of(reader.get("/ui/"))}), 403)
    assert len(api.get(f"/project/{pid}/history").json["versions"]) == before  # nothing was written
    done = writer.form(f"{base}/restore", {"version": oldest, "csrf": token, "message": "back <to> start"})
    assert done.status == 303 and done.headers["Location"] == f"/ui/{pid}/history"
    assert api.get(f"/project/{pid}").json["data"] == HOSTILE
    history = assert_page(writer.get(done.headers["Location"]))
    assert "restore" in history and "back &lt;to&gt; start" in history
    by_id = writer.form(f"/ui/{pid}/restore", {"version": shop["versions"][0], "csrf": token})
    assert by_id.status == 303 and by_id.headers["Location"] == f"/ui/{pid}/history"
    assert api.get(f"/project/{pid}").json["name"] == "people"


# -- contrast ------------------------------------------------------------------------------------


def _luminance(colour: str) -> float:
    digits = colour.lstrip("#")
    if len(digits) == 3:
        digits = "".join(c * 2 for c in digits)
    channels = [int(digits[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def _contrast(a: str, b: str) -> float:
    light, dark = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def test_highlighting_colours_meet_wcag_aa() -> None:
    from pygments.styles import get_style_by_name
    from pygments.token import Whitespace

    from registry.http.pages.static import PYGMENTS_STYLE

    style = get_style_by_name(PYGMENTS_STYLE)
    background = style.background_color or "#ffffff"
    # Pygments' token types define `in` as "is a subtype of", which typeshed does not know.
    low = [(str(t), s["color"]) for t, s in style if s["color"] and t not in Whitespace]  # type: ignore[comparison-overlap]
    assert [(t, c) for t, c in low if _contrast(f"#{c}", background) < 4.5] == []


def test_page_colours_meet_wcag_aa() -> None:
    css = (Path(__file__).parents[2] / "registry/http/pages/static/ui.css").read_text()
    colour = dict(re.findall(r"--([a-z-]+): (#[0-9a-f]{6})", css))
    pairs = [
        ("text", "#ffffff"),
        ("muted", "#ffffff"),
        ("muted", colour["soft"]),
        ("link", "#ffffff"),
        ("link", colour["soft"]),
        *((("text", colour[name])) for name in ("del", "ins", "del-word", "ins-word", "warn")),
        ("muted", colour["del"]),
        ("muted", colour["ins"]),
    ]
    assert [(f, b) for f, b in pairs if _contrast(colour[f], colour.get(b) or b) < 4.5] == []
    assert _contrast("#ffffff", "#1f6f3a") >= 4.5  # the primary button


# -- settings ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [("https://registry.example.com/", "https://registry.example.com"), ("http://10.0.0.1:8080/reg", None)],
)
def test_the_public_url_setting(value: str, expected: str | None) -> None:
    assert config_from(public_url=value, env={}).public_url == (expected or value)
    assert config_from(env={"REGISTRY_PUBLIC_URL": value}).public_url == (expected or value)
    assert config_from(env={}).public_url is None


@pytest.mark.parametrize(
    "value",
    [
        "ftp://x.example",
        "registry.example.com",
        "https://x.example/a b",
        "https://x.example/?q=1",
        "javascript:x",
    ],
)
def test_a_public_url_that_is_no_http_address_is_refused(value: str) -> None:
    with pytest.raises(InvalidInput, match="REGISTRY_PUBLIC_URL"):
        config_from(public_url=value, env={})


def test_the_session_idle_setting() -> None:
    assert config_from(env={}).session_idle_seconds == 8 * 3600
    assert (
        config_from(session_idle_seconds=60, env={"REGISTRY_SESSION_IDLE_SECONDS": "5"}).session_idle_seconds
        == 60
    )
    assert config_from(env={"REGISTRY_SESSION_IDLE_SECONDS": "5"}).session_idle_seconds == 5
    with pytest.raises(InvalidInput, match="--session-idle-seconds"):
        config_from(env={"REGISTRY_SESSION_IDLE_SECONDS": "0"})
