"""The application factory: configuration in, a ready aiohttp ``Application`` out."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator

from aiohttp import web

from registry.core.catalog import Catalog
from registry.core.compat_service import CompatibilityService
from registry.core.compat_settings import CompatibilitySettings
from registry.core.config import Config
from registry.core.events import EventFeed
from registry.core.keys import KeyStore
from registry.core.offload import Offloader
from registry.core.timeline import Timeline
from registry.core.validation_pool import ValidationPool
from registry.core.webhooks import WebhookStore
from registry.formats import Limits, observe_validations
from registry.http import body_guard, pages
from registry.http.beacon_watch import BeaconWatch, stop_streams, watching
from registry.http.context import (
    BEACON_WATCH,
    CATALOG,
    COMPAT,
    COMPAT_SETTINGS,
    CONFIG,
    EVENT_FEED,
    GIT_SLOTS,
    KEYSTORE,
    METRICS,
    OFFLOADER,
    RENDERED_PROJECTS,
    TIMELINE,
    VALIDATION_POOL,
    VALIDATION_SLOTS,
    WEBHOOK_SENDER,
    WEBHOOK_STORE,
)
from registry.http.metrics import Metrics, refresh_periodically
from registry.http.middleware import request_middleware
from registry.http.representations import RenderedProjects
from registry.http.request_ids import quiet_malformed_requests
from registry.http.routes import (
    batch,
    compatibility,
    events,
    git,
    groups,
    history,
    meta,
    ops,
    projects,
    samples,
    validation,
    webhooks,
)
from registry.http.validation_slots import ValidationSlots
from registry.http.webhook_sender import WebhookSender, sending

log = logging.getLogger(__name__)


def create_app(config: Config) -> web.Application:
    config.data_dir.mkdir(parents=True, exist_ok=True)
    limits = Limits(max_depth=config.max_depth)
    pool = ValidationPool(
        config.validation_workers,
        config.parse_seconds,
        limits,
        config.log_format,
        deadline=config.validation_deadline,
    )
    catalog = Catalog(
        config.data_dir, validator=pool.validate, default_compatibility=config.default_compatibility
    )
    keys = KeyStore(config.data_dir)
    metrics = Metrics(config.data_dir, catalog.cache_stats)
    app = web.Application(
        client_max_size=config.max_body_bytes,
        middlewares=[request_middleware(metrics, keys)],
    )
    body_guard.setup(app)
    quiet_malformed_requests()  # the server that runs this app logs bad requests briefly
    app[CONFIG] = config
    app[VALIDATION_POOL] = pool
    app[CATALOG] = catalog
    app[TIMELINE] = Timeline(catalog)
    app[COMPAT_SETTINGS] = CompatibilitySettings(catalog, app[TIMELINE])
    app[COMPAT] = CompatibilityService(app[TIMELINE])
    app[KEYSTORE] = keys
    app[OFFLOADER] = Offloader(config.io_threads)
    app[METRICS] = metrics
    app[GIT_SLOTS] = asyncio.Semaphore(config.max_concurrent_git)
    app[VALIDATION_SLOTS] = ValidationSlots(max(1, config.validation_workers))
    app[RENDERED_PROJECTS] = RenderedProjects()
    app[EVENT_FEED] = EventFeed(catalog.snapshots, catalog.deleted_dir)
    app[BEACON_WATCH] = BeaconWatch(catalog.beacon)
    app[WEBHOOK_STORE] = WebhookStore(config.data_dir)
    app[WEBHOOK_SENDER] = WebhookSender(
        config, app[WEBHOOK_STORE], app[EVENT_FEED], app[OFFLOADER], app[BEACON_WATCH]
    )
    # Reads by id are matched first (the hottest route). /project/{group}/{name} comes after the
    # /project/{id}/... routes of history, validation and compatibility, which it would otherwise
    # swallow.
    for table in (
        projects.routes,
        meta.routes,
        ops.routes,
        history.routes,
        groups.routes,
        batch.routes,
        validation.routes,
        samples.routes,
        compatibility.routes,
        events.routes,
        webhooks.routes,
        projects.by_name_routes,
        git.routes,
    ):
        app.add_routes(table)
    pages.setup(app)  # the web pages under /ui/ (docs/ui.md)
    app.on_shutdown.append(_say_stopping)
    app.on_shutdown.append(stop_streams)
    app.cleanup_ctx.append(_background_tasks)
    app.cleanup_ctx.append(watching)
    app.cleanup_ctx.append(sending)
    return app


async def _say_stopping(app: web.Application) -> None:
    log.info("shutting down: no new connections; finishing the requests in flight")


async def _background_tasks(app: web.Application) -> AsyncIterator[None]:
    tasks = [asyncio.create_task(_reload_keys(app)), asyncio.create_task(refresh_periodically(app[METRICS]))]
    validation = app[METRICS].validation
    stop_observing = observe_validations(lambda fmt, seconds: validation.labels(fmt).observe(seconds))
    yield
    stop_observing()
    app[VALIDATION_POOL].close()
    for task in tasks:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
    app[OFFLOADER].close()
    log.info("stopped")


async def _reload_keys(app: web.Application) -> None:
    """Keys created or revoked with the CLI take effect within ``key_reload_seconds``.

    A key file that cannot be read keeps the keys loaded before (logged), and is read again on
    the next round: one bad edit must not stop revocations from ever taking effect.
    """
    while True:
        await asyncio.sleep(app[CONFIG].key_reload_seconds)
        try:
            await app[OFFLOADER].run(app[KEYSTORE].reload_if_changed)
        except Exception as exc:
            log.error("keeping the keys loaded before: %s", exc)
