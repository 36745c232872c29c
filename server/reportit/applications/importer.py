"""`reportit applications import FILE`: every good row recorded, every bad one reported with where
it is and why, in bounded memory; `strict`: the whole file is checked first and nothing is written
unless every row is good."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

from reportit import database
from reportit.applications.reading import FileProblem, Record, records
from reportit.applications.rows import RowProblem, proposed
from reportit.applications.tables import Application
from reportit.applications.versions import Proposed, record
from reportit.problems import Problem
from reportit.settings import Settings

log = logging.getLogger(__name__)

BATCH = 200  # rows per transaction: a crash loses at most a batch, which the next run imports again
LISTED_ERRORS = 1000  # the rest are counted


@dataclass
class ImportResult:
    new: int = 0
    changed: int = 0
    unchanged: int = 0
    refused: int = 0
    errors: list[tuple[str, str]] = field(default_factory=list)
    file_problem: str = ""
    written: bool = True

    def refuse(self, where: str, reason: str) -> None:
        self.refused += 1
        if len(self.errors) < LISTED_ERRORS:
            self.errors.append((where, reason))

    def words(self) -> str:
        if not self.written:
            return f"Nothing was imported (--strict): {self.refused} row(s) to put right" + (
                f" and the file: {self.file_problem}" if self.file_problem else "") + "."
        text = f"{self.new} new, {self.changed} changed, {self.unchanged} unchanged"
        return text + (f", {self.refused} refused" if self.refused else "") + "."


async def import_file(path: Path, regime: str, settings: Settings, *, strict: bool = False, source: str = "import",
                      actor: str = "") -> ImportResult:
    actor = actor or f"{source} {path.name}"
    if not strict:
        result = await _import(path, regime, settings, source, actor)
    else:
        result = ImportResult(written=False)
        for _ in _each_good(path, regime, settings, result):
            pass
        if not (result.refused or result.file_problem):
            try:
                # One transaction: a row only the database can refuse (a reference known under the
                # other regime) rolls back every row before it.
                async with database.write_transaction(Application._meta.db):
                    result = await _import(path, regime, settings, source, actor, strict=True)
            except _Refused as refused:
                result = refused.result
                result.written = False
    log.info("event=applications_imported file=%s new=%d changed=%d unchanged=%d refused=%d", path.name,
             result.new, result.changed, result.unchanged, result.refused)
    return result


class _Refused(Exception):
    def __init__(self, result: ImportResult) -> None:
        self.result = result


async def _import(path: Path, regime: str, settings: Settings, source: str, actor: str, *,
                  strict: bool = False) -> ImportResult:
    result = ImportResult()
    batch: list[tuple[str, Proposed]] = []
    for where, application in _each_good(path, regime, settings, result):
        batch.append((where, application))
        if len(batch) >= BATCH:
            await _write(batch, settings, result, source, actor)
            batch = []
    if batch:
        await _write(batch, settings, result, source, actor)
    if strict and (result.refused or result.file_problem):
        raise _Refused(result)
    return result


def _each_good(path: Path, regime: str, settings: Settings, result: ImportResult):
    """The file's good rows as (where, Proposed); bad ones go into `result`."""
    seen: dict[str, str] = {}
    area = settings.catalogue.map
    try:
        with path.open("rb") as stream:
            for item in records(stream, path.name):
                application = _checked(item, regime, area, seen, result)
                if application is not None:
                    yield item.where, application
    except FileProblem as problem:
        result.file_problem = str(problem)
    except OSError as exc:
        result.file_problem = f"cannot read {path}: {exc.strerror}"


def _checked(item: Record, regime: str, area, seen: dict[str, str], result: ImportResult) -> Proposed | None:
    if item.problem:
        result.refuse(item.where, item.problem)
        return None
    try:
        application = proposed(item.values, regime, area)
    except RowProblem as problem:
        result.refuse(item.where, str(problem))
        return None
    if application.reference in seen:
        result.refuse(item.where, f"reference {application.reference} is in this file already, on {seen[application.reference]}")
        return None
    seen[application.reference] = item.where
    return application


async def _write(batch: list[tuple[str, Proposed]], settings: Settings, result: ImportResult, source: str,
                 actor: str) -> None:
    async with database.write_transaction(Application._meta.db):  # joins the strict import's one
        for where, application in batch:
            try:
                outcome = await record(application, settings, source=source, actor=actor)
            except Problem as problem:
                result.refuse(where, problem.detail or problem.title)
                continue
            setattr(result, outcome, getattr(result, outcome) + 1)
