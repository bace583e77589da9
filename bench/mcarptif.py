"""Street-collection benchmark: the MCARPTIF Lpr-IF instances against Willemse's heuristics.

Run ``.venv/bin/python -m bench.mcarptif`` (options: ``--instances Lpr_IF-b-01,...``,
``--time-limit 60``, ``--runs 3`` (seeds 1..N of ours), ``--peers PS,LS,TS`` or ``none``,
``--peer-python PATH``, ``--quick``, ``--heldout-dir DIR``). Writes ``bench/results/mcarptif.md``
and the solutions of the median run of ours and of the peer's tabu search to
``bench/solutions/<instance>[.willemse-ts].json``.

Ours: :func:`routing.readers.mcarptif.mcarptif_to_model` solved with ``workers=1`` (one process,
one core) for ``--time-limit`` seconds. The peer (github:ejwillemse/mcarptif @ 3ba9f67, source in
``../shared/peers/mcarptif``) is copied to a temporary folder, given its own virtualenv there
(``cython<3``, numpy, pandas) and run by ``bench/mcarptif_peer.py``, one instance and method at a
time in one process, in a thread beside ours, so both share the machine in the same run. The peer's
path-scanning (PS) and local search (LS) are quick; its tabu search (TS) runs to its own end (up to
8 minutes). Every solution, ours and the peer's, is re-checked by
:func:`routing.readers.mcarptif_check.check_routes` from the instance file; the figures in the
tables are the checker's, never a solver's.

Tuning and test sets: the ``a`` instances are the tuning set (the choices made on them: the fleet
offered, :func:`routing.readers.mcarptif.default_fleet_size`); the ``b`` instances are the test set,
on which the goal is judged (total cost at most the tabu search's, vehicles at most its, by the
median of ours over seeds, at equal CPU: one core each). Held-out sets: ``--heldout-dir DIR`` runs
every ``.txt`` of a folder kept outside the repository (instances never tuned on, run once), in a
table of their own; their solutions are not written to ``bench/solutions`` (whose files others
check against the instances beside the repository).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

from bench._files import write_text
from routing.readers.mcarptif import (
    McarptifInstance,
    Step,
    mcarptif_to_model,
    read_mcarptif,
    solve_mcarptif,
)
from routing.readers.mcarptif_check import CheckReport, check_routes
from routing.solver.checker import check

REPO = Path(__file__).resolve().parents[1]
DATA = REPO.parent / "shared" / "data" / "bench" / "mcarptif"
PEER_SOURCE = REPO.parent / "shared" / "peers" / "mcarptif"
PEER_HOME = Path(tempfile.gettempdir()) / "taza-bench-mcarptif-peer"
"""Where the peer's copy and virtualenv live between runs (outside the project)."""
RESULTS = REPO / "bench" / "results" / "mcarptif.md"
SOLUTIONS = REPO / "bench" / "solutions"
DRIVER = Path(__file__).resolve().parent / "mcarptif_peer.py"

TUNING = ["Lpr_IF-a-01", "Lpr_IF-a-02", "Lpr_IF-a-03", "Lpr_IF-a-04", "Lpr_IF-a-05"]
TEST = ["Lpr_IF-b-01", "Lpr_IF-b-02", "Lpr_IF-b-03", "Lpr_IF-b-04", "Lpr_IF-b-05"]
METHODS = ("PS", "LS", "TS")
PEER_TIMEOUT_S = 3600.0
"""A peer run taking longer is stopped (its tabu search needs up to 8 minutes on Lpr_IF-a-05)."""


@dataclass
class Run:
    """One solver run on one instance, as the checker sees it."""

    solver: str
    report: CheckReport | None
    runtime_s: float
    routes: list[list[Step]]
    note: str = ""
    cpu_s: float | None = None
    """Processor time of the solve, where measured: under load a wall-clock limit buys less."""

    @property
    def feasible(self) -> bool:
        """Whether a solution came back and the checker found nothing wrong."""
        return self.report is not None and self.report.ok


def peer_routes_to_steps(inst: McarptifInstance, routes: list[list[list[int]]]) -> list[list[Step]]:
    """The peer's decoded routes (``[0, u, v]`` a serviced link, ``[1, node, node]`` a dump) as steps.

    A serviced link ``u -> v`` is matched to an arc ``(u,v)`` or an edge ``{u,v}`` not yet used
    (parallel streets are told apart by order); a link that matches no task stays an unknown step
    (index -1) for the checker to report.
    """
    free: dict[tuple[int, int], list[tuple[int, bool]]] = {}
    for k, t in enumerate(inst.tasks):
        free.setdefault((t.u, t.v), []).append((k, False))
        if t.edge:
            free.setdefault((t.v, t.u), []).append((k, True))
    used: set[int] = set()
    out: list[list[Step]] = []
    for route in routes:
        steps: list[Step] = []
        for kind, u, v in route:
            if kind == 1:
                steps.append(("dump", u, False))
                continue
            match = next((c for c in free.get((u, v), []) if c[0] not in used), None)
            if match is None:
                steps.append(("task", -1, False))
                continue
            used.add(match[0])
            steps.append(("task", match[0], match[1]))
        out.append(steps)
    return out


def prepare_peer(*, python: str | None = None) -> tuple[str, Path]:
    """A Python with the peer's requirements and a writable copy of the peer's source.

    The copy and the virtualenv go to :data:`PEER_HOME` (reused by later runs; the peer compiles
    its Cython parts there on first import).
    """
    src = PEER_HOME / "peer"
    if not src.exists():
        PEER_HOME.mkdir(parents=True, exist_ok=True)
        shutil.copytree(PEER_SOURCE, src)
        for path in [src, *src.rglob("*")]:
            path.chmod(path.stat().st_mode | 0o200)  # the shared copy is read-only
    if python is None:
        venv = PEER_HOME / "venv"
        if not (venv / "ok").exists():
            subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
            pip = [str(venv / "bin" / "python"), "-m", "pip", "install", "-q"]
            subprocess.run([*pip, "cython<3", "numpy", "pandas"], check=True)
            (venv / "ok").write_text("installed\n")
        python = str(venv / "bin" / "python")
    return python, src


def run_peer(
    inst: McarptifInstance, method: str, *, python: str, peer_dir: Path, out_dir: Path
) -> Run:
    """Run one of the peer's methods on one instance and check what it returns."""
    out = out_dir / f"{inst.path.stem}-{method}.json"
    t0 = time.monotonic()
    try:
        proc = subprocess.run(
            [python, str(DRIVER), str(inst.path), method, str(out)],
            cwd=peer_dir,
            capture_output=True,
            text=True,
            timeout=PEER_TIMEOUT_S,
        )
    except subprocess.TimeoutExpired:
        return Run(method, None, time.monotonic() - t0, [], f"stopped after {PEER_TIMEOUT_S:.0f} s")
    if proc.returncode != 0 or not out.exists():
        tail = (proc.stderr or proc.stdout).strip().splitlines()[-1:] or ["no output"]
        return Run(method, None, time.monotonic() - t0, [], f"failed: {tail[0][:120]}")
    got = json.loads(out.read_text())
    routes = peer_routes_to_steps(inst, got["routes"])
    report = check_routes(
        inst, routes, claimed_cost=got["total_cost"], claimed_vehicles=got["vehicles"]
    )
    verdict = str(got["self_test"]).rstrip(": ")
    note = "" if verdict == "passed" else f"its own solution test {verdict[:100]}"
    cpu = got.get("solve_cpu_s")
    return Run(method, report, float(got["solve_s"]), routes, note, cpu)


def run_ours(inst: McarptifInstance, *, time_limit_s: float, seed: int) -> Run:
    """Solve with one worker (:func:`solve_mcarptif`); check the routes and the raw plan."""
    t0, cpu0 = time.monotonic(), time.process_time()
    solution = solve_mcarptif(inst, time_limit_s=time_limit_s, seed=seed, workers=1)
    runtime, cpu = time.monotonic() - t0, time.process_time() - cpu0
    result = solution.result
    report = check_routes(
        inst, solution.routes, claimed_cost=solution.cost, claimed_vehicles=solution.vehicles
    )
    notes = [f"{len(result.unserved)} unserved"] if result.unserved else []
    model_violations = check(mcarptif_to_model(inst), result)
    if model_violations:
        notes.append(f"model checker: {model_violations[0].message}")
    if solution.cost < result.cost - 1e-6:
        notes.append(f"dumps re-placed: {result.cost:.0f} -> {solution.cost:.0f}")
    return Run(f"ours (seed {seed})", report, runtime, solution.routes, "; ".join(notes), cpu)


def median_run(runs: list[Run]) -> Run:
    """The median run by (vehicles, cost); infeasible runs count as worst."""

    def key(run: Run) -> tuple[int, float]:
        if run.report is None or not run.report.ok:
            return (10**9, float("inf"))
        return (run.report.vehicles, run.report.cost)

    ordered = sorted(runs, key=key)
    return ordered[(len(ordered) - 1) // 2]


def _peer_thread(bench: _Bench, peer_dir: Path, out_dir: Path) -> threading.Thread:
    """Start the peer's runs (one at a time, in ``bench.names`` order) in a thread; each result
    lands in ``bench.peers`` as it ends."""
    assert bench.peer_python is not None
    python = bench.peer_python

    def work() -> None:
        for name in bench.names:
            inst = read_mcarptif(bench.paths[name])
            for method in bench.methods:
                run = run_peer(inst, method, python=python, peer_dir=peer_dir, out_dir=out_dir)
                bench.peers[(name, method)] = run
                print(f"peer {name} {method}: {_fig(run)} ({run.runtime_s:.1f} s)", flush=True)

    thread = threading.Thread(target=work, daemon=True)
    thread.start()
    return thread


def _fig(run: Run | None) -> str:
    """``cost / vehicles`` as checked, or why there is none."""
    if run is None:
        return "—"
    if run.report is None:
        return run.note or "no solution"
    text = f"{run.report.cost:.0f} / {run.report.vehicles}"
    return text if run.report.ok else f"{text} (infeasible: {run.report.violations[0].message})"


def _table(
    names: list[str],
    ours: dict[str, list[Run]],
    peers: dict[tuple[str, str], Run],
    methods: list[str],
    paths: dict[str, Path],
) -> list[str]:
    cols = ["instance", "tasks", "ours: median cost / vehicles (runs)", "ours CPU s"]
    cols += [f"{m} cost / vehicles (wall, CPU)" for m in methods]
    cols += ["ours / TS cost", "goal met"]
    lines = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    for name in names:
        runs = ours.get(name, [])
        if not runs:
            lines.append(f"| {name} | pending |" + " |" * (4 + len(methods)))
            continue
        mid = median_run(runs)
        each = ", ".join(
            f"{r.report.cost:.0f}/{r.report.vehicles}" if r.report is not None else "none"
            for r in runs
        )
        cells = [name, str(len(read_mcarptif(paths[name]).tasks))]
        ok = all(r.feasible for r in runs)
        cells.append(f"{_fig(mid)} ({each}){'' if ok else ' **a run failed the checker**'}")
        cpus = sorted(r.cpu_s for r in runs if r.cpu_s is not None)
        cells.append(f"{cpus[(len(cpus) - 1) // 2]:.0f}" if cpus else "—")
        for m in methods:
            run = peers.get((name, m))
            extra = ""
            if run is not None and run.report:
                cpu = f", CPU {run.cpu_s:.1f} s" if run.cpu_s is not None else ""
                extra = f" ({run.runtime_s:.1f} s{cpu})"
            note = f" [{run.note}]" if run is not None and run.note and run.report else ""
            cells.append((_fig(run) if run is not None else "pending") + extra + note)
        ts = peers.get((name, "TS"))
        if ts is not None and ts.feasible and mid.report is not None and ts.report is not None:
            ratio = mid.report.cost / ts.report.cost
            met = (
                ok
                and mid.report.cost <= ts.report.cost + 1e-6
                and mid.report.vehicles <= ts.report.vehicles
            )
            cells += [f"{ratio:.4f}", "yes" if met else "**no**"]
        else:
            cells += ["—", "—"]
        lines.append("| " + " | ".join(cells) + " |")
    return lines


def _versions(peer_python: str | None) -> str:
    ours = ", ".join(f"{p} {metadata.version(p)}" for p in ("pyvrp", "ortools", "numpy", "scipy"))
    if peer_python is None:
        return ours
    code = (
        "import Cython, numpy, pandas, platform; print(f'Python {platform.python_version()}, "
        "Cython {Cython.__version__}, numpy {numpy.__version__}, pandas {pandas.__version__}')"
    )
    got = subprocess.run([peer_python, "-c", code], capture_output=True, text=True)
    return f"{ours}; peer: {got.stdout.strip() or 'versions unknown'}"


def _git_head() -> str:
    got = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True
    )
    return got.stdout.strip() or "unknown"


def _save(name: str, suffix: str, run: Run) -> None:
    if run.report is None:
        return
    data: dict[str, Any] = {
        "instance": name,
        "solver": run.solver,
        "total_cost": run.report.cost,
        "vehicles": run.report.vehicles,
        "feasible": run.report.ok,
        "routes": [[list(step) for step in route] for route in run.routes],
        "format": "steps: ['task', task index (arcs then edges, file order), reversed] or "
        "['dump', node, false]; each route starts and ends at the depot",
    }
    write_text(SOLUTIONS / f"{name}{suffix}.json", json.dumps(data, indent=1) + "\n")


@dataclass
class _Bench:
    """The state of one run; its report is rewritten after every run that ends."""

    args: argparse.Namespace
    argv: list[str] | None
    names: list[str]
    methods: list[str]
    paths: dict[str, Path]
    heldout: bool = False
    peer_python: str | None = None
    started: float = 0.0
    code: str = ""
    load_at_start: str = ""

    def __post_init__(self) -> None:
        self.ours: dict[str, list[Run]] = {}
        self.peers: dict[tuple[str, str], Run] = {}
        self.started = time.monotonic()
        self.code = _git_head()
        self.load_at_start = _load()

    def write(self, *, done: bool) -> None:
        lines = _report(self)
        elapsed = time.monotonic() - self.started
        if done:
            lines.append(f"Total wall time of the run: {elapsed:.0f} s; {self._load_note()}.")
        else:
            lines.append(f"**Run in progress** ({elapsed:.0f} s so far): cells marked pending.")
        write_text(self.args.output, "\n".join(lines) + "\n")

    def _load_note(self) -> str:
        return (
            f"load average (1, 5, 15 min) {self.load_at_start} at the start, {_load()} at the end"
        )


def _load() -> str:
    return "/".join(f"{x:.1f}" for x in os.getloadavg())


def _order(paths: dict[str, Path], *, heldout: bool = False) -> list[str]:
    """The test (or held-out) set first, largest first (its tabu search is the long pole and
    judges the goal), then the tuning set, smallest first."""
    size = {n: p.stat().st_size for n, p in paths.items()}
    test = sorted((n for n in paths if heldout or n in TEST), key=lambda n: -size[n])
    return test + sorted((n for n in paths if n not in test), key=lambda n: size[n])


def _paths(args: argparse.Namespace, parser: argparse.ArgumentParser) -> dict[str, Path] | None:
    """The instances to run by name: every ``.txt`` of ``--heldout-dir``, else ``--instances``
    from the shipped folder (None, with a message, when some are missing)."""
    if args.heldout_dir is not None:
        found = sorted(args.heldout_dir.glob("*.txt"))
        if not found:
            parser.error(f"--heldout-dir {args.heldout_dir}: no .txt instance files")
        return {p.stem: p for p in found}
    names = [n.strip() for n in args.instances.split(",") if n.strip()]
    if args.quick:
        names = ["Lpr_IF-a-01", "Lpr_IF-b-01"]
    if bad := sorted(set(names) - set(TUNING + TEST)):
        parser.error(f"unknown instances {bad}; allowed: {TUNING + TEST}")
    missing = [n for n in names if not (DATA / f"{n}.txt").exists()]
    if missing:
        print(f"instances not found in {DATA}: {missing}; nothing to do", file=sys.stderr)
        return None
    return {n: DATA / f"{n}.txt" for n in names}


def main(argv: list[str] | None = None) -> None:
    """Run the street-collection benchmark and write ``bench/results/mcarptif.md``."""
    parser = argparse.ArgumentParser(prog="python -m bench.mcarptif", description=__doc__)
    parser.add_argument("--instances", default=",".join(TUNING + TEST))
    parser.add_argument("--time-limit", type=float, default=60.0, help="seconds per run of ours")
    parser.add_argument("--runs", type=int, default=3, help="seeds 1..N of ours; medians shown")
    parser.add_argument("--peers", default=",".join(METHODS), help="of PS,LS,TS, or 'none'")
    parser.add_argument("--peer-python", help="a Python with the peer's requirements")
    parser.add_argument("--quick", action="store_true", help="10 s, one run, two small instances")
    parser.add_argument("--output", type=Path, default=RESULTS)
    parser.add_argument(
        "--heldout-dir",
        type=Path,
        help="a folder of held-out instance files (every .txt is one; --instances is ignored): "
        "instances kept outside the repository, run once to judge the goal on files never tuned on",
    )
    args = parser.parse_args(argv)
    if args.quick:
        args.time_limit, args.runs = 10.0, 1
    methods = [] if args.peers == "none" else [m.strip().upper() for m in args.peers.split(",")]
    if bad := sorted(set(methods) - set(METHODS)):
        parser.error(f"unknown peer methods {bad}; allowed: PS, LS, TS, none")
    paths = _paths(args, parser)
    if paths is None:
        return
    heldout = args.heldout_dir is not None
    bench = _Bench(args, argv, _order(paths, heldout=heldout), methods, paths, heldout)
    with tempfile.TemporaryDirectory() as out_dir:
        thread = None
        if methods:
            bench.peer_python, peer_dir = prepare_peer(python=args.peer_python)
            thread = _peer_thread(bench, peer_dir, Path(out_dir))
        for name in bench.names:
            inst = read_mcarptif(paths[name])
            for seed in range(1, args.runs + 1):
                run = run_ours(inst, time_limit_s=args.time_limit, seed=seed)
                bench.ours.setdefault(name, []).append(run)
                print(f"ours {name} seed {seed}: {_fig(run)} ({run.runtime_s:.1f} s)", flush=True)
                bench.write(done=False)
        while thread is not None and thread.is_alive():
            seen = len(bench.peers)
            thread.join(timeout=20)
            if len(bench.peers) != seen:
                bench.write(done=False)
    for name in [] if heldout else bench.names:  # held-out files stay outside the repository
        _save(name, "", median_run(bench.ours[name]))
        if (name, "TS") in bench.peers:
            _save(name, ".willemse-ts", bench.peers[(name, "TS")])
    bench.write(done=True)
    print(f"wrote {args.output}", file=sys.stderr)


def _report(bench: _Bench) -> list[str]:
    args, names, ours, peers = bench.args, bench.names, bench.ours, bench.peers
    command = f".venv/bin/python -m bench.mcarptif {' '.join(bench.argv or sys.argv[1:])}"
    lines = [
        "# Street collection (MCARPTIF, Lpr-IF) against Willemse's heuristics",
        "",
        f"Command: `{command.rstrip()}`",
        f"Date: {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC. Machine: {platform.machine()}, "
        f"{os.cpu_count()} cores shared with other work (figures are noisy). "
        f"Python {platform.python_version()}; {_versions(bench.peer_python)}. "
        f"Code: commit {bench.code}.",
        f"Ours: `solve_mcarptif(read_mcarptif(f), time_limit_s={args.time_limit:g}, seed=s, "
        f"workers=1)` (the routing model's `solve`, then the best dump places for each route's "
        f"order), seeds 1 to {args.runs}, one process (one core); the median run by "
        "vehicles then cost is shown, every run in brackets (cost/vehicles). Peer: "
        "github:ejwillemse/mcarptif @ 3ba9f67 (`../shared/peers/mcarptif`), single-threaded and "
        "seedless, one run per method, in a thread beside ours in the same run (so each has about "
        "one core): PS = extended path-scanning, LS = PS + local search, TS = PS + tabu search, "
        "each to its own end (wall and processor time of its solve in brackets). `ours CPU s` is "
        "the median processor time of our runs: a wall-clock limit buys less of it when the "
        "machine is loaded. Every figure is the cost and vehicle count "
        "recomputed by `routing.readers.mcarptif_check` from the instance file; a solver's own "
        "figure that differs is reported as infeasible.",
        "",
    ]
    groups = (
        [("Held-out set", names)] if bench.heldout else [("Test set", TEST), ("Tuning set", TUNING)]
    )
    for title, group in groups:
        chosen = [n for n in names if n in group]
        if chosen:
            table = _table(chosen, ours, peers, bench.methods, bench.paths)
            lines += [f"### {title}", "", *table, ""]
    lines += [
        "Notes:",
        "",
        "- Goal (issue 20, item 5): at 60 s on one core, total cost at most the tabu search's and "
        "vehicles at most its. "
        + (
            "Here it is judged on a held-out set: files kept outside the repository, never tuned "
            "on, run once. "
            if bench.heldout
            else "It is judged on the test set (`b` instances); "
        )
        + "the tuning set (`a` instances) is where the model's choices were made (fleet offered: "
        "`default_fleet_size`). The peer's tabu search has no time limit and runs up to minutes.",
        "- Total cost = the sum of route durations: service (a constant of the instance), "
        "deadheading on shortest paths and `DUMPING_COST` per unloading.",
        "- The 2 cores are shared with other engineers' tests and benches: times and the work "
        "done in 60 s vary between runs; seeds give medians for ours, the peer is seedless. "
        "Equal CPU means one process each at the same time; where the load average is far above "
        "2, both get a fraction of a core, which shortens our 60 s search but not the peer's "
        "search, which runs to its own end.",
        "",
    ]
    return lines


if __name__ == "__main__":
    main()
