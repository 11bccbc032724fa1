"""``schema-registry sync DIR --group G``: the plan that makes a group match a folder of schemas.

Files and projects are matched by name (ignoring case, as names are unique). A file that matches
no project but holds exactly the schema of a project that matches no file is that project
renamed, so it keeps its id and history. The plan is applied in one batch (one commit, all or
nothing), guarded by the group's version as it was read for the plan.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, TextIO

from registry.client import BatchOperation, GroupDetail, RegistryClient
from registry.client.models import FORMATS, Format
from registry.ops.schema_files import Checked, Output, check_file, problem_line, read_text, split_file

Step = Literal["create", "update", "rename", "delete"]
ORDER: tuple[Step, ...] = ("delete", "rename", "update", "create")  # frees names before reuse


@dataclass
class LocalFile:
    path: Path
    name: str
    format: Format
    text: str | None
    checked: Checked


@dataclass
class Planned:
    action: Step
    name: str  # the project's name after the step
    file: str | None = None
    project: str | None = None  # the existing project's name (update, rename, delete)
    project_id: str | None = None
    checked: Checked | None = None
    operation: BatchOperation = field(default_factory=lambda: BatchOperation(action="create"))

    @property
    def valid(self) -> bool:
        return self.checked is None or self.checked.valid

    def to_json(self) -> dict[str, Any]:
        checked = self.checked.to_json() if self.checked else None
        return {
            "action": self.action,
            "name": self.name,
            "file": self.file,
            "project": self.project,
            "id": self.project_id,
            "valid": self.valid,
            "errors": checked["errors"] if checked else [],
            "warnings": checked["warnings"] if checked else [],
        }


@dataclass
class Plan:
    group: str
    version: str
    steps: list[Planned]
    unchanged: list[str]
    kept: list[str]  # projects without a file, left alone without --prune

    @property
    def valid(self) -> bool:
        return all(step.valid for step in self.steps)

    def operations(self) -> list[BatchOperation]:
        return [step.operation for step in sorted(self.steps, key=lambda s: ORDER.index(s.action))]


def local_files(folder: Path, dialect: str | None) -> list[LocalFile]:
    """The folder's schema files (top level, as in a group's repository), each validated offline."""
    found = []
    for path in sorted(p for p in folder.iterdir() if p.is_file()):
        parsed = split_file(path.name)
        if parsed is None:
            continue
        text, _ = read_text(path)
        fmt = next(f for f in FORMATS if f == parsed[1])
        found.append(LocalFile(path, parsed[0], fmt, text, check_file(path, dialect=dialect)))
    return found


def make_plan(
    client: RegistryClient, group: str, files: list[LocalFile], *, prune: bool, dialect: str | None = None
) -> Plan:
    """The steps that make ``group`` hold ``files`` (``dialect``: of new sql files)."""
    detail: GroupDetail = client.get_group(group)
    planner = _Planner(
        detail, {p["id"]: client.get_project(p["id"])["data"] for p in detail["projects"]}, dialect
    )
    unmatched = [local for local in files if not planner.by_name(local)]
    for local in unmatched:
        planner.rename_or_create(local)
    for project in planner.projects.values():
        if prune:
            op = BatchOperation(action="delete", project=project["id"])
            planner.plan.steps.append(
                Planned("delete", project["name"], None, project["name"], project["id"], None, op)
            )
        else:
            planner.plan.kept.append(project["name"])
    return planner.plan


class _Planner:
    def __init__(self, detail: GroupDetail, texts: dict[str, str | None], dialect: str | None) -> None:
        self.plan = Plan(detail["name"], detail["version"], [], [], [])
        self.projects = {p["name"].casefold(): p for p in detail["projects"]}  # not matched yet
        self.texts = texts
        self.dialect = dialect

    def by_name(self, local: LocalFile) -> bool:
        """Plan ``local`` as the project of its name (an update, or nothing); False if none is."""
        project = self.projects.pop(local.name.casefold(), None)
        if project is None:
            return False
        if self.texts[project["id"]] == local.text and project["format"] == local.format:
            self.plan.unchanged.append(project["name"])
            return True
        op = BatchOperation(
            action="update", project=project["id"], data=local.text or "", format=local.format
        )
        kept_dialect = project["dialect"] if project["format"] == local.format else None
        if self.dialect is None and kept_dialect is not None:  # validated as the server will
            local.checked = check_file(local.path, dialect=kept_dialect)
        elif self.dialect is not None and local.format == "sql":
            op["dialect"] = self.dialect
        self.plan.steps.append(_step("update", local, op, project["name"], project["id"]))
        return True

    def rename_or_create(self, local: LocalFile) -> None:
        """A project without a file that holds exactly this file's schema was renamed; else a create."""
        renamed = next(
            (
                p
                for p in self.projects.values()
                if local.text is not None
                and self.texts[p["id"]] == local.text
                and p["format"] == local.format
            ),
            None,
        )
        if renamed is not None:
            del self.projects[renamed["name"].casefold()]
            op = BatchOperation(action="rename", project=renamed["id"], name=local.name)
            self.plan.steps.append(_step("rename", local, op, renamed["name"], renamed["id"]))
            return
        op = BatchOperation(action="create", name=local.name, data=local.text or "", format=local.format)
        if self.dialect is not None and local.format == "sql":
            op["dialect"] = self.dialect
        self.plan.steps.append(_step("create", local, op, None, None))


def _step(
    action: Step, local: LocalFile, op: BatchOperation, project: str | None, pid: str | None
) -> Planned:
    return Planned(action, local.name, str(local.path), project, pid, local.checked, op)


def print_plan(plan: Plan, output: Output, out: TextIO) -> None:
    if output == "json":
        doc = {
            "group": plan.group,
            "version": plan.version,
            "valid": plan.valid,
            "steps": [s.to_json() for s in plan.steps],
            "unchanged": plan.unchanged,
            "kept": plan.kept,
        }
        print(json.dumps(doc, indent=2), file=out)
        return
    # In a GitHub job the plan is log lines, and each problem an annotation on its line.
    indent = "  " if output == "text" else ""
    for step in sorted(plan.steps, key=lambda s: ORDER.index(s.action)):
        print(_describe(step), file=out)
        for problem in step.checked.errors if step.checked else ():
            print(indent + problem_line(step.file or "", problem, output), file=out)
    counts = {a: sum(s.action == a for s in plan.steps) for a in ("create", "update", "rename", "delete")}
    summary = ", ".join(f"{n} to {a}" for a, n in counts.items() if n) or "no changes"
    kept = f"; kept without a file: {', '.join(sorted(plan.kept))}" if plan.kept else ""
    print(f"Plan for {plan.group}: {summary}; {len(plan.unchanged)} unchanged{kept}", file=out)


def _describe(step: Planned) -> str:
    verdict = ""
    if step.checked is not None:
        errors = len(step.checked.errors)
        verdict = ": valid" if not errors else f": INVALID ({errors} error(s))"
    if step.action == "rename":
        return f"rename  {step.project} -> {step.name} ({step.file}){verdict}"
    if step.action == "delete":
        return f"delete  {step.name}"
    return f"{step.action}  {step.name} ({step.file}){verdict}"
