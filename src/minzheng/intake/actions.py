"""One import run over a delivery directory: discover the files, read them, dispatch each to its
importer, keep every rejected row with its reason, and write the run's report.

Everything a run writes outside the databases lives under ``MINZHENG_DATA_DIR/imports/<run_id>/``:
``report.json`` (machine-readable), ``report.txt`` (the same for people) and ``<file>.rejects.csv`` for
every file with rejected rows (its original columns, then ``row_number``, ``reason_code``, ``reason``).

Files are recognised by exact name with ``.csv``, ``.xlsx`` (first sheet) or ``.parquet``; the archive
files land in dependency order (areas → households → members → enrollments), then the population, then the
other departments' feeds (``analytics.feeds``: Parquet, each delivery once, each fact once). A file missing a
required column is rejected as a whole (the run goes on with the others and ends "with errors").
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import os
import secrets
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
from django.conf import settings
from django.utils import timezone

from minzheng.analytics import feeds as feed_store
from minzheng.analytics import population
from minzheng.audit.choices import AuditAction
from minzheng.audit.log import record
from minzheng.intake import readers
from minzheng.intake.choices import FileStatus, RunStatus
from minzheng.intake.models import ImportFile, ImportRun
from minzheng.registry.actions.archive_import import ARCHIVE_FILES, import_archive
from minzheng.registry.actions.archive_rows import FileOutcome, Rejection, Row
from minzheng.registry.actions.certificates import certificates_from_feed

ORDER: tuple[str, ...] = ("areas", "registry_households", "registry_members", "registry_enrollments", "population")
REQUIRED: dict[str, tuple[str, ...]] = {**ARCHIVE_FILES, "population": population.REQUIRED_COLUMNS}
LATER = (
    "deaths", "medical_claims", "disability_certs", "employment", "vehicles", "real_estate", "businesses",
    "justice", "school_enrollment",
)
# The departmental feeds land after the population (their reports count the rows unmatched to it).
ORDER = (*ORDER, *LATER)
REQUIRED.update({kind: feed_store.FEEDS[kind].required for kind in LATER})
Echo = Callable[[str], None]


@dataclass
class FileReport:
    name: str
    kind: str
    status: str
    message: str = ""
    sha256: str = ""
    rows_read: int = 0
    rows_taken: int = 0
    created: int = 0
    changed: int = 0
    unchanged: int = 0
    rows_rejected: int = 0
    ids_repaired: int = 0
    parent_ids_cleared: int = 0
    reasons: dict[str, int] = field(default_factory=dict)
    rejects: str = ""
    seconds: float = 0.0

    def line(self) -> str:
        """The one line printed for this file."""
        head = f"{self.name}: "
        if self.status in (FileStatus.REJECTED, FileStatus.FAILED, FileStatus.NOT_HANDLED, FileStatus.IGNORED):
            return head + f"{FileStatus(self.status).label}" + (f" — {self.message}" if self.message else "")
        parts = [
            f"读取 read {self.rows_read:,}",
            f"接收 taken {self.rows_taken:,}（新增 new {self.created:,}，更新 changed {self.changed:,}，"
            f"未变 unchanged {self.unchanged:,}）",
            f"拒绝 rejected {self.rows_rejected:,}",
        ]
        if self.kind in ("population", "registry_members", "registry_enrollments") or self.kind in LATER:
            parts.append(f"修正身份证号 IDs repaired {self.ids_repaired:,}")
        if self.kind in LATER and self.status == FileStatus.TAKEN and self.message:
            parts.append(self.message)
        if self.kind == "population":
            parts.append(f"父母身份证号置空 parent IDs cleared {self.parent_ids_cleared:,}")
        prefix = "此前已导入（内容相同）already imported: " if self.status == FileStatus.ALREADY_IMPORTED else ""
        return head + prefix + "，".join(parts) + f"  [{self.seconds:.1f}s]"


@dataclass
class RunReport:
    run_id: str
    directory: str
    started_at: str
    finished_at: str = ""
    status: str = RunStatus.RUNNING
    actor: str = "system"
    report_dir: str = ""
    files: list[FileReport] = field(default_factory=list)

    @property
    def failed_files(self) -> list[FileReport]:
        return [f for f in self.files if f.status in (FileStatus.REJECTED, FileStatus.FAILED)]


@dataclass
class _Found:
    kind: str
    path: Path


def discover(directory: Path) -> tuple[list[_Found], list[FileReport]]:
    """The recognised files in import order, and the report lines for everything else."""
    found: dict[str, list[Path]] = {}
    others: list[FileReport] = []
    for path in sorted(p for p in directory.iterdir() if p.is_file()):
        ext = path.suffix.lower()
        if ext not in readers.EXTENSIONS or path.name.startswith("."):
            continue
        stem = path.stem
        if stem in ORDER:
            found.setdefault(stem, []).append(path)
        elif stem in LATER:
            others.append(FileReport(path.name, stem, FileStatus.NOT_HANDLED, "将在后续版本处理 not yet handled"))
        else:
            others.append(FileReport(path.name, "", FileStatus.IGNORED, "已忽略 ignored"))
    recognised: list[_Found] = []
    for kind in ORDER:
        paths = found.get(kind, [])
        if len(paths) > 1:
            names = "、".join(p.name for p in paths)
            others.extend(FileReport(p.name, kind, FileStatus.REJECTED,
                                     f"同一文件有多个版本 {names}，请只保留一个 keep one") for p in paths)
        elif paths:
            recognised.append(_Found(kind, paths[0]))
    return recognised, others


def _missing_columns(path: Path, kind: str) -> tuple[list[str], str]:
    """The file's columns, and a message when it cannot be taken as a whole."""
    try:
        columns = readers.header(path)
    except readers.FileFormatError as exc:
        return [], str(exc)
    missing = [c for c in REQUIRED[kind] if c not in columns]
    if missing:
        return columns, f"缺少必需的列 missing required column: {', '.join(missing)}"
    return columns, ""


def run_import(
    directory: Path,
    *,
    user: Any = None,
    echo: Echo = print,
    quiet: bool = False,
    today: dt.date | None = None,
) -> RunReport:
    """Import every recognised file of ``directory``; returns the run's report (also written to disk)."""
    today = today or timezone.localdate()
    data_dir = Path(settings.DATA_DIR)
    started = timezone.now()
    run_id = f"{timezone.localtime(started):%Y%m%d-%H%M%S}-{secrets.token_hex(3)}"
    out_dir = data_dir / "imports" / run_id
    out_dir.mkdir(parents=True, exist_ok=True)
    actor = user if getattr(user, "is_authenticated", False) else None
    run = ImportRun.objects.create(
        run_id=run_id, started_at=started, actor=actor, actor_username=getattr(actor, "username", "") or "system",
        directory=str(directory.resolve()), report_path=str(out_dir / "report.json"),
    )
    report = RunReport(run_id=run_id, directory=str(directory.resolve()), started_at=started.isoformat(),
                       actor=run.actor_username, report_dir=str(out_dir))
    reason = f"数据导入 批次 {run_id}"
    try:
        recognised, others = discover(directory)
        for other in others:
            _finish_file(run, report, other, echo)
        _import_files(recognised, run=run, report=report, out_dir=out_dir, user=user, today=today, echo=echo,
                      quiet=quiet, reason=reason, data_dir=data_dir)
        report.status = RunStatus.WITH_ERRORS if report.failed_files else RunStatus.SUCCEEDED
    except BaseException:
        report.status = RunStatus.FAILED
        raise
    finally:
        report.finished_at = timezone.now().isoformat()
        _write_report(report, out_dir)
        run.status = report.status
        run.finished_at = timezone.now()
        run.save(update_fields=["status", "finished_at"])
    return report


def _import_files(
    recognised: list[_Found],
    *,
    run: ImportRun,
    report: RunReport,
    out_dir: Path,
    user: Any,
    today: dt.date,
    echo: Echo,
    quiet: bool,
    reason: str,
    data_dir: Path,
) -> None:
    archive: dict[str, list[Row] | None] = {}
    pending: dict[str, tuple[_Found, list[str], str, float, list[readers.MalformedRow]]] = {}
    clock = [0.0]
    delivery: _PopulationFile | None = None
    refused: dict[str, FileReport] = {}  # reported in import order, when their turn comes
    feed_files: list[tuple[_Found, list[str], str]] = []

    def flush_until(kind: str) -> None:
        for k in [k for k in refused if ORDER.index(k) < ORDER.index(kind)]:
            _finish_file(run, report, refused.pop(k), echo)

    for item in recognised:
        columns, problem = _missing_columns(item.path, item.kind)
        sha = readers.sha256(item.path)
        if problem:
            refused[item.kind] = FileReport(item.path.name, item.kind, FileStatus.REJECTED, problem, sha)
            continue
        if item.kind == "population":
            delivery = _PopulationFile(item, columns, sha, data_dir=data_dir, today=today, quiet=quiet)
            continue
        if item.kind in LATER:
            feed_files.append((item, columns, sha))
            continue
        started = time.monotonic()
        sheet = readers.Sheet(columns)
        try:
            archive[item.kind] = list(readers.read_rows(item.path, sheet))
        except readers.FileFormatError as exc:
            refused[item.kind] = FileReport(item.path.name, item.kind, FileStatus.REJECTED, str(exc), sha)
            continue
        pending[item.kind] = (item, columns, sha, time.monotonic() - started, sheet.malformed)

    def lookup(ids: Any) -> Any:
        if delivery is not None and delivery.error is None:
            try:
                return delivery.delivery.lookup(ids)
            except _POPULATION_ERRORS as exc:  # reported when the population's turn comes
                delivery.error = exc
        return population.lookup(ids, snapshot=population.snapshot_path(data_dir), today=today)

    def on_file(kind: str, outcome: FileOutcome) -> None:
        flush_until(kind)
        item, columns, sha, read_seconds, malformed = pending[kind]
        for bad in malformed:
            outcome.rows_read += 1
            outcome.rejections.append(Rejection(bad.row_number or 0, {columns[0]: bad.text}, "row_malformed"))
        fr = FileReport(item.path.name, kind, FileStatus.FAILED if outcome.error else FileStatus.TAKEN,
                        message=outcome.error, sha256=sha, rows_read=outcome.rows_read,
                        rows_taken=outcome.rows_taken, created=outcome.created, changed=outcome.changed,
                        unchanged=outcome.unchanged, rows_rejected=outcome.rows_rejected,
                        ids_repaired=outcome.ids_repaired)
        fr.reasons = _reason_counts(outcome.rejections)
        if outcome.rejections:
            fr.rejects = str(_write_rejects(out_dir / f"{item.path.name}.rejects.csv", columns, outcome.rejections))
        fr.seconds = round(read_seconds + time.monotonic() - clock[0], 2)
        _finish_file(run, report, fr, echo)
        clock[0] = time.monotonic()  # the files land one after the other

    if delivery is not None and "registry_enrollments" in archive:
        # Enrollments may name people outside the archive, looked up in this population file: check it
        # now (its time counts to the population's line), land it after the archive.
        try:
            delivery.delivery.prepare()
        except _POPULATION_ERRORS as exc:
            delivery.error = exc
    if archive:
        labels = {kind: f"{pending[kind][0].path.name}@{run.run_id}" for kind in archive}
        clock[0] = time.monotonic()
        import_archive(archive, user=user, today=today, lookup=lookup, labels=labels, reason=reason,
                       on_file=on_file)
    flush_until("population")
    if delivery is not None:
        try:
            _import_population(delivery, run=run, report=report, out_dir=out_dir, user=user, echo=echo,
                               reason=reason)
        finally:
            delivery.delivery.close()
    for item, columns, sha in feed_files:
        flush_until(item.kind)
        _import_feed(item, columns, sha, run=run, report=report, out_dir=out_dir, user=user, today=today,
                     echo=echo, quiet=quiet, reason=reason, data_dir=data_dir)
    for fr in refused.values():
        _finish_file(run, report, fr, echo)
    if "registry_enrollments" in archive or any(item.kind == "disability_certs" for item, _, _ in feed_files):
        # People paid a disability subsidy outside the archive: their certificate is the 残联's.
        certs = certificates_from_feed(user=user, data_dir=data_dir, today=today, reason=reason)
        if certs["recorded"] or certs["changed"]:
            echo(f"残疾人证（残联数据）→ 档案外享受残疾人补贴人员 {certs['people']:,} 人：记录 recorded "
                 f"{certs['recorded']:,}，更新 changed {certs['changed']:,}")


def _reason_counts(rejections: list[Rejection]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for r in rejections:
        counts[r.code] = counts.get(r.code, 0) + 1
    return dict(sorted(counts.items()))


def _write_rejects(path: Path, columns: list[str], rejections: list[Rejection]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow([*columns, "row_number", "reason_code", "reason"])
        for r in sorted(rejections, key=lambda r: r.row_number):
            w.writerow([*(r.values.get(c, "") for c in columns), r.row_number, r.code, r.reason])
    return path


_POPULATION_ERRORS = (readers.FileFormatError, pa.ArrowException, duckdb.Error)


class _PopulationFile:
    """The delivery's population file, checked once (on the first lookup or at its turn)."""

    def __init__(self, item: _Found, columns: list[str], sha: str, *, data_dir: Path, today: dt.date,
                 quiet: bool) -> None:
        from minzheng.cli.progress import Progress

        self.item = item
        self.sha = sha
        self.error: BaseException | None = None
        self.malformed: list[tuple[int | None, str]] = []
        sheet = readers.Sheet(columns)

        def batches() -> pa.RecordBatchReader:
            stream = readers.read_batches(item.path, sheet)

            def advancing() -> Iterator[pa.RecordBatch]:
                with Progress(f"读取 {item.path.name}", quiet=quiet) as progress:
                    for batch in stream:
                        progress.advance(batch.num_rows)
                        yield batch
                self.malformed.extend((m.row_number, m.text) for m in sheet.malformed)

            return pa.RecordBatchReader.from_batches(stream.schema, advancing())

        self.delivery = population.Delivery(
            batches, columns=columns, sha256=sha, data_dir=data_dir, malformed=self.malformed,
            source_name=item.path.name, memory_limit=_duckdb_memory(), today=today,
        )


def _import_population(
    pf: _PopulationFile,
    *,
    run: ImportRun,
    report: RunReport,
    out_dir: Path,
    user: Any,
    echo: Echo,
    reason: str,
) -> None:
    started = time.monotonic()
    name, sha = pf.item.path.name, pf.sha
    rejects = out_dir / f"{name}.rejects.csv"
    try:
        if pf.error is not None:
            raise pf.error
        result = pf.delivery.finish(rejects)
    except _POPULATION_ERRORS as exc:
        _finish_file(run, report, FileReport(name, "population", FileStatus.FAILED, str(exc), sha), echo)
        return
    fr = FileReport(
        name, "population",
        FileStatus.ALREADY_IMPORTED if result.already_imported else FileStatus.TAKEN,
        sha256=sha, rows_read=result.rows_read, rows_taken=result.rows_taken,
        created=0 if result.already_imported else result.rows_taken,
        unchanged=result.rows_taken if result.already_imported else 0,
        rows_rejected=result.rows_rejected, ids_repaired=result.ids_repaired,
        parent_ids_cleared=result.parent_ids_cleared, reasons=result.reasons,
        rejects=str(rejects) if rejects.exists() and not result.already_imported else "",
        seconds=round(pf.delivery.seconds + (time.monotonic() - started if result.already_imported else 0), 2),
    )
    if result.already_imported:
        fr.message = f"与 {result.imported_at} 导入的内容相同 same content as the delivery taken {result.imported_at}"
    elif result.rows_rejected == 0:
        rejects.unlink(missing_ok=True)
        fr.rejects = ""
    record(user, AuditAction.IMPORT, object_type="import_file", object_id=f"{name}@{run.run_id}"[:64],
           summary=f"导入 {name}：读取 {fr.rows_read}，接收 {fr.rows_taken}，拒绝 {fr.rows_rejected}",
           after={"rows_read": fr.rows_read, "rows_taken": fr.rows_taken, "rows_rejected": fr.rows_rejected,
                  "ids_repaired": fr.ids_repaired, "parent_ids_cleared": fr.parent_ids_cleared,
                  "already_imported": result.already_imported, "sha256": sha},
           reason=reason)
    _finish_file(run, report, fr, echo)


def _import_feed(
    item: _Found,
    columns: list[str],
    sha: str,
    *,
    run: ImportRun,
    report: RunReport,
    out_dir: Path,
    user: Any,
    today: dt.date,
    echo: Echo,
    quiet: bool,
    reason: str,
    data_dir: Path,
) -> None:
    """One departmental feed into the analytic store (``analytics.feeds``), reported like the population."""
    from minzheng.cli.progress import Progress

    started = time.monotonic()
    name = item.path.name
    rejects = out_dir / f"{name}.rejects.csv"
    sheet = readers.Sheet(columns)
    malformed: list[tuple[int | None, str]] = []

    def batches() -> pa.RecordBatchReader:
        stream = readers.read_batches(item.path, sheet)

        def advancing() -> Iterator[pa.RecordBatch]:
            with Progress(f"读取 {name}", quiet=quiet) as progress:
                for batch in stream:
                    progress.advance(batch.num_rows)
                    yield batch
            malformed.extend((m.row_number, m.text) for m in sheet.malformed)

        return pa.RecordBatchReader.from_batches(stream.schema, advancing())

    try:
        result = feed_store.intake(item.kind, batches, columns=columns, sha256=sha, data_dir=data_dir,
                                   rejects_csv=rejects, malformed=malformed, source_name=name,
                                   memory_limit=_duckdb_memory(), today=today)
    except (*_POPULATION_ERRORS, ValueError) as exc:
        _finish_file(run, report, FileReport(name, item.kind, FileStatus.FAILED, str(exc), sha), echo)
        return
    again = result.already_imported
    fr = FileReport(
        name, item.kind, FileStatus.ALREADY_IMPORTED if again else FileStatus.TAKEN, sha256=sha,
        rows_read=result.rows_read, rows_taken=result.rows_taken, created=0 if again else result.rows_taken,
        unchanged=result.rows_taken if again else 0, rows_rejected=result.rows_rejected,
        ids_repaired=result.ids_repaired, reasons=result.reasons,
        rejects=str(rejects) if rejects.exists() and not again and result.rows_rejected else "",
        seconds=round(time.monotonic() - started, 2),
    )
    if again:
        fr.message = f"与 {result.imported_at} 导入的内容相同 same content as the delivery taken {result.imported_at}"
    else:
        if not result.rows_rejected:
            rejects.unlink(missing_ok=True)
        if result.unmatched is not None:
            fr.message = f"人口库中无此人 unmatched to the population {result.unmatched:,}"
    record(user, AuditAction.IMPORT, object_type="import_file", object_id=f"{name}@{run.run_id}"[:64],
           summary=f"导入 {name}：读取 {fr.rows_read}，接收 {fr.rows_taken}，拒绝 {fr.rows_rejected}",
           after={"rows_read": fr.rows_read, "rows_taken": fr.rows_taken, "rows_rejected": fr.rows_rejected,
                  "ids_repaired": fr.ids_repaired, "unmatched": result.unmatched, "already_imported": again,
                  "sha256": sha},
           reason=reason)
    _finish_file(run, report, fr, echo)


def _duckdb_memory() -> str:
    return str(getattr(settings, "MINZHENG_DUCKDB_MEMORY", "") or os.environ.get("MINZHENG_DUCKDB_MEMORY", "2GB"))


def _finish_file(run: ImportRun, report: RunReport, fr: FileReport, echo: Echo) -> None:
    report.files.append(fr)
    ImportFile.objects.create(
        run=run, name=fr.name, kind=fr.kind, sha256=fr.sha256, status=fr.status, message=fr.message,
        rows_read=fr.rows_read, rows_taken=fr.rows_taken, rows_created=fr.created, rows_changed=fr.changed,
        rows_unchanged=fr.unchanged, rows_rejected=fr.rows_rejected, ids_repaired=fr.ids_repaired,
        seconds=fr.seconds, report_path=fr.rejects,
    )
    echo(fr.line())


def _write_report(report: RunReport, out_dir: Path) -> None:
    (out_dir / "report.json").write_text(json.dumps(asdict(report), ensure_ascii=False, indent=2), encoding="utf-8")
    lines = [
        f"导入批次 run {report.run_id}",
        f"目录 directory: {report.directory}",
        f"操作人 actor: {report.actor}",
        f"开始 started: {report.started_at}",
        f"结束 finished: {report.finished_at}",
        f"结果 status: {RunStatus(report.status).label} ({report.status})",
        "",
    ]
    for f in report.files:
        lines.append(f.line())
        for code, n in f.reasons.items():
            lines.append(f"    {code}: {n:,}")
        if f.rejects:
            lines.append(f"    拒绝明细 rejects: {f.rejects}")
    (out_dir / "report.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
