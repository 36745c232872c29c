"""The photo files one request puts in the store, and what it owes other requests.

Identical bytes are stored once, so two requests can share a file: a phone's retry landing on
another worker while the first attempt is still failing, or the same picture in two reports. A
request that fails removes the files it created that no photo row uses, and puts one back if a
row came to use it meanwhile; a request that stored its rows makes sure the files it found in
place are still there (the failing one may have removed them between this one's put and its
commit). Between the two, a report is never stored with a photo whose file is gone.
"""

from __future__ import annotations

from reportit.reports.storage import PhotoStore, StoredFile
from reportit.reports.tables import Photo


class PhotoFiles:
    def __init__(self, store: PhotoStore) -> None:
        self.store = store
        self._files: list[tuple[StoredFile, bytes]] = []

    async def put(self, data: bytes) -> StoredFile:
        stored = await self.store.put(data)
        self._files.append((stored, data))
        return stored

    async def undo(self) -> None:
        """The request failed: its own files go, unless a stored photo uses them."""
        for stored, data in self._files:
            if not stored.created or await _used(stored.key):
                continue
            await self.store.delete(stored.key)
            if await _used(stored.key):  # a request sharing these bytes stored its row meanwhile
                await self.store.put(data)

    async def confirm(self) -> None:
        """The rows are stored: the files this request found in place must still be there."""
        for stored, data in self._files:
            if not stored.created and not await self.store.exists(stored.key):
                await self.store.put(data)


async def _used(key: str) -> bool:
    return await Photo.exists().where((Photo.key == key) | (Photo.thumb_key == key))
