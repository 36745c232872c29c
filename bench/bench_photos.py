"""How much cheaper our photo pipeline is than the obvious one, on a 12 MP phone-sized JPEG.

Both pipelines run in the same process on the same bytes, so the ratio holds across machines
even when the milliseconds do not. Run: `python bench/bench_photos.py` (or import and call run()).
"""

from __future__ import annotations

import io
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

from PIL import Image

from reportit.reports.photos import process_photo

# The sample photo is made by the test helpers; they live in the repository, not the package.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.photo_samples import large_jpeg  # noqa: E402

GOAL_RATIO = 0.25
RUNS = 9


def naive_pipeline(data: bytes) -> None:
    """What a first attempt looks like: decode every pixel, then shrink and save twice."""
    image = Image.open(io.BytesIO(data)).convert("RGB")
    image.thumbnail((2048, 2048))
    image.save(io.BytesIO(), "JPEG")
    image.thumbnail((400, 400))
    image.save(io.BytesIO(), "JPEG")


def median_ms(work: Callable[[], object], runs: int) -> float:
    work()  # warm caches and lazy imports so the first run does not skew the median
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        work()
        timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings)


def run(runs: int = RUNS) -> list[dict[str, object]]:
    data = large_jpeg(12)
    naive = median_ms(lambda: naive_pipeline(data), runs)
    candidates: list[tuple[str, Callable[[], object]]] = [
        ("process_photo (default)", lambda: process_photo(data)),
        ("process_photo, draft_slack=0 (display >= 2048)", lambda: process_photo(data, draft_slack=0)),
    ]
    rows: list[dict[str, object]] = [
        {"name": "naive (full decode, thumbnail, save)", "median_ms": naive, "ratio": 1.0, "goal": "", "met": ""}
    ]
    for name, work in candidates:
        ms = median_ms(work, runs)
        ratio = ms / naive
        rows.append(
            {
                "name": name,
                "median_ms": ms,
                "ratio": ratio,
                "goal": f"<= {GOAL_RATIO}x",
                "met": "yes" if ratio <= GOAL_RATIO else "no",
            }
        )
    return rows


def main() -> None:
    data = large_jpeg(12)
    with Image.open(io.BytesIO(data)) as sample:
        print(f"input: {sample.width}x{sample.height} JPEG, {len(data) / 1e6:.1f} MB, median of {RUNS} runs")
    rows = run()
    name_width = max(len(str(row["name"])) for row in rows)
    print(f"{'name':<{name_width}}  {'median ms':>9}  {'ratio':>6}  {'goal':>8}  met")
    for row in rows:
        print(
            f"{row['name']:<{name_width}}  {row['median_ms']:>9.1f}  {row['ratio']:>5.2f}x"
            f"  {row['goal']:>8}  {row['met']}"
        )


if __name__ == "__main__":
    main()
