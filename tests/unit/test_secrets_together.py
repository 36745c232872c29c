"""Workers of `reportit serve --workers N` start together and each reads the data dir's secrets:
the file used to be created empty and written a moment later, so a worker starting in between ran
with an empty key (codes from one worker failed on another; anyone could sign links for it)."""

from __future__ import annotations

import multiprocessing

from reportit.secrets_store import secret

PROCESSES = 6
TRIALS = 40


def _read_together(data_dir: str, barrier, answers) -> None:
    from pathlib import Path

    barrier.wait()
    answers.put(secret(Path(data_dir), "secret_key"))


def test_processes_starting_together_all_read_the_same_whole_secret(tmp_path):
    context = multiprocessing.get_context("fork")
    for trial in range(TRIALS):
        data_dir = tmp_path / str(trial)
        barrier, answers = context.Barrier(PROCESSES), context.Queue()
        processes = [context.Process(target=_read_together, args=(str(data_dir), barrier, answers))
                     for _ in range(PROCESSES)]
        for process in processes:
            process.start()
        values = [answers.get(timeout=30) for _ in processes]
        for process in processes:
            process.join(timeout=30)
        assert len(set(values)) == 1 and len(values[0]) >= 40, (trial, values)
        assert (data_dir / "secrets" / "secret_key").read_text().strip() == values[0]
        assert [p.name for p in (data_dir / "secrets").iterdir()] == ["secret_key"]  # nothing left aside
