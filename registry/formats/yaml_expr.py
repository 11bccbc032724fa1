"""The parser of the yaml language's type expressions: ``string(email, max_length=80)?``.

A small recursive-descent parser over one YAML scalar, never ``eval``: it turns the text into a
:class:`TypeExpr` tree and knows nothing of what the arguments mean (that is
:mod:`registry.formats.yaml_types`). Every error carries the offset in the text where it is, so
the validator can point at the column. Length and nesting are bounded, so a hostile expression
costs linear time and no deep recursion.

Grammar (whitespace between tokens is free)::

    expr   := head ("(" [arg ("," arg)*] ")")? "?"?
    head   := word | "$" name ("." name)*
    arg    := word "=" value | value
    value  := number (".." number)? | quoted | word | expr
    quoted := "'" ... "'" | '"' ... '"'    (taken as written; a backslash keeps the next
                                            character from closing the string)

``enum(...)`` is read the way it always was: its values are the text between commas, as
written (``enum(in stock, out of stock)``), and ``name=`` starts an option only for the names in
:data:`ENUM_OPTIONS`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Union

MAX_EXPRESSION_CHARS = 65_536  # a 5,000-value enum fits; a megabyte of one scalar does not
MAX_NESTING = 16  # array(array(...)) levels; real schemas use two or three
MAX_NUMBER_CHARS = 40
ENUM_OPTIONS = frozenset({"default", "unique", "primary_key"})

WORD_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_\-]*")
NUMBER_RE = re.compile(r"[-+]?(?:\d+(?:\.\d+)?|\.\d+)(?:[eE][-+]?\d+)?")
# A name in a reference: anything but what ends it in an expression (`$A.b`, `$A(...)`, `$A?`,
# `array($A, ...)`); quotes and `=` are fine, so `$Foo's` still names the entity `Foo's`.
REF_NAME_RE = re.compile(r"[^\s.$(),?]+")


class ExprError(Exception):
    """A syntax error in a type expression, ``offset`` characters into it."""

    def __init__(self, message: str, offset: int) -> None:
        super().__init__(message)
        self.message = message
        self.offset = offset


@dataclass(frozen=True)
class Word:
    text: str
    start: int


@dataclass(frozen=True)
class Quoted:
    text: str  # without its quotes
    start: int


@dataclass(frozen=True)
class Number:
    value: int | float
    text: str
    start: int


@dataclass(frozen=True)
class Range:
    low: Number
    high: Number
    start: int


@dataclass(frozen=True)
class Raw:
    """An enum value as written (quotes removed when it is wholly quoted)."""

    text: str
    start: int


@dataclass(frozen=True)
class Arg:
    name: str | None  # None: positional
    value: Value
    start: int


@dataclass(frozen=True)
class TypeExpr:
    head: str  # a type name, or "$Entity.path"
    start: int
    args: tuple[Arg, ...] | None  # None: written without parentheses
    nullable: bool
    end: int


Value = Union[Word, Quoted, Number, Range, Raw, TypeExpr]  # noqa: UP007 (a runtime alias)


def parse(text: str) -> TypeExpr:
    """The expression ``text`` (already stripped); raises :class:`ExprError`."""
    if len(text) > MAX_EXPRESSION_CHARS:
        raise ExprError(f"a type expression may have at most {MAX_EXPRESSION_CHARS} characters", 0)
    parser = _Parser(text)
    expr = parser.expr(0)
    parser.skip()
    if parser.pos < len(text):
        raise ExprError(
            f"unexpected {text[parser.pos]!r} after the type {text[: parser.pos].rstrip()!r}", parser.pos
        )
    return expr


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0

    def peek(self) -> str:
        return self.text[self.pos] if self.pos < len(self.text) else ""

    def skip(self) -> None:
        while self.pos < len(self.text) and self.text[self.pos].isspace():
            self.pos += 1

    def expr(self, depth: int) -> TypeExpr:
        self.skip()
        start = self.pos
        head = self._head()
        self.skip()
        args = None
        if self.peek() == "(":
            if depth + 1 > MAX_NESTING:
                raise ExprError(f"type arguments nested deeper than {MAX_NESTING} levels", self.pos)
            args = self._args(depth + 1, lenient=head == "enum")
            self.skip()
        nullable = self.peek() == "?"
        if nullable:
            self.pos += 1
        return TypeExpr(head, start, args, nullable, self.pos)

    def _head(self) -> str:
        if self.peek() == "$":
            start = self.pos
            self.pos += 1
            self._match(REF_NAME_RE, "an entity name after '$'")
            while self.peek() == ".":
                self.pos += 1
                self._match(REF_NAME_RE, "a field name after '.'")
            return self.text[start : self.pos]
        return self._match(WORD_RE, "a type name")

    def _match(self, pattern: re.Pattern[str], what: str) -> str:
        found = pattern.match(self.text, self.pos)
        if found is None:
            got = repr(self.peek()) if self.peek() else "the end"
            raise ExprError(f"expected {what}, found {got}", self.pos)
        self.pos = found.end()
        return found.group()

    def _args(self, depth: int, *, lenient: bool) -> tuple[Arg, ...]:
        opened = self.pos
        self.pos += 1  # "("
        args: list[Arg] = []
        self.skip()
        if self.peek() == ")":
            self.pos += 1
            return ()
        while True:
            args.append(self._arg(depth, lenient=lenient))
            self.skip()
            char = self.peek()
            if char == ")":
                self.pos += 1
                return tuple(args)
            if char != ",":
                if not char:
                    raise ExprError("'(' is never closed", opened)
                raise ExprError(f"expected ',' or ')', found {char!r}", self.pos)
            self.pos += 1

    def _arg(self, depth: int, *, lenient: bool) -> Arg:
        self.skip()
        start = self.pos
        name = WORD_RE.match(self.text, self.pos)
        if name is not None:
            self.pos = name.end()
            self.skip()
            if self.peek() == "=" and (not lenient or name.group() in ENUM_OPTIONS):
                self.pos += 1
                return Arg(name.group(), self.value(depth), start)
            self.pos = start
        if lenient:
            return Arg(None, self._raw(), start)
        return Arg(None, self.value(depth), start)

    def value(self, depth: int) -> Value:
        self.skip()
        start = self.pos
        char = self.peek()
        if char in ("'", '"'):
            return Quoted(self._quoted(), start)
        number = NUMBER_RE.match(self.text, self.pos)
        if number is not None:
            low = self._number(number)
            if self.text.startswith("..", self.pos):
                self.pos += 2
                high = NUMBER_RE.match(self.text, self.pos)
                if high is None:
                    raise ExprError("expected a number after '..'", self.pos)
                return Range(low, self._number(high), start)
            return low
        if char == "$":
            return self.expr(depth)
        word = WORD_RE.match(self.text, self.pos)
        if word is None:
            got = repr(char) if char else "the end"
            raise ExprError(f"expected a value, found {got}", self.pos)
        self.pos = word.end()
        self.skip()
        if self.peek() in ("(", "?"):
            self.pos = start
            return self.expr(depth)
        self.pos = word.end()
        return Word(word.group(), start)

    def _number(self, found: re.Match[str]) -> Number:
        text = found.group()
        if len(text) > MAX_NUMBER_CHARS:
            raise ExprError(f"a number may have at most {MAX_NUMBER_CHARS} characters", found.start())
        self.pos = found.end()
        is_float = any(mark in text for mark in ".eE")
        value = float(text) if is_float else int(text)
        if value in (float("inf"), float("-inf")):
            raise ExprError(f"number {text} is out of range", found.start())
        return Number(value, text, found.start())

    def _quoted(self) -> str:
        quote, start = self.peek(), self.pos
        index = self.pos + 1
        while index < len(self.text):
            char = self.text[index]
            if char == "\\":
                index += 2
                continue
            if char == quote:
                self.pos = index + 1
                return self.text[start + 1 : index]
            index += 1
        raise ExprError(f"the string opened by {quote} is never closed", start)

    def _raw(self) -> Raw:
        """An enum value: text up to the next ',' or ')' outside quotes and parentheses."""
        self.skip()
        start = self.pos
        if self.peek() in ("'", '"'):
            text = self._quoted()
            self.skip()
            if self.peek() in (",", ")"):
                return Raw(text, start)
            self.pos = start  # a quote inside a value (`don't`) is text
        depth, index = 0, self.pos
        while index < len(self.text):
            char = self.text[index]
            if char == "(":
                depth += 1
            elif char == ")":
                if depth == 0:
                    break
                depth -= 1
            elif char == "," and depth == 0:
                break
            index += 1
        self.pos = index
        return Raw(self.text[start:index].rstrip(), start)
