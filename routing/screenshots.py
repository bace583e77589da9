"""Look at the outputs as a person would: the HTML map in headless Chromium, PDF pages as PNG.

Used by ``make plan`` to keep ``maps/week.png`` and ``maps/sheet.png`` beside the outputs, and by
the tests to check what a browser really loads (layers in the DOM, console errors, every network
request the page made, from Chromium's own net log). Needs the distribution's ``chromium`` and
``pdftoppm`` (poppler-utils); :func:`find_chromium` / :func:`find_pdftoppm` say whether they exist.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
)
# requests the browser makes on its own behalf, whatever the page (sign-in, clock, suggestions)
BROWSER_HOSTS = ("google.com", "gstatic.com", "googleapis.com", "gvt1.com")
_CONSOLE_RE = re.compile(r"CONSOLE[^\]]*\]\s*(.*)")


@dataclass
class PageLoad:
    """What headless Chromium saw when it opened a page."""

    dom: str
    console: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)

    @property
    def remote_requests(self) -> list[str]:
        """http(s) requests made for the page (the browser's own housekeeping left out)."""
        out = []
        for url in self.requests:
            parsed = urlparse(url)
            if parsed.scheme not in ("http", "https"):
                continue
            host = parsed.hostname or ""
            if any(host == h or host.endswith("." + h) for h in BROWSER_HOSTS):
                continue
            out.append(url)
        return sorted(set(out))


def find_chromium() -> str | None:
    """The Chromium executable on PATH, or None."""
    for name in CHROMIUM_NAMES:
        path = shutil.which(name)
        if path:
            return path
    return None


def find_pdftoppm() -> str | None:
    """The poppler ``pdftoppm`` executable on PATH, or None."""
    return shutil.which("pdftoppm")


def _chromium(chromium: str | None) -> str:
    exe = chromium or find_chromium()
    if exe is None:
        msg = "Chromium not found (install the 'chromium' package); looked for: " + ", ".join(
            CHROMIUM_NAMES
        )
        raise FileNotFoundError(msg)
    return exe


def load_page(
    html: str | Path, *, chromium: str | None = None, budget_ms: int = 5000, timeout_s: float = 90
) -> PageLoad:
    """Open a local HTML file in headless Chromium and report its DOM, console and requests.

    Parameters
    ----------
    html
        The file to open.
    chromium
        The browser executable (found on PATH when None).
    budget_ms
        Virtual time the page gets to run its scripts before the DOM is taken.
    timeout_s
        Wall-clock limit for the browser process.

    Returns
    -------
    PageLoad
    """
    html = Path(html).resolve()
    with tempfile.TemporaryDirectory(prefix="taza-chromium-") as tmp:
        netlog = Path(tmp) / "net.json"
        cmd = [
            _chromium(chromium),
            *CHROMIUM_FLAGS,
            f"--user-data-dir={tmp}/profile",
            "--enable-logging=stderr",
            "--v=0",
            f"--virtual-time-budget={budget_ms}",
            f"--log-net-log={netlog}",
            "--dump-dom",
            html.as_uri(),
        ]
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout_s, check=False)
        if proc.returncode != 0 and not proc.stdout:
            msg = f"chromium failed on {html} (exit {proc.returncode}): {proc.stderr[-2000:]}"
            raise RuntimeError(msg)
        console = [m.group(1) for m in _CONSOLE_RE.finditer(proc.stderr)]
        requests: list[str] = []
        if netlog.exists():
            text = netlog.read_text(encoding="utf-8", errors="replace").rstrip().rstrip(",")
            if not text.endswith("}"):
                text += "]}"  # a log cut short when the browser quits: close it
            try:
                events = json.loads(text).get("events", [])
            except json.JSONDecodeError:
                events = []
            for event in events:
                url = event.get("params", {}).get("url")
                if isinstance(url, str):
                    requests.append(url)
    return PageLoad(dom=proc.stdout, console=console, requests=requests)


def screenshot_html(
    html: str | Path,
    png: str | Path,
    *,
    width: int = 1400,
    height: int = 900,
    chromium: str | None = None,
    budget_ms: int = 5000,
    timeout_s: float = 90,
) -> Path:
    """A PNG screenshot of a local HTML file as headless Chromium renders it."""
    html = Path(html).resolve()
    png = Path(png).resolve()
    png.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="taza-chromium-") as tmp:
        cmd = [
            _chromium(chromium),
            *CHROMIUM_FLAGS,
            f"--user-data-dir={tmp}/profile",
            f"--window-size={width},{height}",
            f"--virtual-time-budget={budget_ms}",
            f"--screenshot={png}",
            html.as_uri(),
        ]
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout_s, check=False)
    if not png.exists():
        msg = f"chromium wrote no screenshot of {html} (exit {proc.returncode}): {proc.stderr[-2000:]}"
        raise RuntimeError(msg)
    return png


def render_pdf_page(
    pdf: str | Path, png: str | Path, *, page: int = 1, dpi: int = 80, timeout_s: float = 60
) -> Path:
    """Render one page of a PDF to PNG with poppler's ``pdftoppm``."""
    exe = find_pdftoppm()
    if exe is None:
        msg = "pdftoppm not found (install the 'poppler-utils' package)"
        raise FileNotFoundError(msg)
    png = Path(png)
    png.parent.mkdir(parents=True, exist_ok=True)
    root = png.with_suffix("")
    cmd = [exe, "-png", "-r", str(dpi), "-f", str(page), "-l", str(page), "-singlefile"]
    proc = subprocess.run(
        [*cmd, str(pdf), str(root)], capture_output=True, text=True, timeout=timeout_s, check=False
    )
    out = root.with_suffix(".png")
    if proc.returncode != 0 or not out.exists():
        msg = (
            f"pdftoppm failed on {pdf} page {page} (exit {proc.returncode}): {proc.stderr[-1000:]}"
        )
        raise RuntimeError(msg)
    if out != png:
        out.replace(png)
    return png


def write_screenshots(
    map_html: str | Path | None, sheet_pdf: str | Path | None, out_dir: str | Path
) -> list[Path]:
    """Keep ``week.png`` (the map) and ``sheet.png`` (page 1 of a packet) in ``out_dir``.

    Each is skipped, with no error, when its input is None or its tool is not installed: the
    screenshots are a convenience of ``make plan``, not part of the plan.
    """
    out = Path(out_dir)
    written = []
    if map_html is not None and find_chromium():
        written.append(screenshot_html(map_html, out / "week.png"))
    if sheet_pdf is not None and find_pdftoppm():
        written.append(render_pdf_page(sheet_pdf, out / "sheet.png", dpi=90))
    return written


def keep_screenshots(out_dir: str | Path) -> list[Path]:
    """After a run: screenshot ``<out_dir>/week.html`` and page 1 of the first driver packet.

    Writes ``week.png`` and ``sheet.png`` in ``out_dir`` (each only when its input and tool
    exist) and returns them.
    """
    out = Path(out_dir)
    html = out / "week.html"
    order = {d: i for i, d in enumerate(("mon", "tue", "wed", "thu", "fri", "sat", "sun"))}
    sheets = sorted(
        (out / "sheets").glob("*.pdf"), key=lambda p: (order.get(p.name[:3], 7), p.name)
    )
    return write_screenshots(html if html.exists() else None, sheets[0] if sheets else None, out)
