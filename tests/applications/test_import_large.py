"""A 100 MB import file is read in bounded memory: the command's peak resident memory stays far
below the file's size (a whole-file read would hold all of it, twice once decoded)."""

from __future__ import annotations

import os
import subprocess
import sys

from tests.applications.conftest import csv_text, planning_row, unique
from tests.conftest import ROOT

MEASURED = (
    "import resource, sys\n"
    "from reportit.cli import main\n"
    "code = main(sys.argv[1:])\n"
    "sys.stderr.write(f'\\npeak_kb={resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}\\n')\n"
    "sys.exit(code)\n"
)


def peak_mb(done: subprocess.CompletedProcess) -> float:
    return int(done.stderr.rsplit("peak_kb=", 1)[1].split()[0]) / 1024


def measured_import(path, server_env) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", MEASURED, "applications", "import", str(path)],
                          env={**os.environ, **server_env}, cwd=ROOT, capture_output=True, text=True, timeout=900)


def test_a_100_mb_file_is_streamed_in_bounded_memory(server_env, app, tmp_path):
    small = tmp_path / "small.csv"
    small.write_text(csv_text([planning_row(unique("SMALL"))]))
    baseline = peak_mb(measured_import(small, server_env))
    path = tmp_path / "huge.csv"
    reference = unique("BIG")
    # One real application, then the same reference again and again: every row is read and
    # checked (each a duplicate, refused without touching the database), so the test measures
    # reading, not writing.
    header_and_first = csv_text([planning_row(reference)])
    repeat = csv_text([planning_row(reference, description="x" * 200)]).split("\n", 1)[1].encode()
    with path.open("wb") as out:
        out.write(header_and_first.encode())
        while out.tell() < 100 * 1024 * 1024:
            out.write(repeat * 1000)
    assert path.stat().st_size >= 100 * 1024 * 1024
    done = measured_import(path, server_env)
    assert "1 new, 0 changed, 0 unchanged" in done.stdout, done.stderr[-2000:]
    rows = (path.stat().st_size - len(header_and_first)) // len(repeat)
    assert f"{rows} refused" in done.stdout
    assert f"reference {reference} is in this file already, on line 2" in done.stderr
    grown = peak_mb(done) - baseline
    assert grown < 40, f"peak memory grew {grown:.0f} MB (from {baseline:.0f} MB) for a 100 MB file"
