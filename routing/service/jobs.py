"""The plan queue: waiting plans in the database, at most N worker processes, cancel and recovery.

The queue is the ``plan_job`` table itself: a page adds a row ``waiting``; the :class:`Dispatcher`
(a thread in the server) starts the oldest waiting plans in worker processes while fewer than
``plan_workers`` run, asks a running plan to stop when its cancel flag is set (and ends the process
if it does not stop within a grace period), and marks a plan failed if its process died without a
word. A worker writes its own progress and outcome, but only while the row still says it is the
one running it, so nothing it writes late can overwrite what the server decided.

When the server is killed, its workers notice their parent is gone and stop; at the next start
:func:`recover` marks the plans that were running ``interrupted`` with the stage they had reached.
Plans that were waiting stay in the queue; finished plans are not touched.
"""

from __future__ import annotations

import contextlib
import json
import logging
import multiprocessing as mp
import os
import shutil
import signal
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from routing.service.store import (
    CANCELLED,
    DONE,
    FAILED,
    INTERRUPTED,
    RUNNING,
    WAITING,
    PlanJob,
    make_engine,
    session_factory,
    utcnow,
)

logger = logging.getLogger(__name__)

CANCEL_GRACE_S = 5.0
PROGRESS_EVERY_S = 0.5
SHEETS = "sheets"
"""The kind of job that draws a finished plan's driver sheets again from its saved plan
(`routing.api.redraw_sheets`), its ``toml_text`` being :func:`sheets_request`."""


def plan_dir(data_dir: Path, job_id: int) -> Path:
    """The folder of one plan: its scenario file and, once written, ``out/``."""
    return data_dir / "plans" / str(int(job_id))


def inputs_dir(data_dir: Path, enterprise_id: int) -> Path:
    """The folder of an enterprise's uploaded inputs (server-chosen file names only)."""
    return data_dir / "enterprises" / str(int(enterprise_id)) / "inputs"


def sheets_request(plan_id: int) -> str:
    """The ``toml_text`` of a :data:`SHEETS` job: which plan's sheets it draws again."""
    return json.dumps({"plan": int(plan_id)})


def sheets_source(job: PlanJob) -> int:
    """The plan whose sheets a :data:`SHEETS` job draws again."""
    return int(json.loads(job.toml_text)["plan"])


def recover(db: Session, data_dir: Path) -> int:
    """Mark plans left ``running`` by a server that stopped as ``interrupted``; returns how many."""
    stale = db.scalars(select(PlanJob).where(PlanJob.status == RUNNING)).all()
    for job in stale:
        where = f" at stage {job.stage_number}/{job.stage_total} ({job.stage})" if job.stage else ""
        job.status = INTERRUPTED
        job.error = f"the server stopped while this plan was running{where}; start it again"
        job.finished_at = utcnow()
        job.worker_pid = None
        for tmp in plan_dir(data_dir, job.id).glob(".out-*"):
            shutil.rmtree(tmp, ignore_errors=True)
        if job.kind == SHEETS:  # the sheets it was drawing, beside the plan's sheets folder
            for tmp in (plan_dir(data_dir, sheets_source(job)) / "out").glob(".sheets.*"):
                shutil.rmtree(tmp, ignore_errors=True)
    db.commit()
    return len(stale)


@dataclass
class _Worker:
    process: Any
    event: Any
    cancel_sent_at: float | None = None


@dataclass
class Dispatcher:
    """Starts, watches and cancels plan worker processes; one per server."""

    database_url: str
    data_dir: Path
    plan_workers: int = 1
    poll_s: float = 0.5
    _workers: dict[int, _Worker] = field(default_factory=dict)
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def start(self) -> None:
        """Run the queue in a background thread."""
        self._sessions = session_factory(make_engine(self.database_url))
        self._ctx = mp.get_context("spawn")  # no fork of a threaded server
        self._thread = threading.Thread(target=self._loop, name="plan-queue", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop the queue; running plans are ended (they will show as interrupted)."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
        for worker in self._workers.values():
            _end(worker.process)

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                self.step()
            except Exception:  # the queue must outlive one bad step; the next may succeed
                logger.exception("plan queue step failed")
            self._stop.wait(self.poll_s)

    def step(self) -> None:
        """One pass: cancel and reap this server's workers, then start waiting plans."""
        with self._sessions() as db:
            for job_id, worker in list(self._workers.items()):
                job = db.get(PlanJob, job_id)
                if job is not None:
                    db.refresh(job)
                    self._watch(db, job, worker)
            free = self.plan_workers - len(self._workers)
            if free > 0:
                waiting = db.scalars(
                    select(PlanJob)
                    .where(PlanJob.status == WAITING)
                    .order_by(PlanJob.id)
                    .limit(free)
                ).all()
                for job in waiting:
                    self._launch(db, job)
            db.commit()

    def _watch(self, db: Session, job: PlanJob, worker: _Worker) -> None:
        if job.cancel_requested and worker.process.is_alive():
            if worker.cancel_sent_at is None:
                worker.event.set()
                worker.cancel_sent_at = time.monotonic()
            elif time.monotonic() - worker.cancel_sent_at > CANCEL_GRACE_S:
                _end(worker.process)
        if worker.process.is_alive():
            return
        worker.process.join()
        del self._workers[job.id]
        if job.status == RUNNING:  # the worker ended without saying how
            job.finished_at = utcnow()
            job.worker_pid = None
            if job.cancel_requested:
                job.status, job.error = CANCELLED, "cancelled from the page"
            else:
                job.status = FAILED
                job.error = f"the plan's worker process ended unexpectedly (exit code {worker.process.exitcode})"

    def _launch(self, db: Session, job: PlanJob) -> None:
        event = self._ctx.Event()
        process = self._ctx.Process(
            target=run_job,
            args=(job.id, self.database_url, str(self.data_dir), event, os.getpid()),
            name=f"plan-{job.id}",
            daemon=False,  # the solver starts processes of its own
        )
        job.status, job.started_at = RUNNING, utcnow()
        db.commit()
        try:
            process.start()
        except Exception as exc:
            job.status, job.finished_at = FAILED, utcnow()
            job.error = f"could not start a worker process: {exc}"
            job.error_texts = failure_texts(exc, root=self.data_dir)
            db.commit()
            return
        job.worker_pid = process.pid
        db.commit()
        self._workers[job.id] = _Worker(process, event)


def _end(process: Any) -> None:
    """End a worker and the solver processes it started (its own process group)."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGTERM)
    process.join(timeout=5)
    if process.is_alive():
        process.kill()
        process.join(timeout=5)


def _watch_parent(parent_pid: int) -> None:
    """End this worker and its solver processes when the server that started it is gone."""
    while True:
        if os.getppid() != parent_pid:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(os.getpgid(0), signal.SIGKILL)
            os._exit(3)
        time.sleep(0.5)


class _Reporter:
    """Writes a worker's progress into its row, at most every half second within a stage."""

    def __init__(self, sessions: Any, job_id: int, pid: int) -> None:
        self.sessions, self.job_id, self.pid = sessions, job_id, pid
        self._last = (0.0, "")

    def write(self, **values: Any) -> bool:
        """Update the row while this process still runs it; False if the server took it back."""
        with self.sessions() as db:
            result = db.execute(
                update(PlanJob)
                .where(PlanJob.id == self.job_id, PlanJob.status == RUNNING)
                .where((PlanJob.worker_pid == self.pid) | (PlanJob.worker_pid.is_(None)))
                .values(**values)
            )
            db.commit()
            return bool(getattr(result, "rowcount", 0))

    def __call__(self, progress: Any) -> None:
        now = time.monotonic()
        if progress.stage == self._last[1] and now - self._last[0] < PROGRESS_EVERY_S:
            return
        self._last = (now, progress.stage)
        self.write(
            stage=progress.stage,
            stage_number=progress.number,
            stage_total=progress.total,
            fraction=progress.fraction,
            message=progress.message,
        )


def failure_texts(exc: BaseException, *, root: Path) -> str:
    """What made a job fail, in every language, as the JSON its row keeps (``error_texts``).

    Bad input is said as its own translation; anything else as an unexpected error around the
    exception's own words (`routing.errors.error_texts`), so the plan's page speaks its viewer's
    language either way. The server's data folder is never shown: it becomes "…".
    """
    from routing.errors import InputError, error_texts

    if isinstance(exc, InputError):  # its values hidden before they are formatted
        exc = exc.replaced(str(root), "…")
    texts = {k: v.replace(str(root), "…") for k, v in error_texts(exc).items()}
    return json.dumps(texts, ensure_ascii=False)


def run_job(job_id: int, database_url: str, data_dir: str, event: Any, parent_pid: int) -> None:
    """The worker process: run one job and write its outputs, progress and outcome."""
    from routing.errors import InputError
    from routing.progress import Cancelled, CancelToken

    os.setsid()  # a process group of its own, so cancelling ends the solver's processes too
    threading.Thread(target=_watch_parent, args=(parent_pid,), daemon=True).start()
    logging.basicConfig(level=logging.WARNING)
    for handler in logging.getLogger().handlers:
        handler.setLevel(logging.WARNING)  # the stage records are for the progress, not the console
    sessions = session_factory(make_engine(database_url))
    reporter = _Reporter(sessions, job_id, os.getpid())
    root = Path(data_dir)
    with sessions() as db:
        job = db.get(PlanJob, job_id)
        assert job is not None
    plan_dir(root, job_id).mkdir(parents=True, exist_ok=True)
    cancel = CancelToken(event)
    work = {"compare": _compare, SHEETS: _sheets}.get(job.kind, _plan)
    try:
        summary = work(job, root, reporter, cancel)
    except Cancelled:
        reporter.write(status=CANCELLED, error="cancelled from the page", finished_at=utcnow())
        return
    except InputError as exc:
        shown = exc.replaced(str(root), "…")
        texts = failure_texts(exc, root=root)
        reporter.write(status=FAILED, error=str(shown), error_texts=texts, finished_at=utcnow())
        return
    except Exception as exc:
        logger.exception("job %s failed", job_id)
        texts = failure_texts(exc, root=root)
        error = f"{type(exc).__name__}: {exc}"
        reporter.write(status=FAILED, error=error, error_texts=texts, finished_at=utcnow())
        return
    out = plan_dir(root, job_id) / "out"  # none for a job drawing another plan's sheets
    reporter.write(
        status=DONE,
        out_dir=str(out.relative_to(root)) if out.is_dir() else "",
        summary_json=json.dumps(summary, ensure_ascii=False),
        finished_at=utcnow(),
        stage="outputs",
        fraction=1.0,
    )


def _plan(job: PlanJob, root: Path, reporter: _Reporter, cancel: Any) -> dict[str, Any]:
    """Plan one scenario's week into the job's ``out/``; returns the figures its page shows."""
    from routing import api
    from routing.scenario import load_scenario
    from routing.service.driverlinks import driver_template

    # The scenario file sits with the inputs, whose server-chosen names it refers to.
    scenario_file = inputs_dir(root, job.enterprise_id) / f"plan-{job.id}.toml"
    scenario_file.write_text(job.toml_text, encoding="utf-8")
    out = plan_dir(root, job.id) / "out"
    formats = [f for f in api.ALL_FORMATS if f != "screenshots"]  # screenshots need a browser
    scenario = load_scenario(scenario_file)
    driver_url = driver_template(job.public_url, job.id)  # tokened: opens without sign-in
    plan = api.plan_week(
        scenario, on_progress=reporter, cancel=cancel, cache_dir=root / "cache" / "networks"
    )
    api.write_outputs(
        plan, out, formats=formats, language=job.language, offline=True, driver_url=driver_url,
        driver_key=job.link_key, on_progress=reporter, cancel=cancel,
    )  # fmt: skip
    return _summary(out / "summary.json")


def _compare(job: PlanJob, root: Path, reporter: _Reporter, cancel: Any) -> dict[str, Any]:
    """Plan scenarios side by side and write the scenarios report (``routing.compare``)."""
    from routing.compare import Finished, compare_scenarios  # type: ignore[import-not-found,unused-ignore]
    from routing.exports import slug

    inputs = inputs_dir(root, job.enterprise_id)
    paths: list[Path] = []
    for i, item in enumerate(json.loads(job.toml_text)):
        # the report labels each scenario by its file name: the scenario's own name, made safe
        path = inputs / f"{slug(str(item['name']))[:40]}-{job.id}-{i + 1}.toml"
        path.write_text(str(item["toml"]), encoding="utf-8")
        paths.append(path)

    def progress(_label: str, event: Any) -> None:
        if not isinstance(event, Finished):
            reporter(event)

    out = plan_dir(root, job.id) / "out"
    compare_scenarios(
        paths, out, language=job.language, workers=1, on_progress=progress, cancel=cancel
    )
    return {"report": [p.name for p in sorted(out.glob("report.*"))]}


def _sheets(job: PlanJob, root: Path, reporter: _Reporter, cancel: Any) -> dict[str, Any]:
    """Draw a finished plan's driver sheets again from its saved plan, with the plan's key.

    The sheets folder is replaced whole (`routing.api.redraw_sheets`). If the plan's key changed
    while they were drawn (its links revoked once more), they are drawn again with the new one.
    """
    from routing import api
    from routing.errors import InputError
    from routing.service.driverlinks import driver_template

    source_id, paths = sheets_source(job), []
    for _attempt in range(3):
        with reporter.sessions() as db:
            source = db.get(PlanJob, source_id)
        if source is None or source.status != DONE or not source.out_dir:
            msg = "plan #{plan} has no finished outputs to draw its sheets from"
            raise InputError(msg, plan=source_id)
        key = source.link_key
        paths = api.redraw_sheets(
            root / source.out_dir, language=job.language, on_progress=reporter, cancel=cancel,
            driver_url=driver_template(source.public_url, source.id), driver_key=key,
        )  # fmt: skip
        with reporter.sessions() as db:
            now = db.get(PlanJob, source_id)
        if now is None or now.link_key == key:
            break
    return {"plan": source_id, "sheets": [p.name for p in paths]}


def _summary(path: Path) -> dict[str, Any]:
    """The figures a plan's page shows, from its summary.json."""
    full = json.loads(path.read_text(encoding="utf-8"))
    keys = (
        "households_in", "households_served", "households_unserved", "unserved_by_reason",
        "vehicle_days", "totals", "synthetic", "attribution", "currency", "tariff_revenue_per_month",
    )  # fmt: skip
    return {k: full[k] for k in keys if k in full}
