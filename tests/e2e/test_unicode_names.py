"""Names in any script: stored in NFC, unique under Unicode case folding, cloned and pushed by git."""

from __future__ import annotations

import os
import unicodedata
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

from tests.support.client import Client
from tests.support.git import git, repo_path
from tests.support.server import Server

NFC = "kunden_übersicht"
NFD = unicodedata.normalize("NFD", NFC)
SCHEMA = "kunde:\n  name: string\n"
assert NFC != NFD  # the test needs two spellings of one name


def _create(api: Client, group: dict[str, Any], name: str, data: str | None = SCHEMA) -> Any:
    return api.post("/project", {"project_group_id": group["id"], "name": name, "data": data})


def test_a_unicode_name_is_stored_in_nfc_and_found_in_any_form(api: Client, group: dict[str, Any]) -> None:
    created = _create(api, group, NFD)  # sent decomposed, as a macOS file name would give it
    assert created.status == 201, created
    assert created.json["name"] == NFC
    for spelling in (NFC, NFD, NFC.upper(), "KUNDEN_ÜBERSICHT"):
        found = api.get(f"/project/{group['name']}/{quote(spelling)}")
        assert found.status == 200, spelling
        assert found.json["id"] == created.json["id"]


@pytest.mark.parametrize(
    "other", [NFC, NFD, "Kunden_Übersicht", unicodedata.normalize("NFD", "KUNDEN_ÜBERSICHT")]
)
def test_names_that_fold_equal_are_taken(api: Client, group: dict[str, Any], other: str) -> None:
    assert _create(api, group, NFC).status == 201
    taken = _create(api, group, other)
    assert taken.status == 409 and taken.json["code"] == "name-taken", other


def test_case_folding_is_unicode_not_ascii(api: Client, group: dict[str, Any]) -> None:
    assert _create(api, group, "straße").status == 201
    assert _create(api, group, "STRASSE").json["code"] == "name-taken"  # ß folds to ss
    assert _create(api, group, "ΣΊΣΥΦΟΣ").status == 201
    assert _create(api, group, "σίσυφος").json["code"] == "name-taken"  # final and medial sigma


def test_rename_to_and_from_unicode_names(api: Client, server: Server, group: dict[str, Any]) -> None:
    project = _create(api, group, "customers").json
    renamed = api.patch(f"/project/{project['id']}", {"name": NFD})
    assert renamed.status == 200 and renamed.json["name"] == NFC
    files = git(
        "--git-dir", str(repo_path(server.data_dir, group["id"])), "ls-tree", "-z", "--name-only", "main"
    )
    assert f"{NFC}.yaml" in files.stdout.split("\0")
    again = api.patch(f"/project/{group['name']}/{quote(NFD)}", {"name": "日本語_顧客"})
    assert again.status == 200 and again.json["name"] == "日本語_顧客"


def test_a_unicode_group_is_cloned_with_nfc_file_names(
    api: Client, server: Server, tmp_path: Path, unique: Any
) -> None:
    group = api.post("/project-group", {"name": unicodedata.normalize("NFD", unique("gruppe_ä"))}).json
    assert unicodedata.is_normalized("NFC", group["name"])
    assert _create(api, group, NFC).status == 201
    assert _create(api, group, "данные").status == 201
    url = f"http://any:{api.key}@127.0.0.1:{server.port}/git/{quote(group['name'])}.git"
    git("clone", "-q", url, "clone", cwd=tmp_path)
    names = set(os.listdir(os.fsencode(tmp_path / "clone")))
    assert {f"{NFC}.yaml".encode(), "данные.yaml".encode()} <= names  # the NFC bytes, as stored
    assert (tmp_path / "clone" / f"{NFC}.yaml").read_text() == SCHEMA


@pytest.fixture
def work(api: Client, server: Server, group: dict[str, Any], tmp_path: Path) -> Path:
    url = f"http://any:{api.key}@127.0.0.1:{server.port}/git/{group['name']}.git"
    assert _create(api, group, "seed").status == 201
    git("clone", "-q", url, "work", cwd=tmp_path)
    work = tmp_path / "work"
    git("config", "user.name", "Ada", cwd=work)
    git("config", "user.email", "ada@example.com", cwd=work)
    git("config", "core.precomposeUnicode", "false", cwd=work)  # keep the bytes as written
    return work


def _push(work: Path, file_name: str) -> Any:
    (work / file_name).write_text(SCHEMA)
    git("add", "-A", cwd=work)
    git("commit", "-q", "-m", f"Add {file_name}", cwd=work)
    return git("push", "origin", "main", cwd=work, check=False)


def test_a_pushed_nfc_file_becomes_a_unicode_project(api: Client, group: dict[str, Any], work: Path) -> None:
    result = _push(work, "größe.yaml")
    assert result.returncode == 0, result.stderr
    project = api.get(f"/project/{group['name']}/{quote('GRÖSSE')}")
    assert project.status == 200 and project.json["name"] == "größe"


def test_a_pushed_nfd_file_name_is_refused_with_the_nfc_name(
    api: Client, group: dict[str, Any], work: Path
) -> None:
    result = _push(work, unicodedata.normalize("NFD", "größe.yaml"))
    assert result.returncode != 0
    assert "not in Unicode NFC" in result.stderr and "größe" in result.stderr
    assert api.get(f"/project/{group['name']}/{quote('größe')}").status == 404


def test_a_pushed_file_whose_name_folds_like_another_is_refused(
    api: Client, group: dict[str, Any], work: Path
) -> None:
    (work / "Straße.yaml").write_text(SCHEMA)
    refused = _push(work, "STRASSE.yaml")  # both in one push: ß folds to ss
    assert refused.returncode != 0 and "same project name" in refused.stderr
    assert api.get(f"/project/{group['name']}/{quote('straße')}").status == 404


@pytest.mark.parametrize(
    "name", ["t\u0435am", "\uff54eam", "a\u200db", "\u202eevil", "x" + "\u00e9" * 100, "\u00e9" * 101]
)
def test_hostile_unicode_project_names_are_400(api: Client, group: dict[str, Any], name: str) -> None:
    response = _create(api, group, name)
    assert response.status == 400 and response.json["code"] == "invalid-input", name
