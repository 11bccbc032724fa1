"""The API reference at ``/docs``: one HTML page rendered from the OpenAPI document.

Rendered here rather than by a JavaScript viewer from a CDN: the server fetches nothing at run
time, and the page works offline and under ``Content-Security-Policy: default-src 'self'``. It
has no scripts and no inline styles; its one stylesheet is served beside it. Every text from the
document is escaped.
"""

from __future__ import annotations

import json
import re
from html import escape
from typing import Any

METHODS = ("get", "put", "post", "patch", "delete")
STYLESHEET = "/docs/style.css"


def render(doc: dict[str, Any]) -> str:
    """The whole page for the OpenAPI document ``doc``."""
    info = doc.get("info", {})
    title = str(info.get("title", "API"))
    operations = [
        (path, method, op)
        for path, item in doc.get("paths", {}).items()
        for method, op in item.items()
        if method in METHODS
    ]
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{_text(title)} reference</title>",
        f'<link rel="stylesheet" href="{STYLESHEET}">',
        "</head><body><main>",
        f"<h1>{_text(title)} <small>{_text(info.get('version', ''))}</small></h1>",
        _paragraphs(info.get("description", "")),
        '<p>The machine-readable document: <a href="/openapi.json">/openapi.json</a>.</p>',
        "<nav><h2>Operations</h2><ul>",
        *(_index_line(path, method, op) for path, method, op in operations),
        "</ul></nav>",
        *(_operation(doc, path, method, op) for path, method, op in operations),
        _schemas(doc),
        "</main></body></html>",
    ]
    return "\n".join(parts) + "\n"


def _index_line(path: str, method: str, op: dict[str, Any]) -> str:
    link = f'<a href="#{_anchor(method, path)}"><code>{method.upper()} {_text(path)}</code></a>'
    return f"<li>{link} {_text(op.get('summary', ''))}</li>"


def _operation(doc: dict[str, Any], path: str, method: str, op: dict[str, Any]) -> str:
    parts = [
        f'<section id="{_anchor(method, path)}">',
        f"<h2><code>{method.upper()} {_text(path)}</code></h2>",
        f"<p><strong>{_text(op.get('summary', ''))}</strong></p>",
        _paragraphs(op.get("description", "")),
    ]
    if op.get("security") == []:
        parts.append("<p>No API key needed.</p>")
    shared = doc["paths"][path].get("parameters", [])  # the path's, then the operation's own
    params = [_resolve(doc, p) for p in [*shared, *op.get("parameters", [])]]
    if params:
        parts.append("<h3>Parameters</h3><table>")
        parts.append("<tr><th>Name</th><th>In</th><th>Required</th><th>Meaning</th></tr>")
        parts += [
            f"<tr><td><code>{_text(p.get('name', ''))}</code></td><td>{_text(p.get('in', ''))}</td>"
            f"<td>{'yes' if p.get('required') else 'no'}</td><td>{_text(p.get('description', ''))}</td></tr>"
            for p in params
        ]
        parts.append("</table>")
    body = op.get("requestBody")
    if body is not None:
        body = _resolve(doc, body)
        for media, content in body.get("content", {}).items():
            parts.append(f"<h3>Request body <code>{_text(media)}</code></h3>")
            parts.append(f"<pre>{_text(json.dumps(content.get('schema', {}), indent=2))}</pre>")
    parts.append("<h3>Responses</h3><dl>")
    for status, response in op.get("responses", {}).items():
        response = _resolve(doc, response)
        types = ", ".join(f"<code>{_text(t)}</code>" for t in response.get("content", {}))
        parts.append(f"<dt>{_text(status)} {types}</dt><dd>{_text(response.get('description', ''))}</dd>")
    parts.append("</dl></section>")
    return "\n".join(parts)


def _schemas(doc: dict[str, Any]) -> str:
    schemas = doc.get("components", {}).get("schemas", {})
    parts = ["<section><h2>Schemas</h2>"]
    for name, schema in schemas.items():
        parts.append(f'<h3 id="schema-{_slug(name)}">{_text(name)}</h3>')
        parts.append(f"<pre>{_text(json.dumps(schema, indent=2))}</pre>")
    parts.append("</section>")
    return "\n".join(parts)


def _resolve(doc: dict[str, Any], node: Any) -> dict[str, Any]:
    """``node``, or what its local ``$ref`` points at (a few hops at most)."""
    for _ in range(8):
        if not (isinstance(node, dict) and isinstance(node.get("$ref"), str)):
            break
        target: Any = doc
        for part in node["$ref"].removeprefix("#/").split("/"):
            key = part.replace("~1", "/").replace("~0", "~")
            target = target.get(key, {}) if isinstance(target, dict) else {}
        node = target
    return node if isinstance(node, dict) else {}


def _paragraphs(text: object) -> str:
    chunks = [c.strip() for c in str(text).split("\n\n") if c.strip()]
    return "".join(f"<p>{_text(c)}</p>" for c in chunks)


def _text(value: object) -> str:
    return escape(str(value), quote=True)


def _anchor(method: str, path: str) -> str:
    return f"{method}-{_slug(path)}"


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-").lower() or "root"


STYLE = """\
body { font-family: system-ui, sans-serif; line-height: 1.45; margin: 0; color: #1b1b1b; }
main { max-width: 60rem; margin: 0 auto; padding: 1rem 2rem 4rem; }
h2 { border-top: 1px solid #ddd; padding-top: 1rem; margin-top: 2rem; }
code, pre { font-family: ui-monospace, monospace; font-size: 0.9em; }
pre { background: #f5f5f5; padding: 0.75rem; overflow-x: auto; }
table { border-collapse: collapse; width: 100%; }
th, td { border: 1px solid #ddd; padding: 0.3rem 0.5rem; text-align: left; vertical-align: top; }
dt { font-weight: bold; margin-top: 0.5rem; }
nav ul { padding-left: 1.2rem; }
"""
