"""The pages of the service (FastAPI, Jinja2 templates, htmx), built by :func:`create_app`.

Every page speaks Kyrgyz, Russian or English (the ``lang`` cookie, switched from any page; strings
from the same gettext catalogues as the maps). Every page but the login needs a signed-in user and
shows only that user's enterprise's rows: a plan, upload or scenario of another enterprise answers
404 exactly as one that does not exist. Every form post carries the CSRF token.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

from fastapi import FastAPI, HTTPException, Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.responses import (
    FileResponse,
    HTMLResponse,
    JSONResponse,
    RedirectResponse,
    Response,
)
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from sqlalchemy import select
from starlette.datastructures import MutableHeaders
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from routing.i18n import LANGUAGES, Translator, day_name, translator
from routing.service import security
from routing.service.jobs import Dispatcher, inputs_dir, recover
from routing.service.settings import Settings
from routing.service.store import (
    Enterprise,
    ScenarioRow,
    User,
    make_engine,
    migrate,
    session_factory,
)

HERE = Path(__file__).resolve().parent
STATIC = HERE.parent / "static"
LANG_COOKIE = "lang"


def create_app(settings: Settings, *, run_queue: bool = True) -> FastAPI:
    """The ASGI application of one installation.

    Parameters
    ----------
    settings
        Data folder, limits, workers.
    run_queue
        Start the plan queue (tests of pages alone may leave it off).
    """
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    migrate(settings.database_url)
    engine = make_engine(settings.database_url)
    sessions = session_factory(engine)
    with sessions() as db:
        ensure_default(db, settings.data_dir)
        recover(db, settings.data_dir)
    dispatcher = Dispatcher(
        settings.database_url, settings.data_dir, settings.plan_workers, settings.poll_s
    )

    @contextlib.asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        if run_queue:
            dispatcher.start()
        try:
            yield
        finally:
            if run_queue:
                dispatcher.stop()
            engine.dispose()

    app = FastAPI(title="Taza routing", lifespan=lifespan, docs_url=None, redoc_url=None)
    app.state.settings = settings
    app.state.sessions = sessions
    app.state.dispatcher = dispatcher
    app.state.templates = _templates()
    if settings.allowed_hosts:
        app.add_middleware(TrustedHostMiddleware, allowed_hosts=list(settings.allowed_hosts))
    app.add_middleware(CsrfCookie)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.add_exception_handler(StarletteHTTPException, error_page)
    app.add_exception_handler(Exception, error_page)  # a bug: 500, its traceback in the log
    from routing.service import pages

    app.include_router(pages.router)
    return app


def ensure_default(db: Any, data_dir: Path) -> None:
    """On a new installation: the first enterprise, its admin (no password yet) and the default."""
    from routing.service.scenarios import seed_default

    if db.scalars(select(Enterprise)).first() is not None:
        return
    enterprise = Enterprise(name="Taza Aimak")
    db.add(enterprise)
    db.flush()
    db.add(User(enterprise_id=enterprise.id, username="admin", password_hash="", is_admin=True))
    name, text = seed_default(inputs_dir(data_dir, enterprise.id))
    db.add(ScenarioRow(enterprise_id=enterprise.id, name=name, toml_text=text))
    db.commit()


def _templates() -> Jinja2Templates:
    templates = Jinja2Templates(directory=str(HERE / "templates"))
    templates.env.auto_reload = False  # templates are package files: no stat() per render
    templates.env.globals["LANGUAGES"] = LANGUAGES
    templates.env.globals["day_name"] = day_name
    templates.env.filters["urlquote"] = lambda s: quote(str(s), safe="")
    templates.env.filters["fromjson"] = lambda s: json.loads(s) if s else {}
    return templates


class CsrfCookie:
    """Gives every browser a CSRF cookie, so any page's forms can carry the same token.

    A plain ASGI middleware (Starlette's ``BaseHTTPMiddleware`` costs a task and a stream per
    request, which showed under load); the token is put in the request's state for the templates.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        token = request.cookies.get(security.CSRF_COOKIE)
        fresh = token is None
        scope.setdefault("state", {})["csrf"] = token or security.new_token()

        async def send_with_cookie(message: Message) -> None:
            if fresh and message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                cookie = f"{security.CSRF_COOKIE}={scope['state']['csrf']}; HttpOnly; Path=/; SameSite=strict"
                headers.append("set-cookie", cookie)
            await send(message)

        await self.app(scope, receive, send_with_cookie)


def language_of(request: Request) -> str:
    """The page language: the ``lang`` cookie, else the browser's first known, else Kyrgyz."""
    chosen = request.cookies.get(LANG_COOKIE)
    if chosen in LANGUAGES:
        return str(chosen)
    for part in request.headers.get("accept-language", "").split(","):
        code = part.split(";")[0].strip()[:2].lower()
        if code in LANGUAGES:
            return code
    return "ky"


def render(request: Request, template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    """A page in the request's language, with the user, CSRF token and language links."""
    lang = language_of(request)
    values = {
        "request": request,
        "_": translator(lang),
        "lang": lang,
        "user": getattr(request.state, "user", None),
        "csrf": request.state.csrf,
        "here": request.url.path,
        **context,
    }
    templates: Jinja2Templates = request.app.state.templates
    return templates.TemplateResponse(request, template, values, status_code=status_code)


async def error_page(request: Request, exc: Exception) -> Response:
    """An error as a page in the request's language (404, 403, 405, 413, 500, ...).

    A redirect keeps its own answer; a client asking for JSON only gets ``{"detail": ...}`` as
    before. The page says what the status means; a detail the service wrote in the page's language
    (a refused form, an upload too large) is shown beneath it.
    """
    if isinstance(exc, StarletteHTTPException) and exc.status_code < 400:
        return await http_exception_handler(request, exc)
    status = exc.status_code if isinstance(exc, StarletteHTTPException) else 500
    accept = request.headers.get("accept", "")
    detail = exc.detail if isinstance(exc, StarletteHTTPException) else ""
    headers = getattr(exc, "headers", None)
    if "application/json" in accept and "text/html" not in accept:
        return JSONResponse({"detail": detail or "error"}, status_code=status, headers=headers)
    _ = translator(language_of(request))
    shown = detail if isinstance(detail, str) and detail not in _GENERIC_DETAILS else ""
    if not hasattr(request.state, "csrf"):
        request.state.csrf = (
            ""  # the page's own forms are not offered to a request that failed early
        )
    return render(
        request, "error.html", status_code=status, title=_error_title(status, _), detail=shown
    )


# details that only repeat the status: the page's title says it in the page's language
_GENERIC_DETAILS = frozenset(
    {"not found", "Not Found", "Method Not Allowed", "Internal Server Error"}
)


def _error_title(status: int, _: Translator) -> str:
    if status == 404:
        return _("There is no such page (or it is not yours to see).")
    if status == 403:
        return _("This is not allowed.")
    if status == 405:
        return _("This address does not take that kind of request.")
    if status == 413:
        return _("The upload is too large.")
    if status >= 500:
        return _("Something went wrong on the server; the error was written to its log.")
    return _("The request could not be used.")


def not_found() -> HTTPException:
    """The one answer for a row that does not exist or belongs to another enterprise."""
    return HTTPException(status_code=404, detail="not found")


def redirect(url: str) -> RedirectResponse:
    """See-other redirect after a form post."""
    return RedirectResponse(url, status_code=303)


def file_response(path: Path, name: str) -> FileResponse:
    """A download with a safe file name."""
    return FileResponse(path, filename=name)
