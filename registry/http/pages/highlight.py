"""Schema text as highlighted HTML with line numbers (Pygments escapes every character)."""

from __future__ import annotations

from markupsafe import Markup
from pygments import highlight as pygmentize
from pygments.formatters.html import HtmlFormatter
from pygments.lexer import Lexer
from pygments.lexers.data import JsonLexer, YamlLexer
from pygments.lexers.special import TextLexer
from pygments.lexers.sql import SqlLexer

_LEXERS: dict[str, type[Lexer]] = {
    "yaml": YamlLexer,
    "json_schema": JsonLexer,
    "json_parquet": JsonLexer,
    "sql": SqlLexer,
}
# Pygments' lexers are regular-expression machines; past this size the text is shown plain so a
# huge document cannot hold a thread for long.
MAX_HIGHLIGHTED_CHARS = 2_000_000


def highlighted(text: str, fmt: str) -> Markup:
    lexer = _LEXERS.get(fmt, TextLexer) if len(text) <= MAX_HIGHLIGHTED_CHARS else TextLexer
    formatter = HtmlFormatter(linenos="table", lineanchors="L", anchorlinenos=True, wrapcode=True)
    return Markup(pygmentize(text, lexer(), formatter))  # noqa: S704 - Pygments' output is escaped HTML
