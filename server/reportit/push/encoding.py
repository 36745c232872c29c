"""Encrypting and signing push requests off the event loop: big batches in one worker process,
small ones (most status changes) in a thread, with no process to start.

CPU-bound work (ECDH + AES-GCM per message, and pyca/cryptography keeps the GIL), so a thread
alone does not let the event loop's HTTP work run alongside it; a worker process does.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
import threading
import time
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

import anyio

from reportit.places.naming import report_place_words as report_place
from reportit.push.message import (EncodeFailure, News, PushEncoder, PushRequest, Target, encode_each,
                                   encode_in_process, news_of_row, start_encoder_process)
from reportit.push.vapid import VapidKeys
from reportit.settings import Settings

log = logging.getLogger(__name__)


class BatchEncoder:
    def __init__(self, settings: Settings, keys: VapidKeys, encoder: PushEncoder, process_batch: int) -> None:
        self.settings = settings
        self.keys = keys
        self.encoder = encoder
        self.process_batch = process_batch  # batches at least this big go to the worker process (0: never)
        self._processes: ProcessPoolExecutor | None = None
        self._processes_started: Future | None = None

    def close(self) -> None:
        if self._processes is not None:
            self._processes.shutdown(wait=False, cancel_futures=True)
            self._processes = self._processes_started = None

    async def encode_rows(self, rows: list[dict]) -> dict[int, PushRequest | EncodeFailure]:
        """Encrypted, signed requests by row id. CPU-bound (ECDH + AES-GCM per message), so never
        on the event loop: big batches in a worker process, small ones in a thread. A row that
        can't be encoded gets an EncodeFailure instead, and fails alone."""
        results: dict[int, PushRequest | EncodeFailure] = {}
        encodable, items = [], []
        for r in rows:
            try:
                items.append((news_of_row(self.settings, r, report_place(r)),
                              Target(r["endpoint"], r["p256dh"], r["auth"])))
            except Exception as exc:  # noqa: BLE001
                results[r["id"]] = EncodeFailure(f"could not build the message: {type(exc).__name__}")
            else:
                encodable.append(r)
        requests = None
        if self.process_batch and len(items) >= self.process_batch:
            requests = await self.in_process(items)
        if requests is None:
            requests = await anyio.to_thread.run_sync(self._encode, items)
        results.update({row["id"]: request for row, request in zip(encodable, requests)})
        return results

    def _encode(self, items: list[tuple[News, Target]]) -> list[PushRequest | EncodeFailure]:
        return encode_each(self.encoder, items)

    async def in_process(self, items: list[tuple[News, Target]]
                                 ) -> list[PushRequest | EncodeFailure] | None:
        """None means "use a thread": while the worker process is starting, or if it failed."""
        if self._processes is None:
            self._processes = ProcessPoolExecutor(
                max_workers=1, mp_context=multiprocessing.get_context("spawn"),  # no fork of a threaded server
                initializer=start_worker,
                initargs=(os.getpid(), self.keys.private_pem, self.keys.public_pem, self.encoder.subscriber,
                          self.encoder.base_url))
        try:
            if self._processes_started is None:
                self._processes_started = self._processes.submit(encode_in_process, [])
            if not self._processes_started.done():
                return None  # it takes a few hundred ms to start: this batch need not wait for it
            return await asyncio.get_running_loop().run_in_executor(self._processes, encode_in_process, items)
        except (BrokenProcessPool, OSError) as exc:  # the worker died or could not start: use a thread
            log.warning("event=encoder_process_failed error=%r", exc)
            self._processes.shutdown(wait=False, cancel_futures=True)
            self._processes = self._processes_started = None
            return None


PARENT_CHECK_SECONDS = 1.0


def start_worker(parent_pid: int, *encoder_args: object) -> None:
    """The worker's initializer: its encoder, and a watch on the server that started it.

    A worker waits on its task queue, which it holds both ends of, so it never sees the server die:
    after a SIGKILL it lived on for 10+ minutes. When its parent is gone (the worker is re-parented,
    so its parent id changes), it exits at once.
    """
    start_encoder_process(*encoder_args)  # type: ignore[arg-type]
    threading.Thread(target=_exit_with_parent, args=(parent_pid,), name="parent-watch", daemon=True).start()


def _exit_with_parent(parent_pid: int) -> None:
    while os.getppid() == parent_pid:
        time.sleep(PARENT_CHECK_SECONDS)
    os._exit(0)
