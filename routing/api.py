"""The planning API every front end uses: plan a week, write its outputs, with progress and cancel.

The command line (`routing.cli`), the web page, the scenario comparison and the batch runner all
drive the engine through these functions (:func:`redraw_sheets` draws a saved plan's driver sheets
again, without planning), so they show the same progress, stop the same way
and never see a half-written result.

Examples
--------
>>> from routing.api import plan_week, write_outputs
>>> from routing.progress import CancelToken
>>> from routing.scenario import load_scenario
>>> scenario = load_scenario("data/taza-aimak/scenario.toml")  # doctest: +SKIP
>>> token = CancelToken()  # token.cancel() from another thread stops the plan
>>> plan = plan_week(scenario, on_progress=print, cancel=token)  # doctest: +SKIP
>>> write_outputs(plan, Path("maps"), formats={"summary", "map"})  # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Collection
from pathlib import Path

from routing.atomic import atomic_folder
from routing.errors import InputError
from routing.links import check_driver_url
from routing.outputs import FORMATS, OWNED_NAMES, OutputOptions
from routing.pipeline import run
from routing.plan import Plan
from routing.progress import CancelToken, ProgressCallback, Reporter
from routing.scenario import Scenario

__all__ = ["ALL_FORMATS", "plan_week", "redraw_sheets", "write_outputs"]

ALL_FORMATS: tuple[str, ...] = tuple(FORMATS)
"""Every output format: "summary", "stops", "routes", "plan", "map", "sheets", "gpx", "kml", "geojson",
"screenshots" (see `routing.outputs.FORMATS`)."""


def plan_week(
    scenario: Scenario,
    *,
    on_progress: ProgressCallback | None = None,
    cancel: CancelToken | None = None,
    workers: int | None = None,
    cache_dir: Path | None = None,
) -> Plan:
    """Plan a scenario's week: every household on a route on its days, or unserved with a reason.

    Parameters
    ----------
    scenario
        A validated scenario (`routing.scenario.load_scenario`).
    on_progress
        Called with a `routing.progress.Progress` event as each stage starts, as it goes where
        it can tell how far it is (the matrix's rows, the solver's days) and as it ends; messages
        are in ``scenario.language``.
    cancel
        Checked between stages and inside the long ones (each block of matrix rows; the solver
        asks it throughout each day's search); once cancelled, the plan stops within about two
        seconds by raising `routing.progress.Cancelled`.
    workers
        Processes for each day's search (default 2) and threads for the matrix (default: up to
        the CPUs, at most 4). The plan does not depend on it under an iteration limit.
    cache_dir
        Where built road networks are cached (default: the network module's).

    Returns
    -------
    Plan
        The week; ``plan.stats`` holds the seconds of each stage (``seconds_<stage>``). The same
        scenario, seed and iteration limit give the same plan.

    Raises
    ------
    routing.errors.InputError
        If an input (scenario, register, containers, OSM source) cannot be used; the message
        names the file, row and field.
    routing.progress.Cancelled
        If ``cancel`` was cancelled.
    """
    reporter = Reporter(on_progress, cancel, scenario.language)
    return run(scenario, reporter=reporter, workers=workers, cache_dir=cache_dir)


def write_outputs(
    plan: Plan,
    out_dir: Path,
    *,
    formats: Collection[str] = ALL_FORMATS,
    language: str | None = None,
    offline: bool = False,
    driver_url: str | None = None,
    driver_key: str | None = None,
    on_progress: ProgressCallback | None = None,
    cancel: CancelToken | None = None,
) -> list[Path]:
    """Write a plan's outputs into ``out_dir``, as a whole.

    Everything is written into a temporary folder beside ``out_dir``, which is renamed into place
    at the end: a crash or a cancel leaves the previous ``out_dir`` as it was, never a mixture.
    Files in ``out_dir`` that no format writes (a README) are kept.

    Parameters
    ----------
    plan
        From :func:`plan_week`.
    out_dir
        The output folder (created if needed).
    formats
        Any of :data:`ALL_FORMATS`: "summary" (``summary.json``), "stops" (``stops.csv``),
        "routes" (``routes.geojson``), "map" (``week.html``), "sheets" (``sheets/*.pdf``),
        "gpx", "kml", "geojson" (``gpx/<day>-<vehicle>.*``), "geocoding" (``geocoding.csv``, the
        register's rows to fix, with ``.geojson`` and ``-aliases.csv``), "screenshots" (``week.png`` and
        ``sheet.png``, where Chromium and pdftoppm are installed).
    language
        Language of the map, sheets and messages (default: the scenario's).
    offline
        Bundle the map's JavaScript/CSS beside ``week.html`` instead of loading it from the web.
    driver_url
        Where each vehicle-day's driver page is, as a template: an ``http(s)://`` address with
        fields ``{stem}`` (``<day>-<vehicle-slug>``, the sheet's file name), ``{day}``,
        ``{vehicle}``, ``{date}`` (`routing.links`), e.g.
        ``"https://taza.example.kg/plans/12/driver/{stem}"``. Each driver sheet's QR code then
        holds its day's address. Default None: the QR code names the day's GPX file, and the
        sheet says so.
    driver_key
        The secret key of a ``{token}`` field in ``driver_url``: each address then carries its
        vehicle-day's capability token (`routing.links.link_token`; the web service's driver
        links open without signing in).
    on_progress
        Called with the "outputs" stage's events (one per format).
    cancel
        Checked before each format; a cancel raises `routing.progress.Cancelled` and writes
        nothing.

    Returns
    -------
    list of pathlib.Path
        The files written, at their final place in ``out_dir``.

    Raises
    ------
    routing.errors.InputError
        If a format is unknown, ``driver_url`` is not a valid template, or ``out_dir`` is a file
        or a folder of other things.
    routing.progress.Cancelled
        If ``cancel`` was cancelled.
    """
    unknown = sorted(set(formats) - set(FORMATS))
    if unknown:
        msg = "unknown output format(s) {unknown}; known: {known}"
        known = ", ".join(FORMATS)
        raise InputError(msg, field="formats", unknown=", ".join(unknown), known=known)
    if driver_url is not None:
        check_driver_url(driver_url, key=driver_key)
    options = OutputOptions(
        language=language or plan.scenario.language,
        offline=offline,
        driver_url=driver_url,
        driver_key=driver_key,
    )
    reporter = Reporter(on_progress, cancel, options.language)
    chosen = [name for name in FORMATS if name in set(formats)]
    out_dir = Path(out_dir).absolute()
    timings: dict[str, float] = {}
    written: list[Path] = []
    with (
        reporter.stage("outputs", timings, fractions=True),
        atomic_folder(out_dir, owned=OWNED_NAMES) as tmp,
    ):
        for k, name in enumerate(chosen):
            reporter.check()
            reporter.emit("outputs", k / len(chosen), FORMATS[name].files)
            paths = FORMATS[name].writer(plan, tmp, options)
            written += [out_dir / p.relative_to(tmp) for p in paths]
        reporter.check()
    return written


def redraw_sheets(
    plan_dir: Path,
    *,
    out_dir: Path | None = None,
    language: str | None = None,
    driver_url: str | None = None,
    driver_key: str | None = None,
    on_progress: ProgressCallback | None = None,
    cancel: CancelToken | None = None,
) -> list[Path]:
    """Draw the driver sheets of a saved plan again: the same routes, stops and times.

    The plan is read from ``plan_dir/plan.json`` (`routing.planfile`, written with the plan's
    outputs), not planned again: new driver links (another ``driver_key``) or another language.
    The sheets folder is written whole: the new sheets go into a temporary folder beside it, which
    takes its place at the end (`routing.atomic.atomic_folder`); other files there are kept, the
    old sheets are not.

    Parameters
    ----------
    plan_dir
        A plan's output folder (holding ``plan.json``), or the plan file itself.
    out_dir
        The sheets folder (default: ``<plan_dir>/sheets``).
    language
        ``"ky"``, ``"ru"`` or ``"en"`` (default: the plan's scenario's).
    driver_url, driver_key
        The driver-page template for the QR codes and the secret of its ``{token}``, as for
        :func:`write_outputs`.
    on_progress, cancel
        Progress events (stage "outputs", one per sheet) and the token that stops it (the
        folder is then left as it was).

    Returns
    -------
    list of Path
        The sheets, in the plan's vehicle-day order.

    Raises
    ------
    routing.errors.InputError
        If there is no saved plan, it cannot be read, ``driver_url`` is not a valid template,
        or ``out_dir`` is a file or a folder of other things.
    routing.progress.Cancelled
        If ``cancel`` was cancelled.
    """
    from routing.exports import file_stem
    from routing.planfile import read_plan_file
    from routing.sheets import write_driver_sheets

    if driver_url is not None:
        check_driver_url(driver_url, key=driver_key)
    plan = read_plan_file(plan_dir)
    folder = Path(plan_dir) if Path(plan_dir).is_dir() else Path(plan_dir).parent
    target = Path(out_dir if out_dir is not None else folder / "sheets").absolute()
    reporter = Reporter(on_progress, cancel, language or plan.scenario.language)
    owned = {f"{file_stem(vd)}.pdf" for vd in plan.vehicle_days}
    owned |= {p.name for p in target.glob("*.pdf")} if target.is_dir() else set()

    def step(done: int, total: int) -> None:
        reporter.check()
        reporter.emit("outputs", done / total, f"{done + 1}/{total}")

    with reporter.stage("outputs", {}, fractions=True), atomic_folder(target, owned=owned) as tmp:
        paths = write_driver_sheets(
            plan, tmp, language=reporter.language, driver_url=driver_url, driver_key=driver_key,
            before_each=step,
        )  # fmt: skip
        reporter.check()
    return [target / p.relative_to(tmp) for p in paths]
