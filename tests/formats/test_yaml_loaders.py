"""The strict YAML loader over libyaml's events composes what the pure-Python one composes.

The server uses the libyaml one (five times faster) whenever PyYAML has it; the pure-Python one
stays for PyYAML builds without libyaml. Both carry the same checks, so both are tested here.
"""

from __future__ import annotations

from functools import partial
from typing import Any

import pytest
import yaml

from registry.formats import validate
from registry.formats.limits import DEFAULT_LIMITS, Limits
from registry.formats.yaml_loader import LOADERS, STRICT_LOADER, StrictSafeLoader, compose_single
from tests.formats.conftest import case_files, corpus_dir, corpus_manifest
from tests.formats.test_hostile import HOSTILE


def _yaml_texts() -> list[str]:
    texts = [path.read_text(encoding="utf-8") for fmt, _, path in case_files() if fmt == "yaml"]
    for case in corpus_manifest():
        if case.get("format") == "yaml":
            texts.append((corpus_dir() / case["path"]).read_text(encoding="utf-8"))
    return texts + HOSTILE + EDGE_CASES


# Grammar corners beyond the schemas of the cases and the corpus.
EDGE_CASES = [
    "Order:\n  id:\tnumber\n",
    "Order:\n\tid: number\n",
    "A: [a,\tb]\n",
    "A: b\t\n",
    "A: 'x\ty'\n",
    "# c\tomment\nA: b\n",
    "A: |\n  line\twith tab\n",
    "A:\n  - a\n  -\tb\n",
    "---\nA: b\n...\n",
    "%YAML 1.1\n---\nA: b\n",
    "%YAML 1.2\n---\nA: b\n",
    "%TAG ! tag:x,2000:\n---\nA: !b c\n",
    "? A\n: b\n",
    "A: {b: c, d: [e, f]}\n",
    # A '?' inside a plain scalar in a flow collection (YAML 1.2, libyaml; PyYAML's scanner is taught it).
    "A: [b?, c?d]\n",
    "A: {b: c?, d: e?}\n",
    "A: [b?]\n",
    "A: [? b]\n",
    "A: {? b}\n",
    "A: >\n  folded\n  text\n\n  para\n",
    "A: |-\n  keep\n",
    "A: |+\n  keep\n\n",
    "A: &x {b: c}\nB: *x\n",
    "A: !!str 1\n",
    "A: !!binary aGVsbG8=\n",
    "A: !custom x\n",
    "A: 0x1F\n",
    "A: 2001-12-14t21:59:43.10-05:00\n",
    "\ufeffA: b\n",
    "A: b\r\nC: d\r\n",
    "A: b\rC: d\r",
    "A: b\x85C: d\n",
    "A: 'multi\n  line'\n",
    'A: "esc \\u263A \\x41"\n',
    'A: "bad \\q"\n',
    "A: b\n  c: d\n",
    "- a\n-b\n",
    "A: [a, b\n",
    "A: {a: b\n",
    "A: 'unterminated\n",
    "A: @x\n",
    "A: `x\n",
    "A: b#c\n",
    "A:b\n",
    "[a, b]: c\n",
    "{a: b}: c\n",
    "? [a, b]\n: c\n",
    "A: - b\n",
    "A: *undefined\n",
    "<<: {a: b}\nc: d\n",
    "a: b\n---\nc: d\n",
    "   \n",
    "# only a comment\n",
    "A: 'it''s'\n",
    "- - a\n  - b\n- c\n",
    "A: {? b : c}\n",
    "A: [b: c]\n",
    "A: !!set {b, c}\n",
    "A: !!omap [b: c]\n",
    "x" * 1100 + ": y\n",
    "A:\n" + "  " * 60 + "b: c\n",
    # Characters YAML does not allow, after multi-byte ones (libyaml counts bytes, PyYAML characters).
    "# ünïcödé ☃☃☃\nOrder:\n  name: string\x01\n",
    "☃" * 40 + "\n\x01",
    "A: b\ud800\n",
]


def _shape(node: Any) -> Any:
    """A node graph as plain tuples: kinds, tags, values, marks (libyaml says '' for plain style)."""
    if node is None:
        return None
    marks = (node.start_mark.line, node.start_mark.column, node.end_mark.line, node.end_mark.column)
    if isinstance(node, yaml.ScalarNode):
        return ("scalar", node.tag, node.value, node.style or None, marks)
    if isinstance(node, yaml.SequenceNode):
        return ("seq", node.tag, [_shape(item) for item in node.value], marks)
    return ("map", node.tag, [(_shape(k), _shape(v)) for k, v in node.value], marks)


def _outcome(read: Any) -> tuple[Any, ...]:
    """("ok", shape) or ("error", where): libyaml and PyYAML word errors differently, not place them."""
    try:
        return ("ok", _shape(read()))
    except yaml.reader.ReaderError as exc:
        return ("error", "position", exc.position)
    except (yaml.YAMLError, UnicodeEncodeError) as exc:
        mark = getattr(exc, "problem_mark", None)
        return ("error", None if mark is None else mark.line)


def _compose(loader_class: type[Any], text: str, limits: Limits = DEFAULT_LIMITS) -> tuple[Any, ...]:
    def read() -> Any:
        loader = loader_class(text, limits)
        try:
            return loader.get_single_node()
        finally:
            loader.dispose()

    return _outcome(read)


def test_the_fast_loader_is_used_where_pyyaml_has_libyaml() -> None:
    assert STRICT_LOADER is LOADERS[0]
    assert (STRICT_LOADER is not StrictSafeLoader) == yaml.__with_libyaml__


def test_both_loaders_compose_every_case_without_tabs_or_bad_characters_alike() -> None:
    assert len(LOADERS) == 2, "PyYAML without libyaml: validation runs five times slower"
    texts = [t for t in _yaml_texts() if "\t" not in t and _compose(StrictSafeLoader, t)[1] != "position"]
    assert len(texts) > 90
    fast, plain = LOADERS
    for text in texts:
        assert _compose(fast, text) == _compose(plain, text), text[:80]


def test_what_is_valid_yaml_does_not_depend_on_libyaml() -> None:
    """Tabs (libyaml takes them as separators) and bad characters (libyaml places them by byte)
    go to the pure-Python loader, so compose_single decides and places everything as it does."""
    texts = _yaml_texts()
    assert sum("\t" in t for t in texts) >= 8
    for text in texts:
        assert _outcome(partial(compose_single, text)) == _compose(StrictSafeLoader, text), text[:80]


DUPLICATE = "Order:\n  id: number\n  id: string\n"
LAUGHS = "\n".join(
    ['a0: &a0 ["x","x","x","x","x","x","x","x","x","x"]']
    + [f"a{i}: &a{i} [{','.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 12)]
)


@pytest.mark.parametrize("loader_class", LOADERS, ids=lambda c: c.__name__)
def test_the_strict_checks_hold_in_either_loader(loader_class: type[Any]) -> None:
    loader = loader_class(DUPLICATE, DEFAULT_LIMITS)
    with pytest.raises(yaml.constructor.ConstructorError, match="duplicate key 'id'"):
        loader.get_single_data()
    assert _compose(loader_class, "A:\n  b:\n    c: string\n", Limits(max_depth=2)) == ("error", 1)  # at b
    assert _compose(loader_class, LAUGHS)[0] == "error"  # expands past max_yaml_nodes
    assert _compose(loader_class, "a: &x [*x]\n")[0] == "error"  # an alias inside its own anchor
    assert _compose(loader_class, "[" * 100_000)[0] == "error"
    assert _compose(loader_class, "A:\n  b: string\n")[0] == "ok"


def test_a_duplicate_key_has_the_path_of_the_key_it_repeats() -> None:
    text = (
        "Customer:\n  id: string\n  geo:\n    lat: number\n    lat: string\n"
        "  tags: [{a: string, a: number}]\n"
    )
    errors = [(e.line, e.path) for e in validate("yaml", text).errors]
    assert errors == [(5, "Customer.geo.lat"), (6, "Customer.tags[].a")]
    top = [(e.line, e.path) for e in validate("yaml", "A: {x: string}\nA: {y: string}\n").errors]
    assert top == [(2, "A")]


def test_a_duplicate_key_behind_an_alias_has_the_path_where_it_is_written() -> None:
    for text, expected in (
        ("base: &b {a: string, a: number}\nother: *b\n", [(1, "base.a")]),
        ("Base: &b\n  a: string\n  a: number\nOther:\n  <<: *b\n", [(3, "Base.a")]),
        ("E:\n  1: string\n  '1': number\n", [(3, "E.1")]),
    ):
        assert [(e.line, e.path) for e in validate("yaml", text).errors] == expected, text
