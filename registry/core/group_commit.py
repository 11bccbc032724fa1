"""Group commit: concurrent writes to one group share one turn of its writer lock.

Each write is still its own commit, built on top of the one before it, but a batch is stored as
one pack and moves ``main`` once, so a burst of writes pays for one flush and one ref update.
The first writer to arrive leads: it commits batches until its own write is done, then hands
the lead to the next waiting writer, so no writer leads forever under sustained load.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Generic, TypeVar

MAX_BATCH = 32
P = TypeVar("P")
R = TypeVar("R")


@dataclass(eq=False)
class Write(Generic[P, R]):
    """One queued write; ``alone`` ones (that move the repository) are committed in a batch of one."""

    payload: P
    alone: bool = False
    wake: threading.Event = field(default_factory=threading.Event)
    finished: bool = False
    result: R | None = None
    error: BaseException | None = None

    def succeed(self, result: R) -> None:
        self.result, self.finished = result, True
        self.wake.set()

    def fail(self, error: BaseException) -> None:
        self.error, self.finished = error, True
        self.wake.set()

    def outcome(self) -> R:
        if self.error is not None:
            raise self.error
        assert self.result is not None
        return self.result


@dataclass
class _Queue(Generic[P, R]):
    lock: threading.Lock = field(default_factory=threading.Lock)
    waiting: deque[Write[P, R]] = field(default_factory=deque)
    leading: bool = False


class WriteQueues(Generic[P, R]):
    """Per-group queues; ``commit_batch(group_id, writes)`` must finish every write it is given."""

    def __init__(
        self, commit_batch: Callable[[str, list[Write[P, R]]], None], max_batch: int = MAX_BATCH
    ) -> None:
        self._commit_batch = commit_batch
        self._max_batch = max_batch
        self._guard = threading.Lock()
        self._queues: dict[str, _Queue[P, R]] = {}

    def submit(self, group_id: str, write: Write[P, R]) -> R:
        with self._guard:
            queue = self._queues.setdefault(group_id, _Queue())
        with queue.lock:
            queue.waiting.append(write)
            lead = not queue.leading
            queue.leading = True
        if not lead:
            write.wake.wait()  # finished by a leader, or promoted to lead
        if not write.finished:
            self._lead(group_id, queue, write)
        return write.outcome()

    def _lead(self, group_id: str, queue: _Queue[P, R], me: Write[P, R]) -> None:
        try:
            while not me.finished:
                with queue.lock:
                    batch = self._take(queue)
                try:
                    self._commit_batch(group_id, batch)
                except BaseException as exc:  # the committer should not raise; never strand a writer
                    for write in batch:
                        if not write.finished:
                            write.fail(exc)
        finally:
            with queue.lock:
                if queue.waiting:
                    queue.waiting[0].wake.set()  # the next writer leads
                else:
                    queue.leading = False

    def _take(self, queue: _Queue[P, R]) -> list[Write[P, R]]:
        batch: list[Write[P, R]] = []
        while queue.waiting and len(batch) < self._max_batch:
            if queue.waiting[0].alone and batch:
                break
            batch.append(queue.waiting.popleft())
            if batch[-1].alone:
                break
        return batch
