"""Flow collections read as people mean them: ``[enum(retail, wholesale)]`` is one item.

YAML splits a flow sequence or mapping at every comma, also inside a type expression's
parentheses: ``[enum(a, b)]`` composes as the two scalars ``enum(a`` and ``b)``, and
``{tier: enum(a, b)}`` as ``tier: enum(a`` plus a key ``b)`` with no value. Before anything else
looks at the document, such pieces are joined back into one scalar holding the text between
them, exactly as written. Only plain scalars whose parentheses do not balance are joined, and
every document where that happens was refused before (an array has one item, a field a type),
so no document that was valid changes meaning.
"""

from __future__ import annotations

from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from registry.formats.yaml_loader import each_node

STR_TAG = "tag:yaml.org,2002:str"
NULL_TAG = "tag:yaml.org,2002:null"


def rejoin_flow(root: Node, text: str) -> None:
    """Join the split pieces of type expressions in every flow collection under ``root``, in place."""
    offsets = _line_offsets(text)
    for node in each_node(root):
        if isinstance(node, SequenceNode) and node.flow_style:
            node.value = _joined_items(node.value, text, offsets)
        elif isinstance(node, MappingNode) and node.flow_style:
            node.value = _joined_pairs(node.value, text, offsets)


def _depth(node: Node) -> int:
    """How many more '(' than ')' a plain scalar has (0 for anything else)."""
    if not isinstance(node, ScalarNode) or node.style or node.tag != STR_TAG:
        return 0
    value = str(node.value)
    return value.count("(") - value.count(")")


def _joined_items(items: list[Node], text: str, offsets: list[int]) -> list[Node]:
    out: list[Node] = []
    index = 0
    while index < len(items):
        first = items[index]
        depth = _depth(first)
        end = index
        while depth > 0 and end + 1 < len(items) and _is_plain(items[end + 1]):
            end += 1
            depth += _depth(items[end])
        out.append(_span(first, items[end], text, offsets) if end > index else first)
        index = end + 1
    return out


def _joined_pairs(pairs: list[tuple[Node, Node]], text: str, offsets: list[int]) -> list[tuple[Node, Node]]:
    out: list[tuple[Node, Node]] = []
    index = 0
    while index < len(pairs):
        key, value = pairs[index]
        depth = _depth(value)
        end = index
        # The pieces after the comma are keys without values: `{tier: enum(a, b)}` has key `b)`.
        while depth > 0 and end + 1 < len(pairs) and _is_piece(pairs[end + 1]):
            end += 1
            depth += _depth(pairs[end][0])
        out.append((key, _span(value, pairs[end][0], text, offsets)) if end > index else (key, value))
        index = end + 1
    return out


def _is_plain(node: Node) -> bool:
    return isinstance(node, ScalarNode) and not node.style and node.tag == STR_TAG


def _is_piece(pair: tuple[Node, Node]) -> bool:
    key, value = pair
    empty = isinstance(value, ScalarNode) and value.tag == NULL_TAG and value.value == ""
    return _is_plain(key) and empty


def _span(first: Node, last: Node, text: str, offsets: list[int]) -> ScalarNode:
    start = offsets[first.start_mark.line] + first.start_mark.column
    end = offsets[last.end_mark.line] + last.end_mark.column
    return ScalarNode(STR_TAG, text[start:end], first.start_mark, last.end_mark, style=None)


def _line_offsets(text: str) -> list[int]:
    """The offset in ``text`` where each line starts (marks give line and column, in characters)."""
    offsets = [0]
    for index, char in enumerate(text):
        if char == "\n":
            offsets.append(index + 1)
    return offsets
