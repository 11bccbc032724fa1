"""ETags on every read of one project version, and a 412 that says which version is current."""

from __future__ import annotations

from typing import Any

from tests.support.client import Client

V1 = "user:\n  name: string\n"
V2 = "user:\n  name: string\n  email: string\n"


def _two_versions(api: Client, group: dict[str, Any]) -> tuple[str, str, str]:
    created = api.post("/project", {"project_group_id": group["id"], "name": "users", "data": V1}).json
    updated = api.put(f"/project/{created['id']}", {"data": V2}).json
    return created["id"], created["version"], updated["version"]


def test_a_version_read_carries_the_same_etag_as_time_travel(api: Client, group: dict[str, Any]) -> None:
    pid, first, second = _two_versions(api, group)
    for version in (first, first[:10]):  # a prefix names the full version in the ETag
        then = api.get(f"/project/{pid}/versions/{version}")
        assert then.status == 200
        assert then.headers["ETag"] == f'"{first}"'
        assert then.headers["ETag"] == api.get(f"/project/{pid}?at={version}").headers["ETag"]
    assert api.get(f"/project/{pid}/versions/{second}").headers["ETag"] == f'"{second}"'


def test_a_412_names_the_current_version_as_a_member_and_an_etag(api: Client, group: dict[str, Any]) -> None:
    pid, first, second = _two_versions(api, group)
    stale = {"If-Match": f'"{first}"'}
    for method, body in (("PUT", {"data": V1}), ("PATCH", {"name": "renamed"}), ("DELETE", None)):
        refused = api.request(method, f"/project/{pid}", body, headers=stale)
        assert refused.status == 412, method
        assert refused.json["current_version"] == second
        assert refused.headers["ETag"] == f'"{second}"'
    # What the 412 said is enough to retry: no read in between.
    retried = api.put(f"/project/{pid}", {"data": V1}, headers={"If-Match": refused.headers["ETag"]})
    assert retried.status == 200


def test_a_group_412_names_the_group_version(api: Client, group: dict[str, Any]) -> None:
    current = api.get(f"/project-group/{group['id']}").json["version"]
    refused = api.put(
        f"/project-group/{group['id']}", {"name": "x"}, headers={"If-Match": '"' + "0" * 40 + '"'}
    )
    assert refused.status == 412
    assert refused.json["current_version"] == current
    assert refused.headers["ETag"] == f'"{current}"'


def test_other_problems_carry_no_etag_or_current_version(api: Client, group: dict[str, Any]) -> None:
    pid, _, _ = _two_versions(api, group)
    missing = api.get(f"/project/{pid}/versions/{'f' * 40}")
    assert missing.status == 404
    assert "ETag" not in missing.headers and "current_version" not in missing.json
