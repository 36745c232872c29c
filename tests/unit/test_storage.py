from __future__ import annotations

import hashlib
import time
from pathlib import Path

import pytest

from reportit.reports.storage import TMP_DIR, DiskPhotoStore, PhotoStore, StorageUnavailable
from tests.object_storage import ObjectServer, _free_port

PHOTO = b"\xff\xd8\xff pretend jpeg bytes \xff\xd9"
OTHER_PHOTO = b"\xff\xd8\xff another photo \xff\xd9"
KEY = hashlib.sha256(PHOTO).hexdigest()


@pytest.fixture(params=["directory", "s3"])
def store(request, tmp_path: Path) -> PhotoStore:
    """Every interface test runs against a directory and against S3-compatible storage (moto on
    loopback, a fresh bucket per test)."""
    if request.param == "directory":
        return DiskPhotoStore(tmp_path / "photos")
    server = request.getfixturevalue("object_server")
    return server.store(f"s3://{server.new_bucket()}/photos")


@pytest.fixture
def disk_store(tmp_path: Path) -> DiskPhotoStore:
    return DiskPhotoStore(tmp_path / "photos")


async def keys_of(store: PhotoStore) -> list[tuple[str, str]]:
    return sorted([(key, ext) async for key, ext, _ in store.list_keys()])


def files_under(root: Path) -> list[Path]:
    return sorted(path for path in root.rglob("*") if path.is_file())


def test_both_stores_satisfy_the_photo_store_interface(store: PhotoStore) -> None:
    assert isinstance(store, PhotoStore)


async def test_put_names_the_file_by_its_sha256(store: PhotoStore) -> None:
    stored = await store.put(PHOTO)

    assert (stored.key, stored.ext, stored.size, stored.created) == (KEY, "jpg", len(PHOTO), True)
    assert await store.read(KEY) == PHOTO
    assert await keys_of(store) == [(KEY, "jpg")]


async def test_the_directory_store_lays_files_out_by_key(disk_store: DiskPhotoStore) -> None:
    await disk_store.put(PHOTO)

    assert disk_store.path_for(KEY) == disk_store.root / KEY[:2] / KEY[2:4] / f"{KEY}.jpg"
    assert disk_store.path_for(KEY).read_bytes() == PHOTO


async def test_the_object_store_names_objects_like_the_directory_store(object_server) -> None:
    bucket = object_server.new_bucket()
    await object_server.store(f"s3://{bucket}/council/photos").put(PHOTO)

    import boto3

    from tests.object_storage import CREDENTIALS
    listed = boto3.client("s3", endpoint_url=object_server.endpoint, aws_access_key_id=CREDENTIALS["access_key_id"],
                          aws_secret_access_key=CREDENTIALS["secret_access_key"],
                          region_name=CREDENTIALS["region"]).list_objects_v2(Bucket=bucket)
    assert [o["Key"] for o in listed["Contents"]] == [f"council/photos/{KEY[:2]}/{KEY[2:4]}/{KEY}.jpg"]


async def test_putting_the_same_bytes_again_stores_nothing_new(store: PhotoStore) -> None:
    first = await store.put(PHOTO)
    again = await store.put(PHOTO)

    assert again.key == first.key
    assert again.created is False
    assert await keys_of(store) == [(KEY, "jpg")]


async def test_different_bytes_get_different_keys(store: PhotoStore) -> None:
    assert (await store.put(PHOTO)).key != (await store.put(OTHER_PHOTO)).key


async def test_a_short_file_left_by_a_crash_is_replaced(disk_store: DiskPhotoStore) -> None:
    store = disk_store
    path = store.path_for(KEY)
    path.parent.mkdir(parents=True)
    path.write_bytes(PHOTO[:5])

    stored = await store.put(PHOTO)

    assert stored.created is True
    assert await store.read(KEY) == PHOTO


async def test_read_returns_what_was_put(store: PhotoStore) -> None:
    await store.put(PHOTO)
    assert await store.read(KEY) == PHOTO


async def test_reading_a_missing_photo_raises_file_not_found(store: PhotoStore) -> None:
    with pytest.raises(FileNotFoundError):
        await store.read(KEY)


async def test_exists_tracks_put_and_delete(store: PhotoStore) -> None:
    assert await store.exists(KEY) is False
    await store.put(PHOTO)
    assert await store.exists(KEY) is True
    await store.delete(KEY)
    assert await store.exists(KEY) is False


async def test_delete_is_idempotent(store: PhotoStore) -> None:
    await store.put(PHOTO)
    await store.delete(KEY)
    await store.delete(KEY)
    assert await store.exists(KEY) is False
    assert await keys_of(store) == []


@pytest.mark.parametrize(
    "bad_key",
    ["../etc/passwd", KEY.upper(), KEY[:63], KEY + "0", f"{KEY[:62]}/x", "", f"{KEY}\n", "g" * 64],
    ids=["traversal", "uppercase", "short", "long", "slash", "empty", "newline", "not-hex"],
)
async def test_keys_that_are_not_sha256_hex_never_touch_the_store(store: PhotoStore, bad_key: str) -> None:
    with pytest.raises(ValueError):
        store.path_for(bad_key)
    with pytest.raises(ValueError):
        await store.read(bad_key)
    with pytest.raises(ValueError):
        await store.exists(bad_key)
    with pytest.raises(ValueError):
        await store.delete(bad_key)


@pytest.mark.parametrize("bad_ext", ["png", "jpg/../../x", "", "JPG", "html"])
async def test_only_allowed_extensions_are_stored(store: PhotoStore, bad_ext: str) -> None:
    with pytest.raises(ValueError):
        await store.put(PHOTO, ext=bad_ext)
    with pytest.raises(ValueError):
        store.path_for(KEY, bad_ext)
    assert await keys_of(store) == []


async def test_no_temp_files_are_left_after_puts(disk_store: DiskPhotoStore) -> None:
    store = disk_store
    await store.put(PHOTO)
    await store.put(PHOTO)
    await store.put(OTHER_PHOTO)
    assert list((store.root / "tmp").iterdir()) == []


async def test_a_failed_write_leaves_no_temp_file_and_no_photo(disk_store: DiskPhotoStore) -> None:
    store = disk_store
    # A non-empty directory squatting on the photo's path makes the final rename fail for real.
    squatter = store.path_for(KEY)
    squatter.mkdir(parents=True)
    (squatter / "occupied").write_bytes(b"x")

    with pytest.raises(OSError):
        await store.put(PHOTO)

    assert list((store.root / "tmp").iterdir()) == []
    assert not store.path_for(KEY).is_file()


async def test_list_keys_lists_stored_photos_for_the_orphan_sweep(disk_store: DiskPhotoStore) -> None:
    store = disk_store
    assert await keys_of(store) == []
    await store.put(PHOTO)
    other = await store.put(OTHER_PHOTO)
    (store.root / TMP_DIR / "half-written.tmp").write_bytes(b"x")
    (store.root / KEY[:2] / KEY[2:4] / "stray.txt").write_bytes(b"x")

    listed = [entry async for entry in store.list_keys()]

    assert sorted((key, ext) for key, ext, _ in listed) == sorted([(KEY, "jpg"), (other.key, "jpg")])
    assert all(isinstance(mtime, float) and mtime > 0 for _, _, mtime in listed)


async def test_list_keys_gives_every_photo_with_when_it_was_stored(store: PhotoStore) -> None:
    before = time.time() - 5
    await store.put(PHOTO)
    other = await store.put(OTHER_PHOTO)

    listed = [entry async for entry in store.list_keys()]

    assert sorted((key, ext) for key, ext, _ in listed) == sorted([(KEY, "jpg"), (other.key, "jpg")])
    assert all(before < mtime < time.time() + 5 for _, _, mtime in listed)


async def test_a_reachable_store_passes_its_check(store: PhotoStore) -> None:
    await store.check()


async def test_an_unreachable_object_store_says_so_quickly_and_stores_nothing(object_server) -> None:
    unreachable = ObjectServer(_free_port(), object_server.server).store("s3://nowhere/photos")

    for attempt in (unreachable.put(PHOTO), unreachable.read(KEY), unreachable.exists(KEY), unreachable.check()):
        with pytest.raises(StorageUnavailable):
            await attempt


async def test_an_object_store_that_takes_the_connection_but_never_answers_is_unavailable(object_server) -> None:
    """A slow store (here: one that takes the connection and never answers) is unavailable after
    the operation timeout, as an unreachable one is at once: the upload is refused with a 503
    (tests/api/test_object_storage_live.py), never held open for ever."""
    import socket
    import threading

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept_and_say_nothing() -> None:
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(listener.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept_and_say_nothing, daemon=True)
    thread.start()
    try:
        silent = ObjectServer(listener.getsockname()[1], object_server.server).store("s3://silent/photos")
        with pytest.raises(StorageUnavailable):
            await silent.put(PHOTO)
        assert held  # it did connect: this was the slow path, not the refused one
    finally:
        stop.set()
        thread.join(5)
        for connection in held:
            connection.close()
        listener.close()
