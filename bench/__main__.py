"""`make bench`: every speed goal, measured in one run, printed as tables with ratios.

Each bench module has `run() -> list[dict]`; a row's keys become the table's columns. Goals are
reported, never asserted: these machines are shared and noisy.
"""

from __future__ import annotations

import importlib
import sys
import traceback
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

MODULES = [
    "bench.bench_photos",
    "bench.bench_intake",
    "bench.bench_workers",
    "bench.bench_push",
    "bench.bench_pwa",
    "bench.bench_offline_map",
    "bench.bench_resumable",
    "bench.bench_console",
    "bench.bench_alerts",
    "bench.bench_places",
    "bench.bench_applications",
    "bench.bench_lighthouse",
]


def show(title: str, rows: list[dict]) -> None:
    print(f"\n## {title}")
    if not rows:
        print("(no rows)")
        return
    columns = list(dict.fromkeys(key for row in rows for key in row))
    cells = [[_cell(row.get(c, "")) for c in columns] for row in rows]
    widths = [max(len(c), *(len(r[i]) for r in cells)) for i, c in enumerate(columns)]
    print("  ".join(c.ljust(w) for c, w in zip(columns, widths)))
    for row in cells:
        print("  ".join(v.ljust(w) for v, w in zip(row, widths)))


def _cell(value: object) -> str:
    if isinstance(value, float):
        return f"{value:.3g}" if abs(value) < 100 else f"{value:.0f}"
    return str(value)


def main() -> int:
    failed = 0
    for name in MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name == name:
                continue  # that bench is not written yet
            raise
        try:
            show((module.__doc__ or name).strip().splitlines()[0], module.run())
        except Exception:
            failed += 1
            print(f"\n## {name} failed")
            traceback.print_exc()
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
