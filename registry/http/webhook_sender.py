"""Delivering events to webhooks: one process at a time, in order per group, at least once.

Every server process runs a :class:`WebhookSender`; only the one holding the sender lock
(``webhooks-sender.flock``) delivers, and another takes over within a second when it dies.
Each webhook has one task. It asks the feed for the events after the webhook's positions, sends
them one by one, and moves a group's position only after the receiver answered 2xx; positions
reach ``webhooks.json`` at most every half second and whenever the task waits, so a crash
repeats at most that much (same ids), and never skips an event. A failed delivery is tried again
after an exponentially growing, jittered wait (``REGISTRY_WEBHOOK_RETRY_BASE_SECONDS`` doubling
up to ``REGISTRY_WEBHOOK_RETRY_MAX_SECONDS``); past ``REGISTRY_WEBHOOK_GIVE_UP_SECONDS`` the
webhook is marked failing and waits, with every later event, for an admin (``PATCH``).
Deliveries run on the event loop apart from any write, so a slow receiver never slows a write.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import time
from collections.abc import AsyncIterator

import aiohttp
from aiohttp import web

from registry.core.config import Config
from registry.core.events import Draft, EventFeed
from registry.core.offload import Offloader
from registry.core.webhook_plan import PositionLost, find_event, plan
from registry.core.webhooks import (
    MAX_DELIVERIES,
    Progress,
    SenderLock,
    Webhook,
    WebhookStore,
    now_text,
)
from registry.http.beacon_watch import BeaconWatch
from registry.http.context import WEBHOOK_SENDER
from registry.http.webhook_client import Attempt, client_session, deliver

log = logging.getLogger(__name__)
TAKEOVER_SECONDS = 1.0  # how often a process without the lock tries to take it
SAVE_EVERY_SECONDS = 0.5
IDLE_SECONDS = 1.0


def backoff(config: Config, attempts: int) -> float:
    """The wait before try ``attempts + 1``: doubling from the base, capped, with jitter so that
    many webhooks failing at once do not retry in lock-step."""
    wait = min(config.webhook_retry_max_seconds, config.webhook_retry_base_seconds * 2 ** (attempts - 1))
    jittered: float = wait * random.uniform(0.75, 1.25)  # noqa: S311 - jitter, not a secret
    return max(config.webhook_retry_base_seconds, min(config.webhook_retry_max_seconds, jittered))


class WebhookSender:
    def __init__(
        self, config: Config, store: WebhookStore, feed: EventFeed, offloader: Offloader, watch: BeaconWatch
    ) -> None:
        self.config = config
        self.store = store
        self.feed = feed
        self.run_blocking = offloader.run
        self.watch = watch
        self.lock = SenderLock(config.data_dir)
        self._tasks: dict[str, asyncio.Task[None]] = {}
        self._session: aiohttp.ClientSession | None = None

    async def run(self) -> None:
        try:
            while True:
                if not self.lock.held and not await self.run_blocking(self.lock.try_take):
                    await asyncio.sleep(TAKEOVER_SECONDS)
                    continue
                if self._session is None:
                    log.info("this process delivers webhooks")
                    self._session = client_session(
                        allow_private=self.config.webhooks_allow_private,
                        timeout_seconds=self.config.webhook_timeout_seconds,
                    )
                await self._start_tasks()
                await asyncio.sleep(IDLE_SECONDS)
        finally:
            await self._stop()

    async def _start_tasks(self) -> None:
        try:
            hooks = await self.run_blocking(self.store.all)
        except Exception as exc:  # a hand-edited file: keep going, say why
            log.error("cannot read the webhooks: %s", exc)
            return
        for webhook_id in hooks:
            task = self._tasks.get(webhook_id)
            if task is None or task.done():
                self._tasks[webhook_id] = asyncio.create_task(self._serve(webhook_id))
        for webhook_id in set(self._tasks) - set(hooks):
            self._tasks.pop(webhook_id).cancel()

    async def _stop(self) -> None:
        for task in self._tasks.values():
            task.cancel()
        for task in self._tasks.values():
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        if self._session is not None:
            await self._session.close()
        self.lock.release()

    async def _current(self, webhook_id: str) -> Webhook | None:
        return (await self.run_blocking(self.store.all)).get(webhook_id)

    async def _serve(self, webhook_id: str) -> None:
        """Deliver one webhook's events, for as long as it exists."""
        try:
            hook = await self._current(webhook_id)
            if hook is None:
                return
            progress = Progress(hook)
            while True:
                hook = await self._current(webhook_id)
                if hook is None:
                    return
                if hook["generation"] != progress.generation:
                    progress = Progress(hook)
                if hook["paused"] or progress.failing is not None:
                    await self._save(progress)
                    await asyncio.sleep(IDLE_SECONDS)
                    continue
                await self._redeliver(hook, progress)
                await self._deliver_owed(hook, progress)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("webhook %s: delivery stopped; it restarts within a second", webhook_id)

    async def _deliver_owed(self, hook: Webhook, progress: Progress) -> None:
        seen = self.watch.generation
        positions = {**hook["positions"], **progress.positions}
        try:
            drafts = await self.run_blocking(plan, self.feed, hook, positions)
        except PositionLost as exc:
            progress.failing = {"reason": str(exc), "since": now_text(), "event_id": ""}
            progress.dirty = True
            await self._save(progress)
            return
        if not drafts:
            await self._save(progress)
            await self.watch.wait(seen, IDLE_SECONDS)
            return
        for draft in drafts:
            wanted = hook["types"] is None or draft.type in hook["types"]
            if wanted and not await self._deliver_until_done(hook, progress, draft):
                return
            progress.positions[draft.group_id] = draft.id
            progress.dirty = True
            # Not after every event: an fsynced rewrite per event would cap the rate (and a
            # crash repeats at most this much).
            if time.monotonic() - progress.saved_at > SAVE_EVERY_SECONDS and not await self._save(progress):
                return

    async def _attempt(self, hook: Webhook, progress: Progress, draft: Draft) -> Attempt:
        assert self._session is not None
        attempt = await deliver(
            self._session,
            hook["url"],
            hook["secret"],
            draft.render(self.config.public_url or hook["base_url"]),  # a public URL set later wins
            allow_private=self.config.webhooks_allow_private,
        )
        progress.deliveries.append(
            {
                "event_id": draft.id,
                "time": now_text(),
                "status": attempt.status,
                "duration_ms": round(attempt.seconds * 1000),
                "error": attempt.error,
            }
        )
        del progress.deliveries[:-MAX_DELIVERIES]
        progress.dirty = True
        return attempt

    async def _deliver_until_done(self, hook: Webhook, progress: Progress, draft: Draft) -> bool:
        """Send ``draft`` until a 2xx (True), or until the webhook fails, changes or goes (False)."""
        while True:
            attempt = await self._attempt(hook, progress, draft)
            if attempt.error is None:
                progress.retry = None
                return True
            now = time.time()
            retry = progress.retry
            if retry is None or retry["event_id"] != draft.id:
                retry = {"event_id": draft.id, "since": now, "attempts": 0, "last_error": ""}
            retry["attempts"] += 1
            retry["last_error"] = attempt.error
            progress.retry = retry
            if now - retry["since"] >= self.config.webhook_give_up_seconds:
                reason = f"gave up after {retry['attempts']} tries over {now - retry['since']:.0f} s: "
                progress.failing = {
                    "reason": reason + attempt.error,
                    "since": now_text(),
                    "event_id": draft.id,
                }
                log.warning("webhook %s is failing: %s", hook["id"], progress.failing["reason"])
                await self._save(progress)
                return False
            if not await self._save(progress) or not await self._sleep(
                progress, backoff(self.config, retry["attempts"])
            ):
                return False

    async def _sleep(self, progress: Progress, seconds: float) -> bool:
        """Wait ``seconds``; False as soon as the webhook changed (an admin's PATCH) or went."""
        deadline = time.monotonic() + seconds
        while (left := deadline - time.monotonic()) > 0:
            await asyncio.sleep(min(left, IDLE_SECONDS))
            hook = await self._current(progress.webhook_id)
            if hook is None or hook["generation"] != progress.generation:
                return False
        return True

    async def _save(self, progress: Progress) -> bool:
        """Store the progress; False if the webhook changed meanwhile (its work is then dropped)."""
        if not progress.dirty:
            return True
        stored = await self.run_blocking(self.store.save_progress, progress)
        if stored is None or stored["generation"] != progress.generation:
            return False
        progress.saved(stored)
        return True

    async def _redeliver(self, hook: Webhook, progress: Progress) -> None:
        """Send the events an admin asked for again, once each, out of order (positions stay)."""
        for event_id in hook["redeliver"]:
            if event_id in progress.redelivered:
                continue
            progress.redelivered.append(event_id)
            progress.dirty = True
            draft = await self.run_blocking(find_event, self.feed, hook, event_id)
            if draft is not None:
                await self._attempt(hook, progress, draft)
        await self._save(progress)


async def sending(app: web.Application) -> AsyncIterator[None]:
    """cleanup_ctx: the sender task of this process (it delivers only while it holds the lock)."""
    task = asyncio.create_task(app[WEBHOOK_SENDER].run())
    yield
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
