from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from reportit.reports.storage import DiskPhotoStore, PhotoStore

PHOTO = b"\xff\xd8\xff pretend jpeg bytes \xff\xd9"
OTHER_PHOTO = b"\xff\xd8\xff another photo \xff\xd9"
KEY = hashlib.sha256(PHOTO).hexdigest()


@pytest.fixture
def store(tmp_path: Path) -> DiskPhotoStore:
    return DiskPhotoStore(tmp_path / "photos")


def files_under(root: Path) -> list[Path]:
    return sorted(path for path in root.rglob("*") if path.is_file())


def test_disk_store_satisfies_the_photo_store_interface(store: DiskPhotoStore) -> None:
    assert isinstance(store, PhotoStore)


async def test_put_names_the_file_by_its_sha256(store: DiskPhotoStore) -> None:
    stored = await store.put(PHOTO)

    assert (stored.key, stored.ext, stored.size, stored.created) == (KEY, "jpg", len(PHOTO), True)
    assert store.path_for(KEY) == store.root / KEY[:2] / KEY[2:4] / f"{KEY}.jpg"
    assert store.path_for(KEY).read_bytes() == PHOTO


async def test_putting_the_same_bytes_again_stores_nothing_new(store: DiskPhotoStore) -> None:
    first = await store.put(PHOTO)
    again = await store.put(PHOTO)

    assert again.key == first.key
    assert again.created is False
    assert [p for p in files_under(store.root)] == [store.path_for(KEY)]


async def test_different_bytes_get_different_keys(store: DiskPhotoStore) -> None:
    assert (await store.put(PHOTO)).key != (await store.put(OTHER_PHOTO)).key


async def test_a_short_file_left_by_a_crash_is_replaced(store: DiskPhotoStore) -> None:
    path = store.path_for(KEY)
    path.parent.mkdir(parents=True)
    path.write_bytes(PHOTO[:5])

    stored = await store.put(PHOTO)

    assert stored.created is True
    assert await store.read(KEY) == PHOTO


async def test_read_returns_what_was_put(store: DiskPhotoStore) -> None:
    await store.put(PHOTO)
    assert await store.read(KEY) == PHOTO


async def test_reading_a_missing_photo_raises_file_not_found(store: DiskPhotoStore) -> None:
    with pytest.raises(FileNotFoundError):
        await store.read(KEY)


async def test_exists_tracks_put_and_delete(store: DiskPhotoStore) -> None:
    assert await store.exists(KEY) is False
    await store.put(PHOTO)
    assert await store.exists(KEY) is True
    await store.delete(KEY)
    assert await store.exists(KEY) is False


async def test_delete_is_idempotent(store: DiskPhotoStore) -> None:
    await store.put(PHOTO)
    await store.delete(KEY)
    await store.delete(KEY)
    assert not store.path_for(KEY).exists()


@pytest.mark.parametrize(
    "bad_key",
    ["../etc/passwd", KEY.upper(), KEY[:63], KEY + "0", f"{KEY[:62]}/x", "", f"{KEY}\n", "g" * 64],
    ids=["traversal", "uppercase", "short", "long", "slash", "empty", "newline", "not-hex"],
)
async def test_keys_that_are_not_sha256_hex_never_touch_the_disk(store: DiskPhotoStore, bad_key: str) -> None:
    with pytest.raises(ValueError):
        store.path_for(bad_key)
    with pytest.raises(ValueError):
        await store.read(bad_key)
    with pytest.raises(ValueError):
        await store.exists(bad_key)
    with pytest.raises(ValueError):
        await store.delete(bad_key)


@pytest.mark.parametrize("bad_ext", ["png", "jpg/../../x", "", "JPG", "html"])
async def test_only_allowed_extensions_are_stored(store: DiskPhotoStore, bad_ext: str) -> None:
    with pytest.raises(ValueError):
        await store.put(PHOTO, ext=bad_ext)
    with pytest.raises(ValueError):
        store.path_for(KEY, bad_ext)
    assert files_under(store.root) == [] if store.root.exists() else True


async def test_no_temp_files_are_left_after_puts(store: DiskPhotoStore) -> None:
    await store.put(PHOTO)
    await store.put(PHOTO)
    await store.put(OTHER_PHOTO)
    assert list((store.root / "tmp").iterdir()) == []


async def test_a_failed_write_leaves_no_temp_file_and_no_photo(store: DiskPhotoStore) -> None:
    # A non-empty directory squatting on the photo's path makes the final rename fail for real.
    squatter = store.path_for(KEY)
    squatter.mkdir(parents=True)
    (squatter / "occupied").write_bytes(b"x")

    with pytest.raises(OSError):
        await store.put(PHOTO)

    assert list((store.root / "tmp").iterdir()) == []
    assert not store.path_for(KEY).is_file()


async def test_iter_keys_lists_stored_photos_for_the_orphan_sweep(store: DiskPhotoStore) -> None:
    assert list(store.iter_keys()) == []
    await store.put(PHOTO)
    other = await store.put(OTHER_PHOTO)
    (store.root / "tmp" / "half-written.tmp").write_bytes(b"x")
    (store.root / KEY[:2] / KEY[2:4] / "stray.txt").write_bytes(b"x")

    listed = list(store.iter_keys())

    assert sorted((key, ext) for key, ext, _ in listed) == sorted([(KEY, "jpg"), (other.key, "jpg")])
    assert all(isinstance(mtime, float) and mtime > 0 for _, _, mtime in listed)
