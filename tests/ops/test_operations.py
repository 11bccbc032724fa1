"""Operations: request ids, JSON logs, /metrics, /readyz, graceful shutdown, check, backup, undelete."""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import re
import signal
import socket
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from registry.core.metadata import METADATA_FILE
from repo_store import GitRepository, Signature, WriterLocks
from tests.support.client import Client
from tests.support.git import commit_count, git, repo_path
from tests.support.ops import assert_fsck_clean, cli, json_log_lines, metric_samples, sample
from tests.support.server import Server, run_cli

YAML = "user:\n  name: string\n"


@pytest.fixture(scope="module")
def json_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A server of this module's own, logging JSON lines."""
    srv = Server(tmp_path_factory.mktemp("ops") / "data", extra_args=("--log-format", "json")).start()
    yield srv
    srv.stop()


@pytest.fixture(scope="module")
def ops_api(json_server: Server) -> Client:
    return Client(json_server.url, json_server.admin_key())


def wait_for(condition: Callable[[], bool], timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.02)


# -- request ids and logs ------------------------------------------------------------------


def test_request_id_is_generated_when_absent(api: Client) -> None:
    first, second = api.get("/project-group"), api.get("/project-group")
    assert re.fullmatch(r"[0-9a-f]{32}", first.headers["X-Request-Id"])
    assert first.headers["X-Request-Id"] != second.headers["X-Request-Id"]


@pytest.mark.parametrize("path", ["/project-group", "/healthz", "/project/_pnope", "/nope"])
def test_a_valid_request_id_is_echoed_on_every_answer(api: Client, path: str) -> None:
    client = Client(api.base_url, api.key)  # /nope is undocumented on purpose
    response = client.get(path, headers={"X-Request-Id": "trace-42.a:b"})
    assert response.headers["X-Request-Id"] == "trace-42.a:b"


def test_a_401_also_carries_the_request_id(api: Client) -> None:
    response = api.with_key(None).get("/project-group", headers={"X-Request-Id": "anon-1"})
    assert response.status == 401
    assert response.headers["X-Request-Id"] == "anon-1"


@pytest.mark.parametrize("offered", ["x" * 200, "has space", 'quote"d', "-leading-dash", "caf\u00e9"])
def test_an_odd_request_id_is_replaced(api: Client, offered: str) -> None:
    conn = http.client.HTTPConnection(api.host, api.port, timeout=30)
    try:
        conn.putrequest("GET", "/healthz")
        conn.putheader("X-Request-Id", offered.encode("utf-8"))
        conn.endheaders()
        response = conn.getresponse()
        response.read()
    finally:
        conn.close()
    assert response.status == 200
    assert re.fullmatch(r"[0-9a-f]{32}", response.headers["X-Request-Id"])


def test_json_log_lines_carry_request_id_and_fields(json_server: Server, ops_api: Client) -> None:
    ops_api.get("/project-group", headers={"X-Request-Id": "json-log-1"})

    def logged() -> list[dict[str, Any]]:
        return [line for line in json_log_lines(json_server.log()) if line.get("request_id") == "json-log-1"]

    wait_for(lambda: bool(logged()))
    (line,) = logged()
    assert line["method"] == "GET"
    assert line["path"] == "/project-group"
    assert line["status"] == 200
    assert line["key"] == "admin"
    assert isinstance(line["pid"], int)
    assert isinstance(line["duration_ms"], float)
    assert json_server.admin_key() not in json_server.log()
    # Every line is JSON, including the start-up ones.
    assert all(
        line.startswith("{")
        for line in json_server.log().splitlines()
        if not line.startswith(("=", "(", "Created"))
    )


def test_text_log_lines_carry_the_request_id(api: Client, server: Server) -> None:
    api.get("/project-group", headers={"X-Request-Id": "text-log-1"})
    wait_for(lambda: "[text-log-1] GET /project-group 200" in server.log())


# -- /readyz and /metrics ------------------------------------------------------------------


def test_readyz_is_public_and_ready(api: Client) -> None:
    response = api.with_key(None).get("/readyz")
    assert response.status == 200
    assert response.json == {"status": "ready"}


def test_readyz_is_503_when_the_data_folder_is_unusable(tmp_path: Path) -> None:
    srv = Server(tmp_path / "data").start()
    try:
        client = Client(srv.url)
        (srv.data_dir / "groups").rename(tmp_path / "moved")
        response = client.get("/readyz")
        assert response.status == 503
        assert response.json["status"] == "not-ready"
        assert str(tmp_path) not in response.json["detail"]
        assert client.get("/healthz").status == 200  # alive, just not ready
        (tmp_path / "moved").rename(srv.data_dir / "groups")
        assert client.get("/readyz").status == 200
        assert not list(srv.data_dir.glob(".readyz-*"))
    finally:
        srv.stop()


def test_metrics_need_a_key(api: Client) -> None:
    assert api.with_key(None).get("/metrics").status == 401


def test_metrics_count_requests_commits_and_repositories(
    ops_api: Client, json_server: Server, unique: Callable[[str], str]
) -> None:
    before = metric_samples(ops_api)
    group = ops_api.post("/project-group", {"name": unique("m")}).json
    project = ops_api.post("/project", {"project_group_id": group["id"], "name": "p", "data": YAML}).json
    for n in range(3):
        assert ops_api.put(f"/project/{project['id']}", {"data": f"# {n}\n{YAML}"}).status == 200
    assert ops_api.put(f"/project/{project['id']}", {"data": "a: ["}).status == 422
    ops_api.get("/no/such/path/at/all")
    after = metric_samples(ops_api)

    def delta(name: str, **labels: str) -> float:
        return sample(after, name, **labels) - sample(before, name, **labels)

    route = "/project/{project_id}"
    assert delta("registry_http_requests_total", method="PUT", route=route, status="200") == 3
    assert delta("registry_http_requests_total", method="PUT", route=route, status="422") == 1
    assert delta("registry_http_requests_total", method="GET", route="unmatched", status="404") == 1
    assert delta("registry_http_request_duration_seconds_count", method="PUT", route=route) == 4
    assert delta("registry_commits_total", action="create-group") == 1
    assert delta("registry_commits_total", action="create-project") == 1
    assert delta("registry_commits_total", action="update-project") == 3  # the 422 made none
    assert sample(after, "registry_repositories", state="live") >= 1
    assert sample(after, "registry_repository_bytes", state="live") > 0
    assert sample(after, "registry_http_requests_in_flight") == 1  # this scrape
    # create (1), three updates and the refused one (4): five yaml validations, the refused one too
    assert delta("registry_validation_duration_seconds_count", format="yaml") == 5
    assert delta("registry_validation_duration_seconds_sum", format="yaml") > 0
    assert commit_count(repo_path(json_server.data_dir, group["id"])) == 5


# -- graceful shutdown ---------------------------------------------------------------------


def _raw_request(api: Client, method: str, path: str, body: bytes) -> bytes:
    return (
        f"{method} {path} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {api.key}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
    ).encode() + body


@pytest.fixture
def own_server(tmp_path: Path) -> Iterator[Server]:
    srv = Server(tmp_path / "data").start()
    yield srv
    srv.stop()


@pytest.mark.parametrize(
    ("to_group", "workers"),
    [(False, 1), (True, 1), (True, 2)],
    ids=["to-the-server", "to-its-process-group", "to-the-group-of-two-workers"],
)
def test_sigterm_lets_in_flight_writes_finish(tmp_path: Path, to_group: bool, workers: int) -> None:
    """Also when every process of the group gets it (systemd's default, Ctrl-C in a terminal):
    the validation processes must outlive the requests they are validating, and a worker that
    gets SIGTERM twice (from the group and from its supervisor) must still finish them."""
    srv = Server(tmp_path / "data", extra_args=("--workers", str(workers))).start()
    try:
        _in_flight_writes_finish_after(srv, to_group)
    finally:
        srv.stop()


def _in_flight_writes_finish_after(srv: Server, to_group: bool) -> None:
    api = Client(srv.url, srv.admin_key())
    group = api.post("/project-group", {"name": "g"}).json
    writes = 16
    projects = [
        api.post("/project", {"project_group_id": group["id"], "name": f"p{n}"}).json["id"]
        for n in range(writes)
    ]
    big = "user:\n" + "".join(f"  field_{n}: string\n" for n in range(600))
    before = metric_samples(api)
    sockets = []
    for n, pid in enumerate(projects):  # all to one group: they queue behind its writer lock
        sock = socket.create_connection((api.host, api.port), timeout=60)
        sock.sendall(
            _raw_request(api, "PUT", f"/project/{pid}", json.dumps({"data": f"# {n}\n{big}"}).encode())
        )
        sockets.append(sock)

    def started_and_running() -> tuple[float, float]:
        now = metric_samples(api)
        done = sample(
            now, "registry_http_requests_total", method="PUT", route="/project/{project_id}", status="200"
        )
        return done - sample(
            before, "registry_http_requests_total", method="PUT", route="/project/{project_id}", status="200"
        ), sample(now, "registry_http_requests_in_flight") - 1

    wait_for(lambda: sum(started_and_running()) == writes)  # every handler has begun
    done_at_term, running_at_term = started_and_running()
    assert srv.process is not None
    if to_group:
        os.killpg(srv.process.pid, signal.SIGTERM)  # its own session: the group is the server's
    else:
        srv.process.send_signal(signal.SIGTERM)
    answers = [_read_http_response(sock) for sock in sockets]
    for sock in sockets:
        sock.close()
    assert [a.split(b"\r\n", 1)[0] for a in answers] == [b"HTTP/1.1 200 OK"] * writes
    assert srv.process.wait(30) == 0
    assert running_at_term > 0, f"all {done_at_term} writes had finished before SIGTERM: make them slower"
    repo = repo_path(srv.data_dir, group["id"])
    assert commit_count(repo) == 1 + writes + writes
    assert_fsck_clean(srv.data_dir)
    srv.start()
    restarted = Client(srv.url, srv.admin_key())
    assert restarted.get(f"/project/{projects[-1]}").json["data"].startswith(f"# {writes - 1}\n")


def test_a_second_ctrl_c_during_a_validation_still_ends_the_server(tmp_path: Path) -> None:
    """A second SIGINT interrupts aiohttp's cleanup; the validation processes (which ignore
    signals) must still be ended, or the interpreter's exit would wait for them for ever."""
    srv = Server(tmp_path / "data").start()
    api = Client(srv.url, srv.admin_key())
    slow = "".join(
        f"CREATE TABLE t{i} (id INT PRIMARY KEY, r INT REFERENCES t{max(i - 1, 0)}(id));\n"
        for i in range(3000)
    )
    with ThreadPoolExecutor(1) as pool:
        checking = pool.submit(api.post, "/validate", {"format": "sql", "data": slow})
        time.sleep(0.5)  # the document is being validated
        assert srv.process is not None
        srv.process.send_signal(signal.SIGINT)
        time.sleep(0.2)
        srv.process.send_signal(signal.SIGINT)
        assert srv.process.wait(60) is not None  # it ends (it hung for ever before)
        with contextlib.suppress(OSError):  # answered or cut off: either is fine here
            checking.result(timeout=60)
    srv.stop()


def test_sigterm_fails_a_half_sent_body_at_once_and_writes_nothing(own_server: Server) -> None:
    srv = own_server
    api = Client(srv.url, srv.admin_key())
    group = api.post("/project-group", {"name": "g"}).json
    project = api.post("/project", {"project_group_id": group["id"], "name": "p", "data": YAML}).json
    request = _raw_request(
        api, "PUT", f"/project/{project['id']}", json.dumps({"data": "# late\n" + YAML}).encode()
    )
    with socket.create_connection((api.host, api.port), timeout=30) as sock:
        sock.sendall(request[:-10])
        wait_for(lambda: sample(metric_samples(api), "registry_http_requests_in_flight") >= 2)
        started = time.monotonic()
        assert srv.process is not None
        srv.process.send_signal(signal.SIGTERM)
        answer = _read_http_response(sock)
    assert answer.startswith(b"HTTP/1.1 503"), answer[:300]
    assert b'"code": "shutting-down"' in answer
    assert srv.process.wait(30) == 0
    assert time.monotonic() - started < 10  # not the 30 s shutdown timeout
    assert commit_count(repo_path(srv.data_dir, group["id"])) == 2
    log = srv.log()
    assert "shutting down: no new connections" in log
    assert log.rstrip().endswith("stopped")  # operators see that it stopped, and that it was clean


def _refuses_connections(api: Client) -> bool:
    try:
        socket.create_connection((api.host, api.port), timeout=1).close()
    except OSError:
        return True
    return False


def _read_http_response(sock: socket.socket) -> bytes:
    data = b""
    while b"\r\n\r\n" not in data or len(data) < data.index(b"\r\n\r\n") + 4 + _content_length(data):
        chunk = sock.recv(65536)
        if not chunk:
            break
        data += chunk
    return data


def _content_length(data: bytes) -> int:
    match = re.search(rb"(?i)content-length: *(\d+)", data)
    return int(match.group(1)) if match else 0


# -- check, backup, restore, deleted groups ------------------------------------------------


@pytest.fixture
def populated(tmp_path: Path) -> Iterator[tuple[Server, Client]]:
    """A stopped-and-started server over a data folder with two groups, one deleted group."""
    srv = Server(tmp_path / "data").start()
    api = Client(srv.url, srv.admin_key())
    for name in ("alpha", "beta"):
        group = api.post("/project-group", {"name": name}).json
        for project in ("one", "two"):
            api.post("/project", {"project_group_id": group["id"], "name": project, "data": YAML})
        api.post("/project", {"project_group_id": group["id"], "name": "empty"})
    gone = api.post("/project-group", {"name": "gone"}).json
    assert api.delete(f"/project-group/{gone['id']}").status == 200
    try:
        yield srv, api
    finally:
        srv.stop()


def test_check_passes_on_a_healthy_data_folder(populated: tuple[Server, Client]) -> None:
    srv, _ = populated
    result = cli("check", data_dir=srv.data_dir)
    assert result.stdout.strip().splitlines()[-1] == "OK: checked 3 repositories"
    report = json.loads(cli("check", "--json", data_dir=srv.data_dir).stdout)
    assert report["ok"] is True
    assert report["git_fsck"] is True


def test_check_finds_a_missing_object(populated: tuple[Server, Client]) -> None:
    srv, api = populated
    group = api.get("/project-group/alpha").json
    repo = repo_path(srv.data_dir, group["id"])
    (repo / "refs" / "tags" / "broken").write_text("1234567890123456789012345678901234567890\n")
    result = cli("check", data_dir=srv.data_dir, check=False)
    assert result.returncode == 1
    assert "git fsck" in result.stdout
    assert "PROBLEMS FOUND" in result.stdout


def test_check_finds_metadata_that_disagrees_with_the_files(populated: tuple[Server, Client]) -> None:
    srv, api = populated
    group = api.get("/project-group/beta").json
    repo = GitRepository(repo_path(srv.data_dir, group["id"]), WriterLocks())
    with repo, repo.writer() as writer:
        head = repo.head()
        meta = json.loads(repo.read_blob(repo.tree_files(head or "")[METADATA_FILE]))
        meta["group"]["id"] = "_g0000000000000000"
        writer.commit(
            parent=head,
            changes={"stray.txt": b"?", "one.yaml": None, METADATA_FILE: json.dumps(meta).encode()},
            author=Signature("t", "t@x"),
            committer=Signature("t", "t@x"),
            message="break it",
            timestamp=int(time.time()),
        )
    (srv.data_dir / "groups" / ".staging-_g1111111111111111.git").mkdir()
    report = json.loads(cli("check", "--json", data_dir=srv.data_dir, check=False).stdout)
    messages = {(f["severity"], f["message"]) for f in report["findings"]}
    assert report["ok"] is False
    assert ("error", "stray.txt belongs to no project") in messages
    assert any(s == "error" and "one.yaml is missing" in m for s, m in messages)
    assert any(s == "error" and "names group '_g0000000000000000'" in m for s, m in messages)
    assert ("warning", "left by an interrupted write; safe to delete") in messages


def test_backup_and_restore_keep_every_commit_and_key(
    populated: tuple[Server, Client], tmp_path: Path
) -> None:
    srv, api = populated
    before = {g["name"]: g for g in api.get("/project-group").json["project_groups"]}
    heads = {
        name: git("--git-dir", str(repo_path(srv.data_dir, g["id"])), "rev-parse", "main").stdout
        for name, g in before.items()
    }
    out = cli("backup", "--out", str(tmp_path / "bk"), data_dir=srv.data_dir).stdout
    assert "Backed up 2 group(s) and 1 deleted group(s)" in out
    assert (tmp_path / "bk" / "keys.json").stat().st_mode & 0o077 == 0
    refused = cli("backup", "--out", str(tmp_path / "bk"), data_dir=srv.data_dir, check=False)
    assert refused.returncode == 2 and "not empty" in refused.stderr

    restored = tmp_path / "restored"
    cli("restore", "--from", str(tmp_path / "bk"), data_dir=restored)
    again = cli("restore", "--from", str(tmp_path / "bk"), data_dir=restored, check=False)
    assert again.returncode == 2 and "already has project groups" in again.stderr
    assert cli("check", data_dir=restored).returncode == 0
    assert_fsck_clean(restored)
    for name, group in before.items():
        repo = repo_path(restored, group["id"])
        assert git("--git-dir", str(repo), "rev-parse", "main").stdout == heads[name]
        assert (repo / "HEAD").read_text().strip() == "ref: refs/heads/main"
    assert len(list((restored / "deleted-groups").glob("_g*.git"))) == 1

    second = Server(restored).start()  # the old admin key works: keys came along
    try:
        client = Client(second.url, api.key)
        assert {g["name"] for g in client.get("/project-group").json["project_groups"]} == set(before)
        project = client.get("/project/alpha/one").json
        assert project["data"] == YAML
        assert client.put(f"/project/{project['id']}", {"data": "# after restore\n" + YAML}).status == 200
    finally:
        second.stop()


def test_backups_taken_during_writes_and_group_moves_hold_every_group_once(
    populated: tuple[Server, Client], tmp_path: Path
) -> None:
    """Refs move under the writer lock, and groups move between folders under the name lock."""
    srv, api = populated
    project = api.get("/project/alpha/one").json
    stop = threading.Event()
    statuses: list[int] = []

    def write() -> None:
        client = Client(srv.url, api.key)
        n = 0
        while not stop.is_set():
            n += 1
            statuses.append(client.put(f"/project/{project['id']}", {"data": f"# {n}\n" + YAML}).status)

    def move() -> None:  # delete and undelete a group while backups list the folders
        while not stop.is_set():
            doomed = api.post("/project-group", {"name": f"doomed-{uuid.uuid4().hex[:8]}"}).json
            api.delete(f"/project-group/{doomed['id']}")
            cli("groups", "undelete", doomed["id"], data_dir=srv.data_dir)

    threads = [threading.Thread(target=write) for _ in range(3)] + [threading.Thread(target=move)]
    for t in threads:
        t.start()
    try:
        outs = [tmp_path / f"bk{n}" for n in range(8)]
        results = [cli("backup", "--out", str(out), data_dir=srv.data_dir, check=False) for out in outs]
    finally:
        stop.set()
        for t in threads:
            t.join()
    assert [r.returncode for r in results] == [0] * len(outs), [r.stderr for r in results]
    assert statuses and set(statuses) == {200}
    for out in outs:
        manifest = json.loads((out / "manifest.json").read_text())
        ids = [
            e["repository"].removesuffix(".git").partition("-")[0]
            for f in ("groups", "deleted-groups")
            for e in manifest[f]
        ]
        assert len(ids) == len(set(ids)), manifest  # no group twice
        assert {e["repository"] for e in manifest["groups"]} >= {
            f"{g}.git" for g in _live_ids(api, "alpha", "beta")
        }


def _live_ids(api: Client, *names: str) -> list[str]:
    return [api.get(f"/project-group/{name}").json["id"] for name in names]


def test_an_interrupted_restore_is_not_served_and_runs_again_to_the_end(
    populated: tuple[Server, Client], tmp_path: Path
) -> None:
    srv, _ = populated
    cli("backup", "--out", str(tmp_path / "bk"), data_dir=srv.data_dir)
    manifest = json.loads((tmp_path / "bk" / "manifest.json").read_text())
    last = tmp_path / "bk" / "groups" / manifest["groups"][-1]["bundle"]
    kept = last.read_bytes()
    last.write_bytes(b"not a bundle")  # the restore stops here, after the first group
    restored = tmp_path / "restored"
    broken = cli("restore", "--from", str(tmp_path / "bk"), data_dir=restored, check=False)
    assert broken.returncode == 2
    assert len(list((restored / "groups").glob("_g*.git"))) == 1
    unfinished = cli("check", data_dir=restored, check=False)
    assert unfinished.returncode == 1 and "did not finish; run the same restore again" in unfinished.stdout
    refused = run_cli("serve", "--port", "0", data_dir=restored, check=False)  # returns at once
    assert refused.returncode == 2 and "did not finish" in refused.stderr
    assert not (restored / "admin.key").exists()  # no new admin key for a partial folder
    last.write_bytes(kept)
    cli("restore", "--from", str(tmp_path / "bk"), data_dir=restored)  # carries on
    assert cli("check", data_dir=restored).returncode == 0
    assert len(list((restored / "groups").glob("_g*.git"))) == len(manifest["groups"])
    again = cli("restore", "--from", str(tmp_path / "bk"), data_dir=restored, check=False)
    assert again.returncode == 2 and "already has project groups" in again.stderr


def test_backup_creates_no_lock_file_and_fills_an_existing_empty_folder(
    populated: tuple[Server, Client], tmp_path: Path
) -> None:
    """A backup may run as another user (root) or on a read-only snapshot: it must not create
    the server's lock files. An existing empty --out (a mount point) is filled in place."""
    srv, _ = populated
    locks = [p for p in srv.data_dir.rglob("*.flock")]
    for lock in locks:
        lock.unlink()  # as in a folder whose groups were never written after being made
    out = tmp_path / "mounted"
    out.mkdir()
    cli("backup", "--out", str(out), data_dir=srv.data_dir)
    assert list(srv.data_dir.rglob("*.flock")) == []
    manifest = json.loads((out / "manifest.json").read_text())
    assert len(manifest["groups"]) == 2 and len(manifest["deleted-groups"]) == 1


def test_backup_refuses_a_folder_that_is_not_a_data_folder(tmp_path: Path) -> None:
    (tmp_path / "typo").mkdir()
    result = cli("backup", "--out", str(tmp_path / "bk"), data_dir=tmp_path / "typo", check=False)
    assert result.returncode == 2 and "is not a registry data folder" in result.stderr
    assert not (tmp_path / "bk").exists()


def test_operator_commands_refuse_what_is_not_a_data_folder(tmp_path: Path) -> None:
    """A typo in --data-dir must not pass as a registry with nothing in it."""
    (tmp_path / "typo").mkdir()
    for folder in (tmp_path / "typo", tmp_path / "missing"):
        for command in (["check"], ["maintain"], ["groups", "deleted"]):
            result = cli(*command, data_dir=folder, check=False)
            assert result.returncode == 2, (command, folder, result.stdout)
            assert "is not a registry data folder" in result.stderr


def test_backup_refuses_a_destination_inside_the_data_folder_or_a_file(
    populated: tuple[Server, Client], tmp_path: Path
) -> None:
    srv, _ = populated
    inside = cli("backup", "--out", str(srv.data_dir / "groups" / "bk"), data_dir=srv.data_dir, check=False)
    assert inside.returncode == 2 and "is inside the data folder" in inside.stderr
    (tmp_path / "file").write_text("x")
    a_file = cli("backup", "--out", str(tmp_path / "file"), data_dir=srv.data_dir, check=False)
    assert a_file.returncode == 2 and "is a file" in a_file.stderr and "Traceback" not in a_file.stderr
    assert cli("check", data_dir=srv.data_dir).returncode == 0


def test_maintain_takes_a_group_by_name(populated: tuple[Server, Client]) -> None:
    srv, api = populated
    group = api.get("/project-group").json["project_groups"][0]
    result = cli("maintain", "--group", group["name"].upper(), data_dir=srv.data_dir)
    assert result.stdout.startswith(f"{group['id']}\t") and "Repacked 1 repositories" in result.stdout
    some_unknown = cli(
        "maintain", "--group", "nosuch", "--group", group["name"], data_dir=srv.data_dir, check=False
    )
    assert some_unknown.returncode == 1 and "Repacked 1 repositories" in some_unknown.stdout
    assert "no project group 'nosuch'" in some_unknown.stdout


def test_serve_refuses_a_foreign_folder_and_says_so_in_one_line(tmp_path: Path) -> None:
    foreign = tmp_path / "srv"
    foreign.mkdir()
    (foreign / "notes.txt").write_text("not ours")
    refused = run_cli("serve", "--port", "0", data_dir=foreign, check=False)
    assert refused.returncode == 2 and "is not empty and is not a registry data folder" in refused.stderr
    assert sorted(p.name for p in foreign.iterdir()) == ["notes.txt"]
    a_file = run_cli("serve", "--port", "0", data_dir=foreign / "notes.txt", check=False)
    assert a_file.returncode == 1 and a_file.stderr.startswith("error: ") and "Traceback" not in a_file.stderr
    assert "restore-in-progress" not in a_file.stderr
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        busy = run_cli("serve", "--port", str(port), data_dir=tmp_path / "data", check=False)
    assert busy.returncode == 1 and "Traceback" not in busy.stderr
    assert [line for line in busy.stderr.splitlines() if line.startswith("error: ")], busy.stderr


def test_serve_takes_an_empty_volume_or_what_an_early_stop_left(tmp_path: Path) -> None:
    volume = tmp_path / "volume"
    for entry in ("lost+found", "deleted-groups"):
        (volume / entry).mkdir(parents=True)
    (volume / ".gitkeep").write_text("")
    (volume / "keys.flock").write_text("")
    srv = Server(volume).start()
    try:
        assert Client(srv.url, srv.admin_key()).get("/project-group").status == 200
    finally:
        srv.stop()


def test_check_reports_a_restore_that_stopped_before_any_group(tmp_path: Path) -> None:
    folder = tmp_path / "half"
    folder.mkdir()
    (folder / "restore-in-progress").write_text("/backups/x\n")
    result = cli("check", data_dir=folder, check=False)
    assert result.returncode == 1 and "a restore from /backups/x did not finish" in result.stdout


def test_restore_removes_a_first_start_key_the_backup_does_not_have(
    populated: tuple[Server, Client], tmp_path: Path
) -> None:
    srv, _ = populated
    cli("backup", "--out", str(tmp_path / "bk"), data_dir=srv.data_dir)
    fresh = Server(tmp_path / "fresh").start()  # a first start: its own admin key, no groups
    fresh.stop()
    assert (fresh.data_dir / "admin.key").exists()
    done = cli("restore", "--from", str(tmp_path / "bk"), data_dir=fresh.data_dir)
    assert "its key is not among the backup's keys" in done.stdout
    assert not (fresh.data_dir / "admin.key").exists()


def test_deleted_groups_are_listed_and_undeleted(populated: tuple[Server, Client]) -> None:
    srv, api = populated
    listed = json.loads(cli("groups", "deleted", "--json", data_dir=srv.data_dir).stdout)
    assert [g["name"] for g in listed] == ["gone"]
    gone = listed[0]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", gone["deleted_at"])
    table = cli("groups", "deleted", data_dir=srv.data_dir).stdout
    assert gone["id"] in table and "gone" in table

    taken = api.post("/project-group", {"name": "GONE"}).json  # same name ignoring case
    refused = cli("groups", "undelete", gone["id"], data_dir=srv.data_dir, check=False)
    assert refused.returncode == 2
    assert "rename it before undeleting" in refused.stderr
    assert api.delete(f"/project-group/{taken['id']}").status == 200

    out = cli("groups", "undelete", gone["folder"], data_dir=srv.data_dir).stdout
    assert f"Undeleted project group 'gone' ({gone['id']})" in out
    # The running server sees it at once, and its history says what happened.
    assert api.get("/project-group/gone").json["id"] == gone["id"]
    repo = repo_path(srv.data_dir, gone["id"])
    assert (
        git("--git-dir", str(repo), "log", "-1", "--format=%s").stdout.strip()
        == "Undelete project group gone"
    )
    assert commit_count(repo) == 3
    assert api.post("/project", {"project_group_id": gone["id"], "name": "p", "data": YAML}).status == 201
    assert [
        g["name"] for g in json.loads(cli("groups", "deleted", "--json", data_dir=srv.data_dir).stdout)
    ] == ["GONE"]
    missing = cli("groups", "undelete", gone["id"], data_dir=srv.data_dir, check=False)
    assert missing.returncode == 2 and "no deleted project group" in missing.stderr
    assert cli("check", data_dir=srv.data_dir).returncode == 0
