"""Web pages under ``/ui/``: server-rendered HTML for people (docs/ui.md).

Pages take a session cookie (``/ui/_login``) or a Bearer key, render Jinja2 templates with
autoescape, and read through the same domain code and thread pools as the API.
"""

from __future__ import annotations

from aiohttp import web

from registry.http.context import CONFIG
from registry.http.pages import browse, session_routes
from registry.http.pages.access import SESSIONS
from registry.http.pages.render import setup_templates
from registry.http.pages.sessions import SessionStore
from registry.http.pages.static import setup_static


def setup(app: web.Application) -> None:
    """Templates, static files, sessions and the page routes (after every API route)."""
    config = app[CONFIG]
    app[SESSIONS] = SessionStore(config.data_dir, config.session_idle_seconds)
    setup_templates(app)
    setup_static(app)
    app.add_routes(session_routes.routes)
    app.add_routes(browse.routes)
