"""Typed application slots shared by the route modules."""

from __future__ import annotations

from aiohttp import web

from registry.core.catalog import Catalog
from registry.core.config import Config
from registry.core.events import EventFeed
from registry.core.offload import Offloader
from registry.core.timeline import Timeline
from registry.core.validation_pool import ValidationPool
from registry.core.webhooks import WebhookStore

CONFIG = web.AppKey("config", Config)
CATALOG = web.AppKey("catalog", Catalog)
OFFLOADER = web.AppKey("offloader", Offloader)
TIMELINE = web.AppKey("timeline", Timeline)
VALIDATION_POOL = web.AppKey("validation_pool", ValidationPool)
EVENT_FEED = web.AppKey("event_feed", EventFeed)
WEBHOOK_STORE = web.AppKey("webhook_store", WebhookStore)
