"""Changing schemas with ``git push``: validate the pushed tree, then record what it did.

Pushed commits are kept exactly as pushed. The registry adds one commit on top that rewrites
``.registry.json`` (ids for new files, names, formats, timestamps) and lists, in
``Pushed-Change`` trailers, what each pushed commit did to which project, which is how the
history endpoints attribute pushed commits. Nothing moves unless every file is valid.
"""

from __future__ import annotations

import stat
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace

from registry.core.catalog import Catalog, new_tag
from registry.core.changes import COMMITTER, author_signature
from registry.core.errors import InvalidInput, NameTaken, ValidationBusy
from registry.core.history import ACTION, Touch, commit_message
from registry.core.metadata import EXTENSIONS, METADATA_FILE, GroupMeta, ProjectMeta, timestamp_text
from registry.core.models import ModelKey
from registry.core.names import check_file_name, check_name, check_tag_name, project_id
from registry.core.push_compat import PushedUpdate, check_pushed, wants_force
from registry.core.snapshots import GroupSnapshot
from repo_store import CommitInfo, GitRepository, RefConflict
from repo_store.smart_protocol import PushRefused

MAIN = "refs/heads/main"
MAX_WARNING_LINES = 50  # a push of many schemas would otherwise bury its outcome under warnings
NOT_A_SCHEMA = "only top-level .yaml, .schema.json, .parquet.json and .sql files"
# Longest first, so "x.schema.json" is a json_schema file named "x", not "x.schema". There is no
# ".yml": a project's file is always its name plus its format's one extension (metadata.file_name),
# which the API, history and time travel all rely on.
_SUFFIXES = sorted(((ext, fmt) for fmt, ext in EXTENSIONS.items()), key=lambda s: -len(s[0]))
# Versions before 2026-11-30 accepted pushed NAME.yml files; groups may still hold some. They
# count as the project's file on the side of a push that was already stored, so renaming one to
# NAME.yaml (what the refusal says to do) updates that project instead of making a second.
_LEGACY_SUFFIXES = sorted([*_SUFFIXES, (".yml", "yaml")], key=lambda s: -len(s[0]))


def split_file(path: str, *, legacy: bool = False) -> tuple[str, str] | None:
    """A pushed file's project name and format, from its extension (``legacy``: ``.yml`` too)."""
    for suffix, fmt in _LEGACY_SUFFIXES if legacy else _SUFFIXES:
        if path.endswith(suffix) and len(path) > len(suffix):
            return path[: -len(suffix)], fmt
    return None


@dataclass
class _State:
    """Projects as the pushed commits change them, oldest commit first."""

    meta: GroupMeta
    by_file: dict[str, str]  # file in the tree -> project id
    pushed: list[tuple[str, Touch]]

    def apply(self, version: str, when: str, before: dict[str, str], after: dict[str, str]) -> None:
        deleted = {f: b for f, b in before.items() if f not in after}
        added = {f: b for f, b in after.items() if f not in before}
        for old_file, blob in sorted(deleted.items()):
            new_file = _partner(old_file, blob, added)
            pid = self.by_file.pop(old_file)
            if new_file is None:
                self._touch(version, pid, "delete", when, None)
                continue
            del added[new_file]
            name = (split_file(new_file) or ("", ""))[0]
            action = "rename" if name != self.meta.projects[pid].name else "update"
            self._touch(version, pid, action, when, new_file)
        for new_file in sorted(added):
            pid, created = self._created(new_file, when)
            self._touch(version, pid, "create" if created else "update", when, new_file)
        for path in sorted(f for f in after if f in before and after[f] != before[f]):
            self._touch(version, self.by_file[path], "update", when, path)

    def _created(self, path: str, when: str) -> tuple[str, bool]:
        """The project an added file is: (its id, whether it is new rather than one without data)."""
        name, fmt = split_file(path) or ("", "")
        existing = self.meta.project_named(name)
        if existing is not None and not existing.has_data:  # a project that had no schema yet
            return existing.id, False
        if existing is not None:  # never two projects of one name, whatever the tree held
            raise PushRefused(f"{path}: a project named {existing.name!r} already exists ({existing.id})")
        pid = project_id(self.meta.id, self.meta.next_project_number)
        project = ProjectMeta(pid, name, fmt, None, True, when, when)
        self.meta = replace(self.meta, next_project_number=self.meta.next_project_number + 1).with_project(
            project
        )
        return pid, True

    def _touch(self, version: str, pid: str, action: str, when: str, path: str | None) -> None:
        project = self.meta.projects[pid]
        if path is None:
            self.meta = self.meta.without_project(pid)
        else:
            name, fmt = split_file(path) or ("", "")
            dialect = project.dialect if fmt == project.format else None
            project = replace(project, name=name, format=fmt, dialect=dialect, has_data=True, updated_at=when)
            self.meta = self.meta.with_project(project)
            self.by_file[path] = pid
        self.pushed.append((version, Touch(pid, action, project.name, project.format, project.dialect)))


def _schema_files(files: Mapping[str, str], *, legacy: bool = False) -> dict[str, str]:
    """The files that are projects (an intermediate pushed commit may hold others; they are ignored)."""
    out = {}
    for path, blob in files.items():
        parsed = split_file(path, legacy=legacy)
        if parsed is None:
            continue
        try:
            check_name(parsed[0], what="project")
        except InvalidInput:
            continue
        out[path] = blob
    return out


def _stored_file(project: ProjectMeta, files: Mapping[str, str]) -> str:
    """The file that holds ``project`` in a stored tree: its own, or a legacy ``NAME.yml``."""
    legacy = project.name + ".yml"
    return (
        legacy if project.file not in files and project.format == "yaml" and legacy in files else project.file
    )


def _partner(old_file: str, blob: str, added: dict[str, str]) -> str | None:
    """The added file a deleted one became: same content (a rename), or same name (a format change)."""
    same_content = [f for f, b in added.items() if b == blob]
    if same_content:
        return sorted(same_content)[0]
    old_name = (split_file(old_file, legacy=True) or ("", ""))[0].casefold()
    return next((f for f in sorted(added) if (split_file(f) or ("", ""))[0].casefold() == old_name), None)


class PushHandler:
    """Rules on each ref update of one push to one group (runs in a worker thread)."""

    def __init__(self, catalog: Catalog, group_id: str, author: str, *, may_force: bool = False) -> None:
        self.catalog = catalog
        self.group_id = group_id
        self.author = author
        self.may_force = may_force  # the key may override compatibility levels (admin)
        self.warnings: list[str] = []  # the validators' warnings about the pushed files

    def __call__(
        self,
        ref: str,
        old: str | None,
        new: str | None,
        progress: Callable[[str], None],
        options: Sequence[str] = (),
    ) -> bool:
        if ref.startswith("refs/tags/"):
            if old is not None or new is None:
                raise PushRefused("tags cannot be moved or deleted here; push a new tag")
            self._add_tag(ref, new)
            return True
        if ref != MAIN:
            raise PushRefused(f"only main and tags can be pushed, not {ref}")
        if new is None:
            raise PushRefused("main cannot be deleted")
        force = wants_force(options, may_force=self.may_force)
        with self.catalog.snapshots.open(self.group_id) as repo, repo.writer() as writer:
            view = self.catalog.snapshots.get(self.group_id)
            if old != view.version:
                raise PushRefused("main moved since you fetched it: pull, then push again")
            if not repo.is_ancestor(view.version, new):
                raise PushRefused("non-fast-forward: pull (or rebase) first; history is never rewritten")
            pushed = self._pushed_commits(repo, view.version, new)
            self._check_tree(repo, view, new)
            now = int(self.catalog.clock())  # pushed commits carry dates the pusher chose
            state = self._attribute(repo, view, pushed, timestamp_text(now))
            overrides = check_pushed(
                self.catalog, view, list(self._updates(repo, view, state, new)), force=force
            )
            message = commit_message(
                f"Record {len(state.pushed)} pushed change(s)",
                None,
                action="push",
                group_id=state.meta.id,
                group_name=state.meta.name,
                pushed=tuple(state.pushed),
                extra=overrides,
            )
            try:
                recorded = writer.commit(
                    parent=new,
                    expected_head=view.version,
                    changes={METADATA_FILE: state.meta.dumps()},
                    author=author_signature(self.author),
                    committer=COMMITTER,
                    message=message,
                    timestamp=now,
                )
            except RefConflict as exc:
                raise PushRefused("main moved during the push: pull, then push again") from exc
        self._tell_warnings(progress)
        progress(
            f"schema-registry: recorded {len(state.pushed)} change(s) in {recorded[:12]}; pull to get it"
        )
        return True

    def _tell_warnings(self, progress: Callable[[str], None]) -> None:
        """The pushed files' warnings, as the API answers them to a write (git shows `remote:`)."""
        for line in self.warnings[:MAX_WARNING_LINES]:
            progress(line)
        hidden = len(self.warnings) - MAX_WARNING_LINES
        if hidden > 0:
            progress(f"... and {hidden} more warning(s); POST /validate lists them all")

    def _add_tag(self, ref: str, new: str) -> None:
        """A new tag, named as the API names tags, on a commit of main's history (push main
        before, or with, the tag); made under the writer lock, as the API makes tags."""
        name = ref.removeprefix("refs/tags/")
        try:
            check_tag_name(name)
        except InvalidInput as exc:
            raise PushRefused(f"{ref}: {exc.detail}") from exc
        with self.catalog.snapshots.open(self.group_id) as repo, repo.writer() as writer:
            target = repo.peel(new)
            head = repo.head()
            # On main's first-parent line, as history and ?at= read it (not a merged side
            # commit): the group's cached history, extended to the head we hold the lock on.
            history = self.catalog.snapshots.histories.get(self.group_id, repo, head) if head else None
            if history is None or target not in history.position:
                raise PushRefused(f"{ref} must name a commit on main's first-parent line; push main first")
            try:
                new_tag(repo, name, lambda: writer.add_tag_ref(name, new))
            except NameTaken as exc:
                raise PushRefused(exc.detail) from exc

    def _check_tree(self, repo: GitRepository, view: GroupSnapshot, new: str) -> None:
        """Every file must be a valid schema named as the API names projects; refuse with all problems."""
        problems: list[str] = []
        seen: dict[str, str] = {}
        self.warnings = []
        for path, (mode, blob) in sorted(repo.tree_entries(new).items()):
            if path == METADATA_FILE:
                if blob != view.files.get(METADATA_FILE):
                    problems.append(f"{path}: the registry keeps this file; change projects, not it")
                continue
            parsed = split_file(path)
            if not stat.S_ISREG(mode) or parsed is None:
                hint = f"; name it {path[:-4]}.yaml" if path.endswith(".yml") and "/" not in path else ""
                problems.append(f"{path}: not a schema file ({NOT_A_SCHEMA}){hint}")
                continue
            name, fmt = parsed
            try:
                check_file_name(name, what="project")
            except InvalidInput as exc:
                problems.append(f"{path}: {exc.detail}")
                continue
            if name.casefold() in seen:
                problems.append(f"{path}: same project name as {seen[name.casefold()]} (names ignore case)")
            seen[name.casefold()] = path
            if view.files.get(path) != blob:
                problems += self._validate(repo, path, blob, fmt, view)
        if METADATA_FILE not in repo.tree_entries(new):
            problems.append(f"{METADATA_FILE}: the registry's metadata file was removed; restore it")
        if problems:
            raise PushRefused(f"push refused: {len(problems)} problem(s)", problems)

    def _validate(
        self, repo: GitRepository, path: str, blob: str, fmt: str, view: GroupSnapshot
    ) -> list[str]:
        content = repo.read_blob(blob)
        try:
            text = content.decode("utf-8")
        except UnicodeDecodeError as exc:
            line = content.count(b"\n", 0, exc.start) + 1
            column = exc.start - (content.rfind(b"\n", 0, exc.start) + 1) + 1
            return [f"{path}:{line}:{column}: not UTF-8 text (byte {content[exc.start]:#04x})"]
        existing = view.meta.project_named((split_file(path) or ("", ""))[0])
        if existing is None:  # a renamed file (git mv) keeps its project, and so its dialect
            existing = next(
                (p for p in view.meta.projects.values() if p.has_data and view.files.get(p.file) == blob),
                None,
            )
        dialect = existing.dialect if existing is not None and existing.format == fmt else None
        try:
            result = self.catalog.validator(fmt, text, dialect=dialect)
        except ValidationBusy as exc:  # the push is refused whole, so nothing is half-done
            raise PushRefused(f"{path}: {exc.detail}") from exc
        self.catalog.models.remember(ModelKey(blob, fmt, dialect), result)  # for the compatibility check
        self.warnings += [
            f"{path}:{w.line or 1}:{w.column or 1}: warning: {w.message}" for w in result.warnings
        ]
        return [f"{path}:{p.line or 1}:{p.column or 1}: {p.message}" for p in result.errors]

    def _updates(
        self, repo: GitRepository, view: GroupSnapshot, state: _State, new: str
    ) -> Iterator[PushedUpdate]:
        """The projects that had a schema and that the push leaves with another one (creates,
        deletes and pure renames are not checked)."""
        final = _schema_files(repo.tree_files(new))
        for pid, before in view.meta.projects.items():
            after = state.meta.projects.get(pid)
            if after is None or not before.has_data:
                continue
            blob = final.get(after.file)
            if blob is not None and blob != view.files.get(_stored_file(before, view.files)):
                yield PushedUpdate(before, after, after.file, blob)

    def _pushed_commits(self, repo: GitRepository, head: str, new: str) -> list[CommitInfo]:
        """The pushed commits on the first-parent line from main's head to ``new``, oldest first.

        History follows first parents, so main must be on that line (a merge whose first parent
        is main's commit is fine; one made by ``git pull`` without ``--rebase`` is not), and
        pushed commits may not carry the registry's own trailers (history trusts those).
        """
        commits = list(repo.first_parent_log(new, head))
        if commits and commits[-1].parents[:1] != (head,):
            raise PushRefused(
                "main is not on the first-parent line of what you pushed (a merge made by git pull?): "
                "use git pull --rebase, then push again"
            )
        for info in commits:
            if info.trailer(ACTION) is not None:
                raise PushRefused(
                    f"commit {info.id[:12]} has {ACTION} trailers; only the registry writes those"
                )
        return commits[::-1]

    def _attribute(
        self, repo: GitRepository, view: GroupSnapshot, pushed: list[CommitInfo], when: str
    ) -> _State:
        """What each pushed commit did; ``when`` (the push) is the time of every change."""
        before = _schema_files(view.files, legacy=True)
        by_file = {_stored_file(p, before): p.id for p in view.meta.projects.values() if p.has_data}
        state = _State(view.meta, by_file, [])
        for info in pushed:
            after = _schema_files(repo.tree_files(info.id))
            state.apply(info.id, when, before, after)
            before = after
        return state
