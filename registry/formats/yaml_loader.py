"""A safe YAML loader that refuses what ``yaml.safe_load`` lets through.

- Duplicate mapping keys are errors (``safe_load`` silently keeps the last one).
- Nesting deeper than ``Limits.max_depth`` is refused before the recursive composer overflows.
- Aliases may not expand the document past ``Limits.max_yaml_nodes`` nodes, nor refer to
  themselves: a "billion laughs" document fails after composing a few hundred nodes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from operator import methodcaller
from typing import Any

import yaml
from yaml.composer import Composer, ComposerError
from yaml.constructor import ConstructorError, SafeConstructor
from yaml.events import AliasEvent, Event
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from yaml.resolver import Resolver
from yaml.scanner import ScannerError
from yaml.tokens import ScalarToken

from registry.formats.limits import DEFAULT_LIMITS, Limits

MERGE_TAG = "tag:yaml.org,2002:merge"


class _StrictChecks:
    """Depth, alias-expansion and duplicate-key checks, over any source of parser events.

    A mixin placed before ``Composer`` and ``SafeConstructor``: ``super()`` reaches PyYAML's own
    composing and constructing, so the same checks run over libyaml's events and PyYAML's.
    """

    def _start_checks(self, limits: Limits) -> None:
        self._limits = limits
        self._depth = 0
        # Expanded size (aliases counted in full) of every finished node, by identity: an alias
        # returns the anchored node itself, so its size is looked up, never recomputed.
        self._sizes: dict[int, int] = {}

    def compose_node(self, parent: Node | None, index: int) -> Node | None:
        if self.check_event(AliasEvent):  # type: ignore[attr-defined]
            mark = self._next_mark()
            node = super().compose_node(parent, index)  # type: ignore[misc]
            if node is None or id(node) not in self._sizes:
                raise ComposerError(None, None, "an alias may not refer to a node that contains it", mark)
            return node  # type: ignore[no-any-return]
        mark = self._next_mark()
        self._depth += 1
        if self._depth > self._limits.max_depth:
            raise ComposerError(None, None, f"nesting deeper than {self._limits.max_depth} levels", mark)
        try:
            node = super().compose_node(parent, index)  # type: ignore[misc]
        finally:
            self._depth -= 1
        if node is None:
            return None
        size = 1 + sum(self._sizes[id(child)] for child in _children(node))
        if size > self._limits.max_yaml_nodes:
            raise ComposerError(
                None,
                None,
                f"the document expands to more than {self._limits.max_yaml_nodes} nodes "
                "(aliases repeat their anchor's content)",
                mark,
            )
        self._sizes[id(node)] = size
        return node  # type: ignore[no-any-return]

    def _next_mark(self) -> Any:
        """Where the next event starts: a ``yaml.error.Mark``, or libyaml's equivalent."""
        event: Event = self.peek_event()  # type: ignore[attr-defined]
        return event.start_mark

    def construct_mapping(self, node: MappingNode, deep: bool = False) -> dict[Any, Any]:
        duplicate = first_duplicate_key(node)
        if duplicate is not None:
            key, first = duplicate
            raise ConstructorError(
                "while constructing a mapping",
                node.start_mark,
                f"duplicate key {key.value!r} (first defined on line {first.start_mark.line + 1})",
                key.start_mark,
            )
        return super().construct_mapping(node, deep=deep)  # type: ignore[misc,no-any-return]


class StrictSafeLoader(_StrictChecks, yaml.SafeLoader):
    """``SafeLoader`` (PyYAML's pure-Python scanner and parser) with the strict checks."""

    def __init__(self, stream: str, limits: Limits = DEFAULT_LIMITS) -> None:
        super().__init__(stream)
        self._start_checks(limits)

    def fetch_flow_collection_start(self, token_class: type) -> None:
        # The scanner's simple-key bookkeeping costs O(depth) per token, so a 100,000-level flow
        # sequence must be stopped here, before the composer's own depth check is ever reached.
        if self.flow_level >= self._limits.max_depth:
            raise ScannerError(
                None, None, f"nesting deeper than {self._limits.max_depth} levels", self.get_mark()
            )
        super().fetch_flow_collection_start(token_class)

    def scan_plain(self) -> Any:
        """PyYAML's plain scalar, ending in flow context at ``,[]{}`` but not at ``?``.

        YAML 1.2 and libyaml let a plain scalar in a flow collection hold a ``?``
        (``[string?]``); PyYAML's scanner (YAML 1.1) stops there and refuses the document, so
        whether a schema was valid would depend on how PyYAML was built. The rest is PyYAML's
        own ``Scanner.scan_plain``.
        """
        chunks: list[str] = []
        start_mark = self.get_mark()
        end_mark = start_mark
        indent = self.indent + 1
        spaces: list[str] = []
        breaks = "\0 \t\r\n\x85\u2028\u2029"
        while True:
            length = 0
            if self.peek() == "#":
                break
            while True:
                ch = self.peek(length)
                if (
                    ch in breaks
                    or (ch == ":" and self.peek(length + 1) in breaks + (",[]{}" if self.flow_level else ""))
                    or (self.flow_level and ch in ",[]{}")
                ):
                    break
                length += 1
            if length == 0:
                break
            self.allow_simple_key = False
            chunks.extend(spaces)
            chunks.append(self.prefix(length))
            self.forward(length)
            end_mark = self.get_mark()
            spaces = self.scan_plain_spaces(indent, start_mark) or []
            if not spaces or self.peek() == "#" or (not self.flow_level and self.column < indent):
                break
        return ScalarToken("".join(chunks), True, start_mark, end_mark)


if yaml.__with_libyaml__:
    from yaml._yaml import CParser  # the libyaml binding

    class StrictCLoader(_StrictChecks, Composer, CParser, SafeConstructor, Resolver):
        """The strict checks over libyaml's scanner and parser: the same nodes and marks, five
        times faster (0.26 against 1.3 ms for a 20-field schema). Only the events come from C;
        composing, with the depth and alias checks, stays in Python, which pulls events one at a
        time, so deep or huge input is refused as early as with :class:`StrictSafeLoader`."""

        def __init__(self, stream: str, limits: Limits = DEFAULT_LIMITS) -> None:
            CParser.__init__(self, stream)
            Composer.__init__(self)
            SafeConstructor.__init__(self)
            Resolver.__init__(self)
            self._start_checks(limits)

    LOADERS: tuple[type[Any], ...] = (StrictCLoader, StrictSafeLoader)
else:  # PyYAML built without libyaml
    LOADERS = (StrictSafeLoader,)

STRICT_LOADER = LOADERS[0]  # what compose_single and load_strict use


def _children(node: Node) -> list[Node]:
    if isinstance(node, SequenceNode):
        return list(node.value)
    if isinstance(node, MappingNode):
        return [part for pair in node.value for part in pair]
    return []


def first_duplicate_key(node: MappingNode) -> tuple[ScalarNode, ScalarNode] | None:
    """The first key of ``node`` that repeats an earlier scalar key, with that earlier key."""
    for duplicate in duplicate_keys(node):
        return duplicate
    return None


def duplicate_keys(node: MappingNode) -> list[tuple[ScalarNode, ScalarNode]]:
    """Every scalar key of ``node`` that repeats an earlier one, paired with the first occurrence."""
    seen: dict[tuple[str, str], ScalarNode] = {}
    found: list[tuple[ScalarNode, ScalarNode]] = []
    for key, _ in node.value:
        # Merge keys (`<<: *base`) are YAML's way to extend a mapping, not a repeated field.
        if not isinstance(key, ScalarNode) or key.tag == MERGE_TAG:
            continue
        ident = (key.tag, key.value)
        if ident in seen:
            found.append((key, seen[ident]))
        else:
            seen[ident] = key
    return found


def compose_single(text: str, limits: Limits = DEFAULT_LIMITS) -> Node | None:
    """The node graph of the one document in ``text`` (``None`` when empty).

    Raises ``yaml.YAMLError`` for syntax errors, a second document, or a limit exceeded.
    """
    node: Node | None = _read(text, limits, methodcaller("get_single_node"))
    return node


def load_strict(text: str, limits: Limits = DEFAULT_LIMITS) -> Any:
    """Like ``yaml.safe_load``, but with the checks of :class:`StrictSafeLoader`."""
    return _read(text, limits, methodcaller("get_single_data"))


def _read(text: str, limits: Limits, method: Callable[[Any], Any]) -> Any:
    # libyaml takes a tab as a separator where PyYAML refuses it ("found character '\t' that
    # cannot start any token"): a text with a tab is read by PyYAML, so whether a schema is
    # valid never depends on how PyYAML was built.
    loader_class = StrictSafeLoader if "\t" in text else STRICT_LOADER
    try:
        return _run(loader_class, text, limits, method)
    except (yaml.reader.ReaderError, UnicodeEncodeError):
        if loader_class is StrictSafeLoader:
            raise
        # libyaml gives a bad character's place as a byte offset, and a lone surrogate as an
        # encoding error; PyYAML's reader reports both as a ReaderError at a character position.
        return _run(StrictSafeLoader, text, limits, method)


def _run(loader_class: type[Any], text: str, limits: Limits, method: Callable[[Any], Any]) -> Any:
    loader = loader_class(text, limits)
    try:
        return method(loader)
    finally:
        loader.dispose()


def each_node(root: Node) -> Iterator[Node]:
    """Every node under ``root`` once (aliases make a graph), parents first. The caller may
    rewrite a collection's ``value`` when it is yielded: its children are read after that."""
    seen: set[int] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        yield node
        if isinstance(node, MappingNode):
            stack.extend(part for pair in node.value for part in pair)
        elif isinstance(node, SequenceNode):
            stack.extend(node.value)


def expand_merges(root: Node) -> None:
    """Apply YAML merge keys (``<<: *base``) in place, so mappings hold their effective pairs.

    Explicit keys override merged ones, as when loading; duplicate explicit keys must already have
    been reported, since only the last of each key is kept.
    """
    constructor = yaml.constructor.SafeConstructor()
    for node in each_node(root):
        if not isinstance(node, MappingNode):
            continue
        if any(isinstance(key, ScalarNode) and key.tag == MERGE_TAG for key, _ in node.value):
            constructor.flatten_mapping(node)
            last: dict[tuple[str, str], int] = {}
            for index, (key, _) in enumerate(node.value):
                if isinstance(key, ScalarNode):
                    last[(key.tag, key.value)] = index
            node.value = [
                pair
                for index, pair in enumerate(node.value)
                if not isinstance(pair[0], ScalarNode) or last[(pair[0].tag, pair[0].value)] == index
            ]
