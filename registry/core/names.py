"""Names and ids: what users may call things, and ids that no name can ever look like.

Names become file names in git repositories, so they are checked here before anything touches
the disk. Ids start with ``_``, which no name can, so ``/project-group/{id}`` and
``/project-group/{name}`` never clash.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterable
from pathlib import Path

from registry.core.errors import InvalidInput, NotFound

NAME_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.\-]{0,99}")
_FORBIDDEN_SUFFIXES = (".git", ".lock")

# Base32 without padding, lower case: safe in URLs, file names and case-insensitive file systems.
_ID_ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"
_GROUP_CORE_LEN = 16  # 80 random bits
GROUP_ID_RE = re.compile(rf"_g[{_ID_ALPHABET}]{{{_GROUP_CORE_LEN}}}")
PROJECT_ID_RE = re.compile(rf"_p([{_ID_ALPHABET}]{{{_GROUP_CORE_LEN}}})([1-9][0-9]{{0,17}})")


def live_group_ids(groups_dir: Path) -> list[str]:
    """Ids of the group repositories in ``groups_dir`` (``<id>.git``; staging folders are not)."""
    ids = (p.name.removesuffix(".git") for p in groups_dir.glob("_g*.git"))
    return sorted(group_id for group_id in ids if GROUP_ID_RE.fullmatch(group_id))


def group_id_of_repository(folder_name: str) -> str:
    """The group id in a repository folder's name: ``<id>.git`` live, ``<id>-<time>.git`` deleted."""
    return folder_name.removesuffix(".git").partition("-")[0]


def check_name(name: object, *, what: str) -> str:
    """Return ``name`` if it is a valid group or project name, else raise :class:`InvalidInput`."""
    if not isinstance(name, str):
        raise InvalidInput(f"{what} name must be a string")
    if not NAME_RE.fullmatch(name):
        raise InvalidInput(
            f"{what} name must be 1 to 100 characters from letters, digits, '_', '-' and '.', "
            "starting with a letter or digit"
        )
    if ".." in name or name.lower().endswith(_FORBIDDEN_SUFFIXES):
        raise InvalidInput(f"{what} name must not contain '..' or end in '.git' or '.lock'")
    return name


_VERSION_LIKE = re.compile(r"[0-9a-fA-F]{4,40}")


def check_tag_name(name: object) -> str:
    """A valid name (:func:`check_name`) that cannot be mistaken for a version id or its prefix."""
    checked = check_name(name, what="tag")
    if _VERSION_LIKE.fullmatch(checked):
        raise InvalidInput("tag name must not look like a version id (4 to 40 hexadecimal digits)")
    return checked


def taken_ignoring_case(name: str, existing: Iterable[str]) -> str | None:
    """The one of ``existing`` that is ``name`` once case is ignored, if any.

    Names are unique ignoring case everywhere (a clone on a case-insensitive file system cannot
    hold ``v1`` and ``V1``), tags included, though git itself would take both.
    """
    folded = name.casefold()
    return next((other for other in existing if other.casefold() == folded), None)


def is_name(value: str) -> bool:
    try:
        check_name(value, what="")
    except InvalidInput:
        return False
    return True


def new_group_id() -> str:
    return "_g" + "".join(secrets.choice(_ID_ALPHABET) for _ in range(_GROUP_CORE_LEN))


def project_id(group_id: str, number: int) -> str:
    """Project ids embed their group's id, so a project is found without any index."""
    return f"_p{group_id[2:]}{number}"


def group_of_project(project_id: str) -> str | None:
    """The id of the group a project id belongs to, or None if it is not a project id."""
    match = PROJECT_ID_RE.fullmatch(project_id)
    return f"_g{match.group(1)}" if match else None


def group_of_known_project(project_id: str) -> str:
    """The id of the group a project id belongs to; :class:`NotFound` if it is not a project id."""
    group_id = group_of_project(project_id)
    if group_id is None:
        raise NotFound(f"no project with id {project_id!r}")
    return group_id
