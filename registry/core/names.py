"""Names and ids: what users may call things, and ids that no name can ever look like.

Names become file names in git repositories, so they are checked here before anything touches
the disk. Ids start with ``_``, which no name can, so ``/project-group/{id}`` and
``/project-group/{name}`` never clash.

Names may use any script: Unicode letters and digits (and, after the first character, the marks
some scripts need, and ``_ - .``). They are stored in NFC, the form git on Linux and Windows
checks out as stored and git on macOS gives back (``core.precomposeUnicode``, on by default,
turns the NFD names HFS+ and APFS report into NFC). Names are unique under :func:`fold`, Unicode
case folding of the NFC form, which joins every pair a case-insensitive file system would (and
more, such as ``ß`` and ``ss``), so no clone holds two files that one file system takes as one.
"""

from __future__ import annotations

import re
import secrets
import unicodedata
from collections.abc import Iterable
from pathlib import Path

from registry.core.errors import InvalidInput, NotFound

MAX_NAME_CHARS = 100
# A file name is the name plus its extension (".schema.json" at most); file systems allow 255
# bytes, and a lock file or a temporary name adds a few.
MAX_NAME_BYTES = 200
_PUNCTUATION = frozenset("_.-")
_MARKS = frozenset({"Mn", "Mc"})  # combining marks: Devanagari vowel signs, say, have no NFC letter
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
    """``name`` in NFC, if it is a valid group or project name, else raise :class:`InvalidInput`."""
    if not isinstance(name, str):
        raise InvalidInput(f"{what} name must be a string")
    name = unicodedata.normalize("NFC", name)
    if (
        not name
        or len(name) > MAX_NAME_CHARS
        or not all(_allowed(char, first=index == 0) for index, char in enumerate(name))
    ):
        raise InvalidInput(
            f"{what} name must be 1 to {MAX_NAME_CHARS} characters from letters, digits (of any "
            "script), '_', '-' and '.', starting with a letter or digit"
        )
    if unicodedata.normalize("NFKC", name) != name or not _one_script(name):
        raise InvalidInput(
            f"{what} name must not mix scripts (as a look-alike of another name would, such as a "
            "Cyrillic letter among Latin ones) nor use compatibility forms (fullwidth or "
            "mathematical letters, ligatures): write it in one script's plain letters"
        )
    if len(name.encode()) > MAX_NAME_BYTES:
        raise InvalidInput(f"{what} name must be at most {MAX_NAME_BYTES} bytes in UTF-8 (it names a file)")
    if ".." in name or fold(name).endswith(_FORBIDDEN_SUFFIXES):
        raise InvalidInput(f"{what} name must not contain '..' or end in '.git' or '.lock'")
    return name


def check_file_name(name: str, *, what: str) -> str:
    """:func:`check_name` for a name taken from a file in a pushed tree, which must be NFC already.

    A pushed file cannot be renamed on the way in (the branch must end at the pushed commit), and
    a name in NFD would check out differently from the NFC name the registry reports.
    """
    checked = check_name(name, what=what)
    if checked != name:
        raise InvalidInput(
            f"{what} name is not in Unicode NFC, the form names are stored in; rename the file to "
            f"{checked!r} (on macOS, `git config core.precomposeUnicode true` does it on add)"
        )
    return checked


def _allowed(char: str, *, first: bool) -> bool:
    category = unicodedata.category(char)
    if category.startswith("L") or category == "Nd":
        return True
    return not first and (char in _PUNCTUATION or category in _MARKS)


# Scripts that are written together (Unicode UTS #39, "highly restrictive"): Japanese, Chinese
# with Bopomofo, Korean, each with Latin. Any other mix is refused: it is how look-alikes of
# names are made (Latin and Cyrillic, Latin and Greek).
_SCRIPT_MIXES = (
    frozenset({"LATIN", "CJK", "HIRAGANA", "KATAKANA"}),
    frozenset({"LATIN", "CJK", "BOPOMOFO"}),
    frozenset({"LATIN", "CJK", "HANGUL"}),
)


def _one_script(name: str) -> bool:
    """Whether the letters of ``name`` are of one script, or of a mix written together.

    The script is the first word of a letter's Unicode name (``CYRILLIC SMALL LETTER IE``), which
    the standard library knows; digits, marks and punctuation belong to every script.
    """
    if name.isascii():
        return True
    scripts = {
        unicodedata.name(char, "UNKNOWN").split(" ")[0].split("-")[0]
        for char in name
        if unicodedata.category(char).startswith("L")
    }
    return len(scripts) <= 1 or any(scripts <= mix for mix in _SCRIPT_MIXES)


def fold(name: str) -> str:
    """The form names are compared in: Unicode case folding of NFC (names are unique under it)."""
    if name.isascii():  # nearly every name: no normalization to do
        return name.lower()
    return unicodedata.normalize("NFC", unicodedata.normalize("NFC", name).casefold())


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
    folded = fold(name)
    return next((other for other in existing if fold(other) == folded), None)


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
