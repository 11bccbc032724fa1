"""Offline care of a data folder: ``check`` it, and list and undelete deleted project groups.

Used by the CLI (``schema-registry check``, ``groups deleted``, ``groups undelete``). Everything
here reads the data folder directly and is safe while a server runs on it: checks only read, and
an undelete takes the same locks as the server's group writes.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

from registry.core.catalog import Catalog
from registry.core.changes import COMMITTER, author_signature
from registry.core.errors import InvalidInput, NameTaken, NotFound, RegistryError
from registry.core.history import commit_message
from registry.core.layout import (
    DELETED_DIR,
    DELETED_STAMP,
    GROUPS_DIR,
    KEYS_FILE,
    NAMES_LOCK_FILE,
    RESTORE_MARKER,
    STAGING_PREFIX,
)
from registry.core.metadata import EXTENSIONS, METADATA_FILE, GroupMeta
from registry.core.names import GROUP_ID_RE, PROJECT_ID_RE, group_of_project, is_name
from repo_store import GitRepository, StoreError, WriterLocks, fsync_path, hold_file_lock, read_head

GIT_TIMEOUT_SECONDS = 600


class MaintenanceError(RegistryError):
    """A maintenance command cannot do what was asked (the detail says why)."""


def unfinished_restore(data_dir: Path) -> str | None:
    """The backup folder a restore into ``data_dir`` was reading when it stopped, if one did."""
    try:
        return (data_dir / RESTORE_MARKER).read_text("utf-8").strip() or "?"
    except (FileNotFoundError, NotADirectoryError):  # no marker, or no folder to hold one
        return None


def is_data_folder(data_dir: Path) -> bool:
    """Whether ``data_dir`` is a registry data folder (a server has laid out its ``groups/``)."""
    return (data_dir / GROUPS_DIR).is_dir()


def require_data_folder(data_dir: Path) -> None:
    """Refuse a folder that is not a registry data folder: a typo in ``--data-dir`` must not pass
    as a registry with nothing to check, repack or list."""
    if not is_data_folder(data_dir):
        raise MaintenanceError(f"{data_dir} is not a registry data folder (it has no {GROUPS_DIR}/)")


# -- check ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Finding:
    severity: str  # "error": something is wrong; "warning": worth a look, harmless
    where: str  # path relative to the data folder
    message: str


@dataclass(frozen=True)
class CheckReport:
    findings: tuple[Finding, ...]
    repositories: int
    git_fsck: bool  # False when git is not installed: objects were not verified one by one

    @property
    def ok(self) -> bool:
        return not any(f.severity == "error" for f in self.findings)

    def to_json(self) -> dict[str, object]:
        return {
            "ok": self.ok,
            "repositories": self.repositories,
            "git_fsck": self.git_fsck,
            "findings": [asdict(f) for f in self.findings],
        }


def check_data_dir(data_dir: Path) -> CheckReport:
    """Verify every repository (``git fsck --strict``) and the registry's metadata in them."""
    unfinished = unfinished_restore(data_dir)
    if unfinished is None:  # a restore stopped before it made groups/ is still worth reporting
        require_data_folder(data_dir)
    git = shutil.which("git") is not None
    findings: list[Finding] = []
    if unfinished is not None:
        message = f"a restore from {unfinished} did not finish; run the same restore again"
        findings.append(Finding("error", RESTORE_MARKER, message))
    findings += _check_keys(data_dir)
    names: dict[str, str] = {}  # folded group name -> where
    count = 0
    for path, live in _repository_dirs(data_dir, findings):
        count += 1
        where = str(path.relative_to(data_dir))
        if git:
            findings += [Finding("error", where, line) for line in fsck_problems(path)]
        findings += [Finding("warning", where, msg) for msg in _lock_files(path)]
        meta = _check_metadata(path, where, findings, live=live)
        if live and meta is not None:
            other = names.setdefault(meta.name.casefold(), where)
            if other != where:
                findings.append(Finding("error", where, f"group name {meta.name!r} is also used by {other}"))
    return CheckReport(tuple(findings), count, git)


def _check_keys(data_dir: Path) -> list[Finding]:
    path = data_dir / KEYS_FILE
    if not path.exists():
        return [Finding("warning", KEYS_FILE, "no key file: the next server start creates an admin key")]
    try:
        doc = json.loads(path.read_text("utf-8"))
        for key in doc["keys"]:
            if not {"name", "role", "sha256", "created_at"} <= set(key):
                raise ValueError(f"key entry {key.get('name')!r} lacks fields")
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        return [Finding("error", KEYS_FILE, f"cannot be read: {exc}")]
    return []


def _repository_dirs(data_dir: Path, findings: list[Finding]) -> Iterator[tuple[Path, bool]]:
    """(repository, is_live) for every group repository; odd entries become findings."""
    for folder, live in ((data_dir / GROUPS_DIR, True), (data_dir / DELETED_DIR, False)):
        if not folder.is_dir():
            continue
        for path in sorted(folder.iterdir()):
            where = str(path.relative_to(data_dir))
            group_id = path.name.removesuffix(".git") if live else path.name.partition("-")[0]
            if path.name.startswith(STAGING_PREFIX):
                findings.append(Finding("warning", where, "left by an interrupted write; safe to delete"))
            elif path.is_dir() and path.name.endswith(".git") and GROUP_ID_RE.fullmatch(group_id):
                yield path, live
            else:
                findings.append(Finding("warning", where, "not a group repository"))


def fsck_problems(path: Path) -> list[str]:
    result = subprocess.run(
        ["git", "--git-dir", str(path), "fsck", "--strict", "--no-dangling", "--no-progress"],
        capture_output=True,
        text=True,
        timeout=GIT_TIMEOUT_SECONDS,
        check=False,
    )
    if result.returncode == 0:
        return []
    lines = [line for line in (result.stdout + result.stderr).splitlines() if line.strip()]
    return [f"git fsck: {line}" for line in lines] or [f"git fsck exited with {result.returncode}"]


def _lock_files(path: Path) -> list[str]:
    return [
        f"lock file {lock.relative_to(path)} (stale unless a write is running; the next write removes it)"
        for lock in sorted(path.rglob("*.lock"))
    ]


def _check_metadata(path: Path, where: str, findings: list[Finding], *, live: bool) -> GroupMeta | None:
    def error(message: str) -> None:
        findings.append(Finding("error", where, message))

    head = read_head(path)
    if head is None:
        error("branch main does not exist")
        return None
    with GitRepository(path, WriterLocks()) as repo:
        try:
            files = repo.tree_files(head)
            if METADATA_FILE not in files:
                error(f"{METADATA_FILE} is missing at main")
                return None
            try:
                meta = GroupMeta.loads(repo.read_blob(files[METADATA_FILE]))
            except (ValueError, KeyError, TypeError, AttributeError) as exc:
                error(f"{METADATA_FILE} cannot be read: {exc!r}")
                return None
            group_id = path.name.removesuffix(".git") if live else path.name.partition("-")[0]
            if meta.id != group_id:
                error(f"{METADATA_FILE} names group {meta.id!r}, but the folder is {group_id!r}")
            for message in _metadata_problems(meta, files):
                error(message)
            for name, blob in files.items():
                if name != METADATA_FILE and _not_utf8(repo, blob):
                    error(f"{name} is not valid UTF-8")
            return meta
        except StoreError as exc:
            error(f"cannot read main ({head}): {type(exc).__name__} {exc}")
            return None


def _metadata_problems(meta: GroupMeta, files: dict[str, str]) -> Iterator[str]:
    expected: set[str] = set()
    seen: dict[str, str] = {}
    if not is_name(meta.name):
        yield f"group name {meta.name!r} is not a valid name"
    for pid, project in meta.projects.items():
        match = PROJECT_ID_RE.fullmatch(pid)
        if match is None or group_of_project(pid) != meta.id:
            yield f"project id {pid} does not belong to group {meta.id}"
        elif int(match.group(2)) >= meta.next_project_number:
            yield f"project id {pid} is not below next_project_number {meta.next_project_number}"
        if not is_name(project.name):
            yield f"project {pid} has an invalid name {project.name!r}"
        if project.format not in EXTENSIONS:
            yield f"project {pid} has an unknown format {project.format!r}"
            continue
        other = seen.setdefault(project.name.casefold(), pid)
        if other != pid:
            yield f"projects {other} and {pid} have the same name ignoring case"
        if project.has_data:
            expected.add(project.file)
            if project.file not in files:
                yield f"project {pid} ({project.name}) has data but {project.file} is missing"
    for name in sorted(set(files) - expected - {METADATA_FILE}):
        yield f"{name} belongs to no project"


def _not_utf8(repo: GitRepository, blob: str) -> bool:
    try:
        repo.read_blob(blob).decode("utf-8")
    except UnicodeDecodeError:
        return True
    return False


# -- deleted groups ------------------------------------------------------------------------


@dataclass(frozen=True)
class DeletedGroup:
    folder: str  # under deleted-groups/
    id: str
    name: str
    deleted_at: str  # RFC 3339, from the folder's stamp
    version: str  # the commit main points at
    projects: int

    def to_json(self) -> dict[str, object]:
        return asdict(self)


def deleted_groups(data_dir: Path) -> list[DeletedGroup]:
    """Every deleted group's repository still on disk, newest deletion first."""
    found = []
    for path in sorted((data_dir / DELETED_DIR).glob("_g*.git")):
        group_id, _, stamp = path.name.removesuffix(".git").partition("-")
        head = read_head(path)
        if not GROUP_ID_RE.fullmatch(group_id) or head is None:
            continue
        with GitRepository(path, WriterLocks()) as repo:
            try:
                meta = GroupMeta.loads(repo.read_blob(repo.tree_files(head)[METADATA_FILE]))
            except (StoreError, KeyError, ValueError):
                continue  # `check` reports it; it cannot be undeleted as it is
        found.append(
            DeletedGroup(path.name, group_id, meta.name, _stamp_text(stamp), head, len(meta.projects))
        )
    return sorted(found, key=lambda g: g.deleted_at, reverse=True)


def _stamp_text(stamp: str) -> str:
    try:
        return datetime.strptime(stamp, DELETED_STAMP).replace(tzinfo=UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    except ValueError:
        return stamp


def undelete_group(data_dir: Path, ref: str, *, author: str = "schema-registry") -> DeletedGroup:
    """Move a deleted group back (by id or folder name), with a commit saying so.

    Refused if a live group has the same name ignoring case (rename that one first). Holds the
    registry's group-name lock, so a server creating or renaming a group meanwhile cannot take
    the name, and the repository's writer lock while committing and moving it.
    """
    candidates = [
        g for g in deleted_groups(data_dir) if ref in (g.id, g.folder, g.folder.removesuffix(".git"))
    ]
    if not candidates:
        raise NotFound(f"no deleted project group {ref!r} (see `schema-registry groups deleted`)")
    if len(candidates) > 1:
        folders = ", ".join(g.folder for g in candidates)
        raise InvalidInput(f"{ref!r} matches several deleted groups ({folders}); name the folder")
    group = candidates[0]
    source = data_dir / DELETED_DIR / group.folder
    target = data_dir / GROUPS_DIR / f"{group.id}.git"
    catalog = Catalog(data_dir)
    with hold_file_lock(data_dir / NAMES_LOCK_FILE):
        if target.exists():
            raise NameTaken(f"a live group already has id {group.id}")
        for live in catalog.list_groups():
            if live.name.casefold() == group.name.casefold():
                raise NameTaken(
                    f"a live project group is named {live.name!r}; rename it before undeleting this one"
                )
        with GitRepository(source, WriterLocks()) as repo, repo.writer() as writer:
            head = read_head(source)
            meta_bytes = repo.read_blob(repo.tree_files(group.version)[METADATA_FILE])
            if head != group.version:
                raise MaintenanceError("the deleted group changed while being undeleted; try again")
            summary = f"Undelete project group {group.name}"
            writer.commit(
                parent=head,
                changes={METADATA_FILE: meta_bytes},
                author=author_signature(author),
                committer=COMMITTER,
                message=commit_message(
                    summary, None, action="undelete-group", group_id=group.id, group_name=group.name
                ),
                timestamp=int(time.time()),
            )
            source.rename(target)
            fsync_path(source.parent)
            fsync_path(target.parent)
    return group
