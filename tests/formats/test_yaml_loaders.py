"""The strict YAML loader over libyaml's events composes what the pure-Python one composes.

The server uses the libyaml one (five times faster) whenever PyYAML has it; the pure-Python one
stays for PyYAML builds without libyaml. Both carry the same checks, so both are tested here.
"""

from __future__ import annotations

from typing import Any

import pytest
import yaml

from registry.formats.limits import DEFAULT_LIMITS, Limits
from registry.formats.yaml_loader import LOADERS, STRICT_LOADER, StrictSafeLoader
from tests.formats.conftest import case_files, corpus_dir, corpus_manifest
from tests.formats.test_hostile import HOSTILE


def _yaml_texts() -> list[str]:
    texts = [path.read_text(encoding="utf-8") for fmt, _, path in case_files() if fmt == "yaml"]
    for case in corpus_manifest():
        if case.get("format") == "yaml":
            texts.append((corpus_dir() / case["path"]).read_text(encoding="utf-8"))
    return texts + HOSTILE


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


def _compose(loader_class: type[Any], text: str, limits: Limits = DEFAULT_LIMITS) -> tuple[Any, ...]:
    """("ok", shape) or ("error", line of the problem); libyaml and PyYAML word errors differently."""
    try:
        loader = loader_class(text, limits)
    except yaml.YAMLError:  # PyYAML's reader refuses some characters before any parsing
        return ("error", None)
    try:
        return ("ok", _shape(loader.get_single_node()))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        return ("error", None if mark is None else mark.line)
    finally:
        loader.dispose()


def test_the_fast_loader_is_used_where_pyyaml_has_libyaml() -> None:
    assert STRICT_LOADER is LOADERS[0]
    assert (STRICT_LOADER is not StrictSafeLoader) == yaml.__with_libyaml__


def test_both_loaders_compose_every_case_alike() -> None:
    assert len(LOADERS) == 2, "PyYAML without libyaml: validation runs five times slower"
    texts = _yaml_texts()
    assert len(texts) > 40
    fast, plain = LOADERS
    for text in texts:
        assert _compose(fast, text) == _compose(plain, text), text[:80]


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
