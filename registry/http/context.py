"""Every typed slot of the application and of a request, in one place.

Route modules and middleware read the objects the app factory made through these keys; a new
shared object gets its key here, so one file lists everything a handler can reach.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from aiohttp import web

from registry.core.catalog import Catalog
from registry.core.compat_service import CompatibilityService
from registry.core.compat_settings import CompatibilitySettings
from registry.core.config import Config
from registry.core.events import EventFeed
from registry.core.keys import ApiKey, KeyStore
from registry.core.offload import Offloader
from registry.core.timeline import Timeline
from registry.core.validation_pool import ValidationPool
from registry.core.webhooks import WebhookStore
from registry.http.metrics import Metrics
from registry.http.representations import RenderedProjects
from registry.http.validation_slots import ValidationSlots

if TYPE_CHECKING:  # body_guard and the pages read their slots from here
    from registry.http.beacon_watch import BeaconWatch
    from registry.http.body_guard import OpenBodies
    from registry.http.pages.sessions import SessionStore
    from registry.http.webhook_sender import WebhookSender

# -- the application's ---------------------------------------------------------------------
CONFIG = web.AppKey("config", Config)
CATALOG = web.AppKey("catalog", Catalog)
OFFLOADER = web.AppKey("offloader", Offloader)
TIMELINE = web.AppKey("timeline", Timeline)
VALIDATION_POOL = web.AppKey("validation_pool", ValidationPool)
KEYSTORE = web.AppKey("keystore", KeyStore)
METRICS = web.AppKey("metrics", Metrics)
RENDERED_PROJECTS = web.AppKey("rendered_projects", RenderedProjects)
OPEN_BODIES: web.AppKey[OpenBodies] = web.AppKey("open_bodies")
GIT_SLOTS = web.AppKey("git_slots", asyncio.Semaphore)  # git requests served at once
VALIDATION_SLOTS = web.AppKey("validation_slots", ValidationSlots)  # validations in threads at once
COMPAT_SETTINGS = web.AppKey("compatibility_settings", CompatibilitySettings)
COMPAT = web.AppKey("compatibility", CompatibilityService)
UI_SESSIONS: web.AppKey[SessionStore] = web.AppKey("ui_sessions")  # the web pages' sessions
UI_STATIC: web.AppKey[dict[str, tuple[bytes, str]]] = web.AppKey("ui_static")  # name -> (body, type)
EVENT_FEED = web.AppKey("event_feed", EventFeed)
WEBHOOK_STORE = web.AppKey("webhook_store", WebhookStore)
BEACON_WATCH: web.AppKey[BeaconWatch] = web.AppKey("beacon_watch")  # wakes event streams on changes
WEBHOOK_SENDER: web.AppKey[WebhookSender] = web.AppKey("webhook_sender")  # this process's deliveries

# -- a request's ---------------------------------------------------------------------------
API_KEY = web.RequestKey("api_key", ApiKey)  # the caller's key, once authenticated
REQUEST_ID = web.RequestKey("id", str)  # logged with unexpected errors
