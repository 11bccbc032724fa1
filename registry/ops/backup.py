"""``schema-registry backup`` and ``restore``: a git bundle per group repository, plus the keys.

A backup folder holds ``groups/<id>.bundle`` for every live group, ``deleted-groups/<folder>.bundle``
for every deleted one, ``keys.json`` (hashes only, mode 0600) and ``manifest.json``. Each bundle
is a consistent copy of its repository, bundled under its writer lock (writes to that group wait
for its bundle), taken without stopping the server; the backup as a whole is not one instant
across groups, but holds every group once, live or deleted.

Restore rebuilds each repository beside its final place, verifies it with ``git fsck``, and
renames it in: an interrupted restore leaves ``.staging-*`` folders, never half a group, and a
marker that keeps the server from serving the partial folder until the restore is run again.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from registry.core.layout import (
    DELETED_DIR,
    GROUPS_DIR,
    KEYS_FILE,
    NAMES_LOCK_FILE,
    RESTORE_MARKER,
    STAGING_PREFIX,
    WRITER_LOCK_FILE,
)
from registry.core.names import GROUP_ID_RE, group_id_of_repository
from registry.ops.maintenance import (
    GIT_TIMEOUT_SECONDS,
    MaintenanceError,
    fsck_problems,
    require_data_folder,
    unfinished_restore,
)
from repo_store import GitRepository, RepositoryNotFound, WriterLocks, fsync_path, hold_file_lock, read_head

MANIFEST = "manifest.json"
BACKUP_FORMAT = 1


@dataclass(frozen=True)
class BackupReport:
    groups: int
    deleted_groups: int
    keys: bool


def _git(*args: str) -> None:
    if shutil.which("git") is None:
        raise MaintenanceError("backup and restore need the git command on PATH")
    result = subprocess.run(
        ["git", *args], capture_output=True, text=True, timeout=GIT_TIMEOUT_SECONDS, check=False
    )
    if result.returncode != 0:
        raise MaintenanceError(f"`git {' '.join(args)}` failed: {result.stderr.strip()}")


RESCANS = 5  # a group deleted or undeleted during a backup is looked for again in its new folder


def backup(data_dir: Path, out: Path) -> BackupReport:
    """Write a backup of ``data_dir`` into ``out``, which must not exist or be empty.

    The backup is written beside ``out`` and renamed into place once complete, so a failed
    backup leaves no half-filled ``out``.
    """
    require_data_folder(data_dir)
    if out.resolve().is_relative_to(data_dir.resolve()):
        raise MaintenanceError(f"{out} is inside the data folder {data_dir}; back up to somewhere else")
    if out.exists() and not out.is_dir():
        raise MaintenanceError(f"{out} is a file; back up into a new or empty folder")
    if out.exists() and any(out.iterdir()):
        raise MaintenanceError(f"{out} is not empty; back up into a new folder")
    # Into a new folder: written beside it and renamed in. Into an existing empty one (a mount
    # point, say, which cannot be replaced): written inside it, manifest last, emptied on failure.
    target = out if out.exists() else out.parent / f".{out.name}.partial-{os.getpid()}"
    try:
        report = _write_backup(data_dir, target)
        if target != out:
            target.rename(out)
            fsync_path(out.parent)
    except BaseException:
        if target != out:
            shutil.rmtree(target, ignore_errors=True)
        else:  # an existing folder stays, empty as it was
            for leftover in list(out.iterdir()):
                shutil.rmtree(leftover) if leftover.is_dir() else leftover.unlink()
        raise
    return report


def _write_backup(data_dir: Path, out: Path) -> BackupReport:
    manifest: dict[str, object] = {
        "backup_format": BACKUP_FORMAT,
        "created_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
    }
    entries: dict[str, list[dict[str, str]]] = {GROUPS_DIR: [], DELETED_DIR: []}
    for folder in entries:
        (out / folder).mkdir(parents=True)
    bundled: set[str] = set()  # group ids: each group once, live or deleted as it was when bundled
    tried: set[Path] = set()  # folders looked at (one that is not a group is not looked at again)
    for _ in range(RESCANS):
        # Listed under the group-name lock, which deletes and undeletes hold while they move a
        # repository between the two folders: no group is in neither list.
        # Existing lock files only, never made here: see hold_file_lock's create=False.
        with hold_file_lock(data_dir / NAMES_LOCK_FILE, create=False):
            listing = [(f, repo) for f in entries for repo in sorted((data_dir / f).glob("_g*.git"))]
        new = [
            (f, repo)
            for f, repo in listing
            if repo not in tried and group_id_of_repository(repo.name) not in bundled
        ]
        for folder, repo in new:
            tried.add(repo)
            entry = _bundle(repo, out / folder)
            if entry is not None:
                entries[folder].append(entry)
                bundled.add(group_id_of_repository(repo.name))
        if not new:
            break
    for folder, listed in entries.items():
        fsync_path(out / folder)
        manifest[folder] = listed
    keys = data_dir / KEYS_FILE
    if keys.exists():
        shutil.copyfile(keys, out / KEYS_FILE)
        os.chmod(out / KEYS_FILE, 0o600)
        fsync_path(out / KEYS_FILE)
    (out / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n", "utf-8")
    fsync_path(out / MANIFEST)
    fsync_path(out)
    return BackupReport(len(entries[GROUPS_DIR]), len(entries[DELETED_DIR]), keys.exists())


BUNDLE_ATTEMPTS = 3


def _bundle(repo: Path, folder: Path) -> dict[str, str] | None:
    """Bundle one repository under its writer lock (refs must not move while git reads them:
    git bundle lists them twice and refuses an 'empty bundle' when they moved in between).

    None if it is not a group (never committed) or it moved away meanwhile (found again later).
    """
    if not GROUP_ID_RE.fullmatch(group_id_of_repository(repo.name)):
        return None
    bundle = folder / (repo.name.removesuffix(".git") + ".bundle")
    attempt = 1
    while True:
        locked = False
        try:
            with hold_file_lock(repo / WRITER_LOCK_FILE, create=False) as locked:
                head = read_head(repo)
                if head is None:
                    return None  # never committed: not a group yet
                _git("--git-dir", str(repo), "bundle", "create", "--quiet", str(bundle), "--all")
            fsync_path(bundle)
            return {"repository": repo.name, "bundle": bundle.name, "main": head}
        except (FileNotFoundError, RepositoryNotFound, MaintenanceError):
            if not repo.exists():
                return None  # deleted or undeleted meanwhile: the next listing finds it there
            if locked or attempt == BUNDLE_ATTEMPTS:
                raise
            attempt += 1  # no lock file to hold (no write yet): a first write raced the bundle


def restore(backup_dir: Path, data_dir: Path) -> BackupReport:
    """Restore a backup into a data folder that has no groups yet (the server must be stopped).

    Until it completes, ``data_dir`` holds a marker that makes ``serve`` refuse to start, and
    running the same restore again carries on where it stopped.
    """
    try:
        manifest = json.loads((backup_dir / MANIFEST).read_text("utf-8"))
    except (OSError, ValueError) as exc:
        raise MaintenanceError(f"{backup_dir} is not a backup folder ({MANIFEST}: {exc})") from exc
    if manifest.get("backup_format") != BACKUP_FORMAT:
        raise MaintenanceError(f"unknown backup format {manifest.get('backup_format')!r}")
    resuming = unfinished_restore(data_dir)
    if resuming is not None and resuming != str(backup_dir.resolve()):
        raise MaintenanceError(f"{data_dir} holds an unfinished restore of {resuming}; finish that one")
    live = data_dir / GROUPS_DIR
    if resuming is None and live.is_dir() and any(live.glob("_g*.git")):
        raise MaintenanceError(f"{data_dir} already has project groups; restore into a new data folder")
    data_dir.mkdir(parents=True, exist_ok=True)
    marker = data_dir / RESTORE_MARKER
    marker.write_text(str(backup_dir.resolve()) + "\n", "utf-8")
    fsync_path(marker)
    fsync_path(data_dir)
    counts = {}
    for folder in (GROUPS_DIR, DELETED_DIR):
        (data_dir / folder).mkdir(parents=True, exist_ok=True)
        entries = manifest.get(folder, [])
        for entry in entries:
            target = data_dir / folder / entry["repository"]
            if resuming is not None and target.exists() and read_head(target) == entry.get("main"):
                continue  # restored before the interruption
            _restore_repository(backup_dir / folder / entry["bundle"], target)
        fsync_path(data_dir / folder)
        counts[folder] = len(entries)
    keys = backup_dir / KEYS_FILE
    if keys.exists():
        tmp = data_dir / (KEYS_FILE + ".restore")
        shutil.copyfile(keys, tmp)
        os.chmod(tmp, 0o600)
        fsync_path(tmp)
        os.replace(tmp, data_dir / KEYS_FILE)
    marker.unlink()
    fsync_path(data_dir)
    return BackupReport(counts[GROUPS_DIR], counts[DELETED_DIR], keys.exists())


def _restore_repository(bundle: Path, target: Path) -> None:
    name = target.name
    if not name.endswith(".git") or not GROUP_ID_RE.fullmatch(name.removesuffix(".git").partition("-")[0]):
        raise MaintenanceError(f"the manifest names an odd repository {name!r}")
    if target.exists():
        raise MaintenanceError(f"{target} already exists")
    staging = target.parent / f"{STAGING_PREFIX}restore-{name}"
    shutil.rmtree(staging, ignore_errors=True)  # left by an earlier, interrupted restore
    GitRepository.create(staging, WriterLocks()).close()  # our config: branch main, fsync on
    _git("--git-dir", str(staging), "bundle", "verify", "--quiet", str(bundle))
    _git("--git-dir", str(staging), "fetch", "--quiet", str(bundle), "+refs/*:refs/*")
    problems = fsck_problems(staging)
    if problems or read_head(staging) is None:
        raise MaintenanceError(f"{bundle.name} did not restore cleanly: {'; '.join(problems) or 'no main'}")
    staging.rename(target)
