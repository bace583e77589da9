"""The routes: sign-in, language, scenarios and uploads, plans and their files, admin.

Pages that only read a few rows and render a template are ``async`` and run on the event loop (no
thread hop: under load the pool's threads only fought over the GIL). Work that reads or writes
input files (uploads, geocoding, validation, ZIPs) runs in the thread pool; form posts read the
form, check the CSRF token, then hand such work to a plain function.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import zipfile
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

from fastapi import APIRouter, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import FileResponse, HTMLResponse, Response
from sqlalchemy import select

from routing.errors import InputError
from routing.i18n import LANGUAGES, translator
from routing.outputs import PLAN_FILE
from routing.progress import STAGES, stage_title
from routing.scenario import DAYS, ScenarioError
from routing.service import driverlinks, security
from routing.service import scenarios as sc
from routing.service.app import LANG_COOKIE, language_of, not_found, redirect, render
from routing.service.jobs import SHEETS, inputs_dir, sheets_request, sheets_source
from routing.service.store import (
    CANCELLED,
    DONE,
    FINISHED,
    INTERRUPTED,
    RUNNING,
    WAITING,
    Enterprise,
    PlanJob,
    ScenarioRow,
    Upload,
    User,
    new_link_key,
    utcnow,
)
from routing.service.uploads import (
    KINDS,
    UploadError,
    check_upload,
    count_rows,
    display_name,
    geocode_report,
    store,
    write_corrections,
)

router = APIRouter()


# ------------------------------------------------------------------------------------------------
# who is asking


def _sessions(request: Request) -> Any:
    return request.app.state.sessions


def _local_mode(request: Request, db: Any) -> bool:
    """On loopback with no admin password set, the one local user is signed in without one."""
    if not request.app.state.settings.loopback:
        return False
    admin = db.scalars(select(User).where(User.is_admin.is_(True)).order_by(User.id)).first()
    return admin is not None and not admin.password_hash


def user_of(request: Request) -> User:
    """The signed-in user, or a redirect to the sign-in page."""
    with _sessions(request)() as db:
        user = security.session_user(db, request.cookies.get(security.SESSION_COOKIE))
    if user is None:
        target = "/login?next=" + _safe_next(str(request.url.path))
        raise HTTPException(status_code=303, headers={"Location": target})
    request.state.user = user
    return user


def _safe_next(url: str | None) -> str:
    """A local path, with its query (a driver link's token), to go back to (never another site)."""
    parts = urlsplit(url or "/")
    if (
        parts.scheme
        or parts.netloc
        or not parts.path.startswith("/")
        or parts.path.startswith("//")
    ):
        return "/"
    return parts.path + (f"?{parts.query}" if parts.query else "")


async def form_of(request: Request) -> Any:
    """The posted form, after checking its CSRF token against the cookie."""
    form = await request.form()
    sent = form.get(security.CSRF_FIELD) or request.headers.get(security.CSRF_HEADER)
    if not security.csrf_ok(request.cookies.get(security.CSRF_COOKIE), str(sent or "")):
        _ = translator(language_of(request))
        raise HTTPException(
            status_code=403,
            detail=_("The form's security token is missing or old; reload the page and try again."),
        )
    return form


def _own(db: Any, model: Any, row_id: int, user: User) -> Any:
    row = db.get(model, row_id)
    if row is None or row.enterprise_id != user.enterprise_id:
        raise not_found()
    return row


# ------------------------------------------------------------------------------------------------
# sign in, language


@router.get("/login", response_class=HTMLResponse)
async def login_page(request: Request, next: str = "/") -> Response:
    with _sessions(request)() as db:
        if _local_mode(request, db):
            admin = db.scalars(
                select(User).where(User.is_admin.is_(True)).order_by(User.id)
            ).first()
            token = security.start_session(
                db, admin, hours=request.app.state.settings.session_hours
            )
            return _signed_in(redirect(_safe_next(next)), token, request)
    return render(request, "login.html", next=_safe_next(next), error="")


@router.post("/login", response_class=HTMLResponse)
async def login(request: Request) -> Response:
    form = await form_of(request)
    username, password = str(form.get("username", "")), str(form.get("password", ""))
    target = _safe_next(str(form.get("next", "/")))
    with _sessions(request)() as db:
        user = db.scalars(select(User).where(User.username == username)).first()
        ok = user is not None and security.verify_password(user.password_hash, password)
        if not ok or user is None:
            _ = translator(language_of(request))
            error = _("Wrong user name or password.")
            return render(request, "login.html", status_code=401, next=target, error=error)
        token = security.start_session(db, user, hours=request.app.state.settings.session_hours)
    return _signed_in(redirect(target), token, request)


def _signed_in(response: Response, token: str, request: Request) -> Response:
    hours = request.app.state.settings.session_hours
    response.set_cookie(
        security.SESSION_COOKIE, token, max_age=int(hours * 3600), httponly=True, samesite="lax"
    )
    return response


@router.post("/logout")
async def logout(request: Request) -> Response:
    await form_of(request)
    with _sessions(request)() as db:
        security.end_session(db, request.cookies.get(security.SESSION_COOKIE))
    response = redirect("/login")
    response.delete_cookie(security.SESSION_COOKIE)
    return response


@router.get("/lang/{code}")
async def set_language(request: Request, code: str, next: str = "/") -> Response:
    if code not in LANGUAGES:
        raise not_found()
    response = redirect(_safe_next(next))
    response.set_cookie(LANG_COOKIE, code, max_age=365 * 86400, samesite="lax")
    return response


@router.get("/healthz")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


# ------------------------------------------------------------------------------------------------
# home, scenarios


@router.get("/", response_class=HTMLResponse)
async def home(request: Request) -> Response:
    user = user_of(request)
    with _sessions(request)() as db:
        rows = db.scalars(
            select(ScenarioRow)
            .where(ScenarioRow.enterprise_id == user.enterprise_id)
            .order_by(ScenarioRow.id)
        ).all()
        plans = db.scalars(
            select(PlanJob)
            .where(PlanJob.enterprise_id == user.enterprise_id)
            .order_by(PlanJob.id.desc())
            .limit(20)
        ).all()
        enterprise = db.get(Enterprise, user.enterprise_id)
    return render(request, "home.html", scenarios=rows, plans=plans, enterprise=enterprise)


@router.get("/scenarios/{sid}", response_class=HTMLResponse)
async def scenario_page(request: Request, sid: int) -> Response:
    user = user_of(request)
    with _sessions(request)() as db:
        row = _own(db, ScenarioRow, sid, user)
        uploads = db.scalars(
            select(Upload).where(Upload.scenario_id == sid).order_by(Upload.id.desc())
        ).all()
    return _scenario_form(request, row, sc.parse(row.toml_text), uploads=uploads)


def _scenario_form(
    request: Request, row: ScenarioRow, raw: dict[str, Any], **extra: Any
) -> Response:
    return render(
        request,
        "scenario.html",
        row=row,
        raw=raw,
        days=DAYS,
        kinds=KINDS,
        max_mb=request.app.state.settings.max_upload_mb,
        **{"error": "", "saved": False, "uploads": [], **extra},
    )


@router.post("/scenarios/{sid}", response_class=HTMLResponse)
async def scenario_save(request: Request, sid: int) -> Response:
    user = user_of(request)
    form = await form_of(request)
    values = {k: str(v) for k, v in form.items() if isinstance(v, str)}
    days: dict[int, list[str]] = {}
    for key in form:
        if key.startswith("village.") and key.endswith(".days"):
            days[int(key.split(".")[1])] = [str(d) for d in form.getlist(key)]
    for key in form:  # a village with every day unticked sends no days field at all
        if key.startswith("village.") and key.endswith(".present"):
            days.setdefault(int(key.split(".")[1]), [])
    return await run_in_threadpool(_save_scenario, request, user, sid, values, days)


def _save_scenario(
    request: Request, user: User, sid: int, values: dict[str, str], days: dict[int, list[str]]
) -> Response:
    settings = request.app.state.settings
    with _sessions(request)() as db:
        row = _own(db, ScenarioRow, sid, user)
        raw = sc.apply_form(sc.parse(row.toml_text), values, days)
        text = sc.dump(raw)
        try:
            scenario = sc.validate(text, inputs_dir(settings.data_dir, user.enterprise_id))
        except ScenarioError as exc:
            error = _said(request, exc)
            return _scenario_form(request, row, raw, error=error, status_code=422)
        row.toml_text, row.name, row.updated_at = text, scenario.name, utcnow()
        db.commit()
        uploads = db.scalars(select(Upload).where(Upload.scenario_id == sid)).all()
    return _scenario_form(request, row, raw, saved=True, uploads=uploads)


@router.post("/scenarios/{sid}/copy")
async def scenario_copy(request: Request, sid: int) -> Response:
    user = user_of(request)
    await form_of(request)
    _ = translator(language_of(request))
    with _sessions(request)() as db:
        row = _own(db, ScenarioRow, sid, user)
        raw = sc.parse(row.toml_text)
        raw.setdefault("scenario", {})["name"] = _("{name} (copy)", name=row.name)
        copy = ScenarioRow(
            enterprise_id=user.enterprise_id, name=raw["scenario"]["name"], toml_text=sc.dump(raw)
        )
        db.add(copy)
        db.commit()
        return redirect(f"/scenarios/{copy.id}")


# ------------------------------------------------------------------------------------------------
# uploads and the geocoding report


@router.post("/scenarios/{sid}/upload", response_class=HTMLResponse)
async def upload(request: Request, sid: int) -> Response:
    user = user_of(request)
    settings = request.app.state.settings
    length = request.headers.get("content-length")
    _ = translator(language_of(request))
    if length and length.isdigit() and int(length) > settings.max_upload_bytes + 65536:
        detail = _(
            "The file is larger than the limit of {limit_mb} MB.", limit_mb=settings.max_upload_mb
        )
        raise HTTPException(status_code=413, detail=detail)
    form = await form_of(request)
    kind = str(form.get("kind", "households"))
    item = form.get("file")
    if kind not in KINDS or item is None or isinstance(item, str):
        raise HTTPException(status_code=400, detail=_("Choose a file to upload."))
    data = await item.read(settings.max_upload_bytes + 1)
    name = display_name(item.filename)
    return await run_in_threadpool(_accept_upload, request, user, sid, kind, name, data)


def _accept_upload(
    request: Request, user: User, sid: int, kind: str, name: str, data: bytes
) -> Response:
    settings = request.app.state.settings
    inputs = inputs_dir(settings.data_dir, user.enterprise_id)
    with _sessions(request)() as db:
        row = _own(db, ScenarioRow, sid, user)
        try:
            suffix = check_upload(name, data, max_bytes=settings.max_upload_bytes)
        except UploadError as exc:
            return _refused(request, row, _said(request, exc))
        stored = store(data, suffix, inputs)
        try:
            rows = count_rows(inputs / stored, kind, max_rows=settings.max_rows)
        except InputError as exc:
            (inputs / stored).unlink(missing_ok=True)
            return _refused(request, row, _said(request, exc, inputs, names={stored: name}))
        raw = sc.parse(row.toml_text)
        register = raw.setdefault("register", {})
        register[kind] = stored
        if kind == "households":
            register.pop("corrections", None)
        row.toml_text, row.updated_at = sc.dump(raw), utcnow()
        item = Upload(
            enterprise_id=user.enterprise_id, scenario_id=sid, kind=kind, original_name=name,
            stored_name=stored, rows=rows,
        )  # fmt: skip
        db.add(item)
        db.commit()
        if kind == "households":
            try:
                _refresh_report(request, db, item, row)
            except InputError as exc:
                return _refused(request, row, _said(request, exc, inputs, names={stored: name}))
        return redirect(f"/uploads/{item.id}")


def _said(
    request: Request,
    exc: InputError,
    inputs: Path | None = None,
    *,
    names: Mapping[str, str] | None = None,
) -> str:
    """An input error in the page's language: each stored file name in ``names`` written as the
    user's own, the enterprise's ``inputs`` folder left out (the server's folders are not theirs)."""
    for stored, name in (names or {}).items():
        exc = exc.replaced(stored, name)
    if inputs is not None:
        for folder in (inputs.resolve(), inputs):
            exc = exc.replaced(f"{folder}/", "")
    return exc.text(language_of(request))


def _refused(request: Request, row: ScenarioRow, message: str) -> Response:
    return _scenario_form(
        request, row, sc.parse(row.toml_text), upload_error=message, status_code=422
    )


def _refresh_report(request: Request, db: Any, item: Upload, row: ScenarioRow) -> None:
    """Geocode the scenario's register (with its corrections) and keep the rows to fix."""
    settings = request.app.state.settings
    scenario = sc.validate(row.toml_text, inputs_dir(settings.data_dir, item.enterprise_id))
    report = geocode_report(scenario, settings.data_dir / "cache" / "gazetteers")
    item.rows, item.located = report.rows, report.located
    item.report_json = json.dumps(report.to_fix, ensure_ascii=False)
    db.commit()


@router.get("/uploads/{uid}", response_class=HTMLResponse)
async def upload_page(request: Request, uid: int) -> Response:
    user = user_of(request)
    with _sessions(request)() as db:
        item = _own(db, Upload, uid, user)
    return render(request, "upload.html", item=item, rows=_rows_to_fix(request, item), error="")


def _rows_to_fix(request: Request, item: Upload) -> list[dict[str, Any]]:
    """The report's rows to fix, each ``why`` in the page's language."""
    from routing.geocode import translate_reason  # the geocoder loads only once it is needed

    language = language_of(request)
    rows: list[dict[str, Any]] = json.loads(item.report_json)
    return [{**r, "why": translate_reason(r.get("why"), language=language)} for r in rows]


@router.post("/uploads/{uid}/fix", response_class=HTMLResponse)
async def upload_fix(request: Request, uid: int) -> Response:
    user = user_of(request)
    form = await form_of(request)
    fixes: dict[int, dict[str, str]] = {}
    for key, value in form.items():
        parts = key.split(".")
        if len(parts) == 3 and parts[0] == "fix" and parts[1].isdigit() and isinstance(value, str):
            fixes.setdefault(int(parts[1]), {})[parts[2]] = value
    return await run_in_threadpool(_apply_fixes, request, user, uid, fixes)


def _apply_fixes(
    request: Request, user: User, uid: int, fixes: dict[int, dict[str, str]]
) -> Response:
    settings = request.app.state.settings
    inputs = inputs_dir(settings.data_dir, user.enterprise_id)
    with _sessions(request)() as db:
        item = _own(db, Upload, uid, user)
        row = _own(db, ScenarioRow, item.scenario_id, user)
        raw = sc.parse(row.toml_text)
        if sc.input_name(raw, "register", "households") != item.stored_name:
            _ = translator(language_of(request))
            error = _("This register is no longer the scenario's; upload it again to fix it.")
            return render(
                request,
                "upload.html",
                status_code=409,
                item=item,
                rows=_rows_to_fix(request, item),
                error=error,
            )
        previous = inputs / item.corrections_name if item.corrections_name else None
        try:
            name = write_corrections(fixes, previous, inputs)
        except InputError as exc:
            return render(
                request,
                "upload.html",
                status_code=422,
                item=item,
                rows=_rows_to_fix(request, item),
                error=_said(request, exc, inputs),
            )
        raw["register"]["corrections"] = name
        row.toml_text, row.updated_at = sc.dump(raw), utcnow()
        item.corrections_name = name
        db.commit()
        try:
            _refresh_report(request, db, item, row)
        except InputError as exc:
            rows, error = _rows_to_fix(request, item), _said(request, exc, inputs)
            return render(
                request, "upload.html", status_code=422, item=item, rows=rows, error=error
            )
    return redirect(f"/uploads/{uid}")


@router.get("/uploads/{uid}/corrections.csv")
async def upload_corrections(request: Request, uid: int) -> Response:
    user = user_of(request)
    with _sessions(request)() as db:
        item = _own(db, Upload, uid, user)
    if not item.corrections_name:
        raise not_found()
    path = (
        inputs_dir(request.app.state.settings.data_dir, user.enterprise_id) / item.corrections_name
    )
    return FileResponse(path, filename="corrections.csv", media_type="text/csv")


# ------------------------------------------------------------------------------------------------
# plans


@router.post("/scenarios/{sid}/plan")
async def plan_start(request: Request, sid: int) -> Response:
    user = user_of(request)
    await form_of(request)
    lang = language_of(request)
    with _sessions(request)() as db:
        row = _own(db, ScenarioRow, sid, user)
        job = PlanJob(
            enterprise_id=user.enterprise_id, scenario_id=sid, scenario_name=row.name,
            toml_text=row.toml_text, language=lang, status=WAITING, public_url=public_url(request),
        )  # fmt: skip
        db.add(job)
        db.commit()
        return redirect(f"/plans/{job.id}")


def public_url(request: Request) -> str:
    """The service's address as phones reach it: ``TAZA_PUBLIC_URL``, else the one this request
    came to (the manager's browser reached the service there; the driver sheets' QR codes point
    under it)."""
    configured: str = request.app.state.settings.public_url
    return (configured or str(request.base_url)).rstrip("/")


@router.get("/plans", response_class=HTMLResponse)
async def plans_page(request: Request) -> Response:
    user = user_of(request)
    with _sessions(request)() as db:
        plans = db.scalars(
            select(PlanJob)
            .where(PlanJob.enterprise_id == user.enterprise_id)
            .order_by(PlanJob.id.desc())
        ).all()
    return render(request, "plans.html", plans=plans)


def _files(request: Request, job: PlanJob) -> dict[str, Path]:
    """A finished plan's files by their path inside its output folder (the only names served)."""
    if not job.out_dir or job.status != DONE:
        return {}
    out = request.app.state.settings.data_dir / job.out_dir
    return {name: out / name for name in _listing(str(out))}


@lru_cache(maxsize=256)
def _listing(out: str) -> tuple[str, ...]:
    """The files of a finished plan's output folder; cached, as that folder is written whole once
    and only its sheets drawn again after, under the same names (a plan's page is read far more
    often than plans are made). Hidden entries (a folder being written) are not listed."""
    root = Path(out)
    if not root.is_dir():
        return ()
    names = (p.relative_to(root) for p in sorted(root.rglob("*")) if p.is_file())
    return tuple(n.as_posix() for n in names if not any(x.startswith(".") for x in n.parts))


def _stages(job: PlanJob, language: str) -> list[dict[str, Any]]:
    out = []
    for i, key in enumerate(STAGES, start=1):
        if job.kind == SHEETS and key != "outputs":  # drawn from a saved plan: no planning
            continue
        state = "pending"
        if job.status == "done" or i < job.stage_number:
            state = "done"
        elif i == job.stage_number:
            state = "current" if job.status == RUNNING else "stopped"
        out.append({"key": key, "title": stage_title(key, language), "state": state, "number": i})
    return out


@router.get("/plans/{jid}", response_class=HTMLResponse)
async def plan_page(request: Request, jid: int) -> Response:
    user = user_of(request)
    with _sessions(request)() as db:
        job = _own(db, PlanJob, jid, user)
        redrawn = db.scalars(
            select(PlanJob).where(PlanJob.kind == SHEETS, PlanJob.toml_text == sheets_request(jid))
            .order_by(PlanJob.id.desc()).limit(1)
        ).first()  # fmt: skip
    files = _files(request, job)
    summary = json.loads(job.summary_json) if job.summary_json else {}
    return render(
        request, "plan.html", job=job, stages=_stages(job, language_of(request)), files=files, summary=summary,
        finished=job.status in FINISHED, slug=_slug, job_error=_job_error(job, language_of(request)),
        saved_plan=PLAN_FILE in files, redrawn=redrawn,
        source_id=sheets_source(job) if job.kind == SHEETS else None, **_links_context(request, job),
    )  # fmt: skip


def _links_context(request: Request, job: PlanJob) -> dict[str, Any]:
    """What the plan page says of its driver links: each day's address, until when, revoked."""
    days = request.app.state.settings.driver_link_days
    expires = driverlinks.links_expire(job, days=days)
    return {
        "link_of": lambda stem: driverlinks.link_of(job, stem), "links_days": days,
        "links_last_day": (expires - dt.timedelta(days=1)).date(), "links_expired": utcnow() >= expires,
    }  # fmt: skip


def _job_error(job: PlanJob, language: str) -> str:
    """A plan's error for its page: the service's own words and a message of bad input in the
    page's language, a bug's as it was written; the status API keeps them in English."""
    _ = translator(language)
    if job.status == INTERRUPTED and job.stage:
        return _(
            "The server stopped while this plan was running, at stage {number} of {total} ({stage}); start it again.",
            number=job.stage_number, total=job.stage_total, stage=stage_title(job.stage, language),
        )  # fmt: skip
    if job.status == INTERRUPTED:
        return _("The server stopped while this plan was running; start it again.")
    if job.status == CANCELLED:
        return _("Cancelled from the page.")
    texts = json.loads(job.error_texts) if job.error_texts else {}
    return str(texts.get(language) or job.error or "")


def _slug(day: str, vehicle: str) -> str:
    from routing.exports import slug

    return f"{day}-{slug(vehicle)}"


@router.get("/plans/{jid}/progress", response_class=HTMLResponse)
async def plan_progress(request: Request, jid: int, live: int = 0) -> Response:
    user = user_of(request)
    with _sessions(request)() as db:
        job = _own(db, PlanJob, jid, user)
    response = render(
        request,
        "_progress.html",
        job=job,
        stages=_stages(job, language_of(request)),
        finished=job.status in FINISHED,
        job_error=_job_error(job, language_of(request)),
    )
    if live and job.status in FINISHED:
        response.headers["HX-Refresh"] = "true"  # the page then shows the map and the downloads
    return response


@router.get("/plans/{jid}/status")
async def plan_status(request: Request, jid: int) -> dict[str, Any]:
    user = user_of(request)
    with _sessions(request)() as db:
        job = _own(db, PlanJob, jid, user)
    keys = ("id", "status", "stage", "stage_number", "stage_total", "fraction", "message", "error")
    return {k: getattr(job, k) for k in keys}


@router.post("/plans/{jid}/cancel")
async def plan_cancel(request: Request, jid: int) -> Response:
    user = user_of(request)
    await form_of(request)
    with _sessions(request)() as db:
        job = _own(db, PlanJob, jid, user)
        if job.status == WAITING:
            job.status, job.error, job.finished_at = CANCELLED, "cancelled from the page", utcnow()
        elif job.status == RUNNING:
            job.cancel_requested = True
        db.commit()
    return redirect(f"/plans/{jid}")


@router.get("/plans/{jid}/files/{name:path}")
async def plan_file(request: Request, jid: int, name: str) -> Response:
    user = user_of(request)
    with _sessions(request)() as db:
        job = _own(db, PlanJob, jid, user)
    path = _files(request, job).get(name)
    if path is None:
        raise not_found()
    inline = path.suffix in (".html", ".js", ".css", ".png", ".svg", ".json", ".geojson")
    if inline:
        return FileResponse(path)
    return FileResponse(path, filename=f"plan{jid}-{path.name}")


@router.get("/plans/{jid}/all.zip")
def plan_zip(request: Request, jid: int) -> Response:
    user = user_of(request)
    with _sessions(request)() as db:
        job = _own(db, PlanJob, jid, user)
    files = _files(request, job)
    if not files:
        raise not_found()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, path in files.items():
            archive.write(path, name)
    headers = {"Content-Disposition": f'attachment; filename="plan{jid}.zip"'}
    return Response(buffer.getvalue(), media_type="application/zip", headers=headers)


@router.get("/plans/{jid}/driver/{stem}", response_class=HTMLResponse)
async def driver_page(request: Request, jid: int, stem: str, t: str | None = None) -> Response:
    """A vehicle-day's page: for a signed-in user of the plan's enterprise, or with the day's
    token (``t``, `routing.service.driverlinks`) for anyone, without sign-in."""
    if t is not None:
        job = _by_token(request, jid, stem, t)
        if isinstance(job, Response):
            return job
        response = _driver(request, job, stem, token=t)
        response.headers.update(driverlinks.TOKEN_HEADERS)
        return response
    user = user_of(request)
    with _sessions(request)() as db:
        job = _own(db, PlanJob, jid, user)
    return _driver(request, job, stem, token=None)


def _driver(request: Request, job: PlanJob, stem: str, *, token: str | None) -> Response:
    import csv

    summary = json.loads(job.summary_json) if job.summary_json else {}
    days = [vd for vd in summary.get("vehicle_days", []) if _slug(vd["day"], vd["vehicle"]) == stem]
    files = _files(request, job)
    if not days or "stops.csv" not in files:
        raise not_found()
    vd = days[0]
    with files["stops.csv"].open(encoding="utf-8") as handle:
        stops = [
            r
            for r in csv.DictReader(handle)
            if r["day"] == vd["day"] and r["vehicle"] == vd["vehicle"]
        ]
    downloads = {}  # by kind: the signed-in user's file address, or the token's own
    for kind in driverlinks.ROUTE_FILES:
        name = driverlinks.route_file(stem, kind)
        if name in files and token is not None:
            downloads[kind] = _with_token(f"/plans/{job.id}/driver/{stem}/{kind}", token)
        elif name in files:
            downloads[kind] = f"/plans/{job.id}/files/{name}"
    here = _with_token(request.url.path, token)
    return render(
        request, "driver.html", job=job, vd=vd, stops=stops, stem=stem, downloads=downloads,
        here=here, attribution=summary.get("attribution", ""), synthetic=summary.get("synthetic", False),
    )  # fmt: skip


def _by_token(request: Request, jid: int, stem: str, token: str) -> PlanJob | Response:
    """The plan a driver link opens, or the page refusing it (403, in the viewer's language)."""
    settings = request.app.state.settings
    with _sessions(request)() as db:
        job = db.get(PlanJob, jid)
    state = driverlinks.check_token(job, stem, token, days=settings.driver_link_days, now=utcnow())
    if state == driverlinks.OPEN and job is not None:
        return job
    expired = None
    if state == driverlinks.EXPIRED and job is not None:
        expired = driverlinks.links_expire(job, days=settings.driver_link_days)
    here = _with_token(request.url.path, token)  # the language links keep showing this answer
    response = render(request, "driver_refused.html", status_code=403, expired=expired, here=here)
    response.headers.update(driverlinks.TOKEN_HEADERS)
    return response


def _with_token(path: str, token: str | None) -> str:
    return path if token is None else f"{path}?t={quote(token, safe='')}"


@router.get("/plans/{jid}/driver/{stem}/{kind}")
async def driver_file(request: Request, jid: int, stem: str, kind: str, t: str = "") -> Response:
    """A vehicle-day's own sheet or route file (``pdf``, ``gpx``, ``kml``, ``geojson``) by its
    token; any other file of the plan, or another day's, is not reachable this way."""
    job = _by_token(request, jid, stem, t)
    if isinstance(job, Response):
        return job
    name = driverlinks.route_file(stem, kind)
    path = _files(request, job).get(name) if name else None
    if path is None:
        raise not_found()
    response = FileResponse(
        path,
        filename=path.name,
        content_disposition_type="inline" if kind == "pdf" else "attachment",
    )
    response.headers.update(driverlinks.TOKEN_HEADERS)
    return response


@router.post("/plans/{jid}/links/revoke")
async def plan_links_revoke(request: Request, jid: int) -> Response:
    """Revoke a plan's driver links: a new secret, so every printed QR code stops opening."""
    user = user_of(request)
    await form_of(request)
    with _sessions(request)() as db:
        job = _own(db, PlanJob, jid, user)
        job.link_key, job.links_revoked_at = new_link_key(), utcnow()
        db.commit()
    return redirect(f"/plans/{jid}#links")


@router.post("/plans/{jid}/sheets")
async def plan_sheets(request: Request, jid: int) -> Response:
    """New sheets with new links: a new secret (every printed QR code stops opening), then a short
    job draws the plan's driver sheets again from its saved plan (the same routes; no new plan)."""
    user = user_of(request)
    await form_of(request)
    with _sessions(request)() as db:
        old = _own(db, PlanJob, jid, user)
        if old.kind != "plan" or PLAN_FILE not in _files(request, old):
            raise not_found()  # the page offers only "Plan again" for a plan without a saved plan
        old.link_key, old.links_revoked_at = new_link_key(), utcnow()
        job = PlanJob(
            enterprise_id=user.enterprise_id, scenario_id=old.scenario_id, scenario_name=old.scenario_name,
            kind=SHEETS, toml_text=sheets_request(jid), language=language_of(request), status=WAITING,
            public_url=old.public_url,
        )  # fmt: skip
        db.add(job)
        db.commit()
        return redirect(f"/plans/{job.id}")


@router.post("/plans/{jid}/again")
async def plan_again(request: Request, jid: int) -> Response:
    """Plan the same scenario text again (new sheets, with new driver links, to print)."""
    user = user_of(request)
    await form_of(request)
    with _sessions(request)() as db:
        old = _own(db, PlanJob, jid, user)
        if old.kind != "plan":
            raise not_found()
        job = PlanJob(
            enterprise_id=user.enterprise_id, scenario_id=old.scenario_id, scenario_name=old.scenario_name,
            toml_text=old.toml_text, language=language_of(request), status=WAITING, public_url=public_url(request),
        )  # fmt: skip
        db.add(job)
        db.commit()
        return redirect(f"/plans/{job.id}")


# ------------------------------------------------------------------------------------------------
# comparing scenarios, admin


@router.get("/compare", response_class=HTMLResponse)
async def compare_page(request: Request) -> Response:
    user = user_of(request)
    with _sessions(request)() as db:
        rows = db.scalars(
            select(ScenarioRow).where(ScenarioRow.enterprise_id == user.enterprise_id)
        ).all()
    return render(request, "compare.html", scenarios=rows, error="")


@router.post("/compare", response_class=HTMLResponse)
async def compare_start(request: Request) -> Response:
    """Queue a comparison of the ticked scenarios (the first ticked is the base)."""
    user = user_of(request)
    form = await form_of(request)
    _ = translator(language_of(request))
    chosen = [int(v) for v in form.getlist("scenario") if isinstance(v, str) and v.isdigit()]
    with _sessions(request)() as db:
        rows = [_own(db, ScenarioRow, sid, user) for sid in chosen]
        if len(rows) < 2:
            everyone = db.scalars(
                select(ScenarioRow).where(ScenarioRow.enterprise_id == user.enterprise_id)
            ).all()
            error = _("Tick at least two scenarios; the first ticked is the base.")
            return render(request, "compare.html", status_code=422, scenarios=everyone, error=error)  # fmt: skip
        items = [{"name": r.name, "toml": r.toml_text} for r in rows]
        job = PlanJob(
            enterprise_id=user.enterprise_id, scenario_id=rows[0].id, kind="compare",
            scenario_name=" / ".join(r.name for r in rows)[:300],
            toml_text=json.dumps(items, ensure_ascii=False), language=language_of(request),
        )  # fmt: skip
        db.add(job)
        db.commit()
        return redirect(f"/plans/{job.id}")


@router.get("/admin", response_class=HTMLResponse)
async def admin_page(request: Request) -> Response:
    user = user_of(request)
    if not user.is_admin:
        raise not_found()
    with _sessions(request)() as db:
        enterprises = db.scalars(select(Enterprise).order_by(Enterprise.id)).all()
        users = db.scalars(select(User).order_by(User.id)).all()
    return render(request, "admin.html", enterprises=enterprises, users=users, error="", done="")


@router.post("/admin/users", response_class=HTMLResponse)
async def admin_add_user(request: Request) -> Response:
    user = user_of(request)
    if not user.is_admin:
        raise not_found()
    form = await form_of(request)
    return await run_in_threadpool(_add_user, request, {k: str(v) for k, v in form.items()})


def _add_user(request: Request, form: dict[str, str]) -> Response:
    """A user in an existing enterprise, or in a new one named in the form; or a new password."""
    _ = translator(language_of(request))
    username, password = form.get("username", "").strip(), form.get("password", "")
    settings = request.app.state.settings
    with _sessions(request)() as db:
        error = ""
        try:
            hashed = security.hash_password(password)
        except ValueError:
            error = _("A password needs at least {n} characters.", n=security.MIN_PASSWORD_LENGTH)
        if not error and not username:
            error = _("Give a user name.")
        if error:
            return _admin(request, db, error=error, status_code=422)
        existing = db.scalars(select(User).where(User.username == username)).first()
        if existing is not None:
            existing.password_hash = hashed
        else:
            enterprise_id = _enterprise_for(db, form, settings.data_dir)
            db.add(
                User(
                    enterprise_id=enterprise_id,
                    username=username,
                    password_hash=hashed,
                    is_admin=False,
                )
            )
        db.commit()
        return _admin(request, db, done=_("Saved."))


def _enterprise_for(db: Any, form: dict[str, str], data_dir: Path) -> int:
    new_name = form.get("new_enterprise", "").strip()
    if new_name:
        from routing.service.scenarios import seed_default

        enterprise = Enterprise(name=new_name)
        db.add(enterprise)
        db.flush()
        name, text = seed_default(inputs_dir(data_dir, enterprise.id))
        db.add(ScenarioRow(enterprise_id=enterprise.id, name=name, toml_text=text))
        return enterprise.id
    chosen = form.get("enterprise_id", "")
    if not chosen.isdigit() or db.get(Enterprise, int(chosen)) is None:
        raise not_found()
    return int(chosen)


def _admin(request: Request, db: Any, **extra: Any) -> Response:
    enterprises = db.scalars(select(Enterprise).order_by(Enterprise.id)).all()
    users = db.scalars(select(User).order_by(User.id)).all()
    return render(
        request,
        "admin.html",
        enterprises=enterprises,
        users=users,
        **{"error": "", "done": "", **extra},
    )
