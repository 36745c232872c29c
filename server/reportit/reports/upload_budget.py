"""One memory budget shared by every upload in flight: the bytes received so far, and the pixels
being decoded. Each upload is bounded on its own (upload.py, photos.py), but four 75 MB uploads at
once took the server to 0.7 GB; beyond the budget an upload is asked to come back (503 with
Retry-After, which the app's outbox honours) rather than queued in memory.

Everything here runs on the event loop, so the counters need no lock.
"""

from __future__ import annotations

import logging
from types import TracebackType

from reportit.problems import Problem
from reportit.reports.decoded_size import max_decoded_bytes
from reportit.settings import Settings

log = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 15


class UploadBudget:
    def __init__(self, total_bytes: int) -> None:
        self.total_bytes = total_bytes
        self.used_bytes = 0

    @classmethod
    def for_settings(cls, settings: Settings) -> UploadBudget:
        """The budget, with a warning when one biggest report could never fit: it would be asked
        to retry for ever."""
        biggest = settings.config.max_photos * settings.config.max_photo_bytes + max_decoded_bytes(settings.config.max_photo_pixels)
        if settings.config.upload_memory_bytes < biggest:
            log.warning("event=upload_memory_below_one_report upload_memory_bytes=%d one_report_bytes=%d",
                        settings.config.upload_memory_bytes, biggest)
        return cls(settings.config.upload_memory_bytes)

    def claim(self) -> Claim:
        """What one request holds; released when its `with` block ends, however it ends."""
        return Claim(self)


class Claim:
    def __init__(self, budget: UploadBudget) -> None:
        self.budget = budget
        self.held = 0

    def take(self, nbytes: int) -> None:
        budget = self.budget
        if budget.used_bytes + nbytes > budget.total_bytes:
            raise Problem(503, "Busy just now",
                          "We are receiving a lot of photos just now. Your report is safe on your phone and "
                          "will be sent again in a moment.", headers={"Retry-After": str(RETRY_AFTER_SECONDS)})
        budget.used_bytes += nbytes
        self.held += nbytes

    def give_back(self, nbytes: int) -> None:
        nbytes = min(nbytes, self.held)
        self.budget.used_bytes -= nbytes
        self.held -= nbytes

    def __enter__(self) -> Claim:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.give_back(self.held)
