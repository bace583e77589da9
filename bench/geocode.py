"""Geocoding quality and speed on the embedded register, against its ground truth.

Run: ``.venv/bin/python -m bench.geocode``. Writes ``bench/results/geocode.md``.

Quality: every row of ``data/taza-aimak/households.csv`` is geocoded offline against a gazetteer
built from ``data/taza-aimak/taza-aimak.osm`` and compared with ``households_truth.csv`` (joined on
``№``). A row is *correct at street level or better* when it is located by coordinates within 50 m of
the true house, or matched (house / interpolated / street) to the true village and street. It is
*wrong* when it is matched at house, interpolated or street level to another street or village, or
located by coordinates more than 50 m off. House-level matches more than 30 m from the true house are
counted apart ("house too far"). Speed: the register replicated to 10,000 rows, the gazetteer built
once (its build time is reported apart), median of 3 runs.
"""

from __future__ import annotations

import datetime as dt
import math
import os
import platform
import re
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np
import pandas as pd

from bench._files import write_text

REPO = Path(__file__).resolve().parents[1]
DATA = REPO / "data" / "taza-aimak"
OUT = REPO / "bench" / "results" / "geocode.md"
_MISSED_COLUMNS = ["source_row", "village", "street", "house", "match_level", "reason"]
_LEVELS = ("coordinates", "house", "interpolated", "street", "village", None)


def _metres(lon1: np.ndarray, lat1: np.ndarray, lon2: np.ndarray, lat2: np.ndarray) -> np.ndarray:
    kx = 111_320.0 * np.cos(np.radians(lat2))
    return np.hypot((lon1 - lon2) * kx, (lat1 - lat2) * 110_574.0)


def _fmt_m(x: object) -> str:
    return "– (no row)" if not isinstance(x, float) or math.isnan(x) else f"{x:.1f}"


def evaluate(out: pd.DataFrame, truth: pd.DataFrame) -> dict[str, object]:
    """Compare a geocoded register with the truth table (same order, joined on household id)."""
    t = truth.set_index(truth["№"].astype(str)).loc[out["household_id"].astype(str)]
    level = out["match_level"].where(out["match_level"].notna(), None).to_numpy(dtype=object)
    px = np.array([g.x if g is not None else np.nan for g in out.geometry])
    py = np.array([g.y if g is not None else np.nan for g in out.geometry])
    dist = _metres(px, py, t["lon"].to_numpy(float), t["lat"].to_numpy(float))
    same_v = out["matched_village"].to_numpy(dtype=object) == t["village"].to_numpy(dtype=object)
    same_s = out["matched_street"].to_numpy(dtype=object) == t["street"].to_numpy(dtype=object)
    named = np.isin(level, ["house", "interpolated", "street"])
    by_coords = level == "coordinates"
    correct = (named & same_v & same_s) | (by_coords & (dist <= 50))
    wrong = (named & ~(same_v & same_s)) | (by_coords & ~(dist <= 50))
    house_far = (level == "house") & same_v & same_s & (dist > 30)
    reachable = t["best_level"].isin(["house", "street"]).to_numpy()
    n = len(out)
    res: dict[str, object] = {
        "rows": n,
        "levels": {str(lv): int(np.sum(level == lv)) for lv in _LEVELS},
        "correct": int(correct.sum()),
        "correct_share": float(correct.mean()),
        "correct_share_reachable": float(correct[reachable].mean()),
        "reachable": int(reachable.sum()),
        "wrong": int(wrong.sum()),
        "house_far": int(house_far.sum()),
        "median_error_house_m": float(np.nanmedian(dist[level == "house"])),
        "p95_error_house_m": float(np.nanpercentile(dist[level == "house"], 95)),
        "median_error_interp_m": float(np.nanmedian(dist[level == "interpolated"]))
        if np.any(level == "interpolated")
        else math.nan,
        "wrong_rows": out.loc[wrong, ["source_row", "village", "street", "house", "match_level"]],
        "missed_rows": out.loc[reachable & ~correct, _MISSED_COLUMNS],
    }
    return res


def holdout(gaz, reg: pd.DataFrame, truth: pd.DataFrame, *, share: float, seed: int) -> dict:  # type: ignore[no-untyped-def,type-arg]
    """Remove a share of the house numbers from the gazetteer; geocode the rows that lived there.

    Measures interpolation: the removed houses must be placed between their neighbours, on the
    right street, near their true position.
    """
    import copy

    from routing.geocode import geocode_households

    g = copy.deepcopy(gaz)
    rng = np.random.default_rng(seed)
    removed: set[tuple[str, str, str]] = set()
    for v in g.villages.values():
        for st in v.streets.values():
            for key in sorted(st.houses):
                if rng.random() < share:
                    del st.houses[key]
                    removed.add((v.name, st.name, key))
            keep = {k for k in st.houses}
            st.numbered = [t for t in st.numbered if str(t[0]) in keep]
    t = truth.set_index(truth["№"].astype(str))
    from routing.normalize import parse_house

    mask = [
        (t.at[h, "village"], t.at[h, "street"], parse_house(str(t.at[h, "house"])).key) in removed
        and not (isinstance(c, float) and not math.isnan(c))
        for h, c in zip(reg["household_id"].astype(str), reg["lat"], strict=True)
    ]
    sub = reg[np.asarray(mask, dtype=bool)].copy()
    out = geocode_households(sub, g)
    ev = evaluate(out, truth)
    lv = out["match_level"].to_numpy(dtype=object)
    tt = t.loc[out["household_id"].astype(str)]
    px = np.array([p.x if p is not None else np.nan for p in out.geometry])
    py = np.array([p.y if p is not None else np.nan for p in out.geometry])
    err = _metres(px, py, tt["lon"].to_numpy(float), tt["lat"].to_numpy(float))
    inter = lv == "interpolated"
    return {
        "rows": len(out),
        "levels": ev["levels"],
        "wrong": ev["wrong"],
        "interp_median_m": float(np.median(err[inter])) if inter.any() else math.nan,
        "interp_p95_m": float(np.percentile(err[inter], 95)) if inter.any() else math.nan,
        "street_median_m": float(np.median(err[lv == "street"]))
        if (lv == "street").any()
        else math.nan,
    }


def exact_baseline(gaz, reg: pd.DataFrame, truth: pd.DataFrame) -> dict:  # type: ignore[no-untyped-def,type-arg]
    """Peer: a geocoder that only accepts names exactly as on the map (case and spaces ignored).

    Shows what the normalisation and fuzzy matching add. Coordinates are not used by it.
    """

    def canon(x: object) -> str:
        return " ".join(str(x).casefold().split()) if isinstance(x, str) else ""

    villages = {canon(n): v for v in gaz.villages.values() for n in v.names}
    t0 = time.perf_counter()
    streets, ok_street, ok_house, wrong = [], 0, 0, 0
    t = truth.set_index(truth["№"].astype(str))
    for rec in reg.itertuples():
        v = villages.get(canon(rec.village))
        st = None
        if v is not None:
            st = next(
                (s for s in v.streets.values() if canon(rec.street) in map(canon, s.names)), None
            )
        streets.append(st)
        if st is None:
            continue
        tr = t.loc[str(rec.household_id)]
        if st.village == tr["village"] and st.name == tr["street"]:
            ok_street += 1
            ok_house += int(canon(rec.house) in st.houses)
        else:
            wrong += 1
    return {
        "correct": ok_street,
        "house": ok_house,
        "wrong": wrong,
        "rows": len(reg),
        "seconds": time.perf_counter() - t0,
    }


def _without_streets(gaz, *, share: float, seed: int):  # type: ignore[no-untyped-def]
    """A copy of the gazetteer with a seeded share of its named streets removed, and which
    (village, street) those were."""
    import copy

    g = copy.deepcopy(gaz)
    rng = np.random.default_rng(seed)
    removed: set[tuple[str, str]] = set()
    for v in g.villages.values():
        for sid in sorted(v.streets):
            if sid and rng.random() < share:
                removed.add((v.name, v.streets[sid].name))
                del v.streets[sid]
    return g, removed


def missing_streets(
    gaz, reg: pd.DataFrame, truth: pd.DataFrame, *, share: float, seed: int
) -> dict:  # type: ignore[no-untyped-def,type-arg]
    """Remove a share of the streets from the gazetteer; geocode the rows that lived on them.

    Their true street is no longer on the map, so any match at house, interpolated or street level
    is a wrong street: this measures false positives of the fuzzy matching. The right answer is
    the village level (or an unmatched row).
    """
    from routing.geocode import geocode_households

    g, removed = _without_streets(gaz, share=share, seed=seed)
    t = truth.set_index(truth["№"].astype(str))
    mask = [
        (t.at[h, "village"], t.at[h, "street"]) in removed and math.isnan(lat)
        for h, lat in zip(reg["household_id"].astype(str), reg["lat"], strict=True)
    ]
    sub = reg[np.asarray(mask, dtype=bool)]
    out = geocode_households(sub, g)
    lv = out["match_level"].to_numpy(dtype=object)
    named = np.isin(lv, ["house", "interpolated", "street"])
    return {
        "streets": len(removed),
        "rows": len(out),
        "wrong": int(named.sum()),
        "village": int(np.sum(lv == "village")),
        "unmatched": int(np.sum(lv == None)),  # noqa: E711
        "examples": out.loc[named, ["street", "matched_street"]].head(10),
    }


def _typed_addresses(path: Path, *, seed: int) -> list[dict]:  # type: ignore[type-arg]
    """Every addressed building of an OSM file as a register row, typed with seeded variations
    (see :func:`real_osm_register`); ``true_street`` and ``true_village`` keep what was meant."""
    import osmium

    rng = np.random.default_rng(seed)
    rows: list[dict] = []  # type: ignore[type-arg]
    for obj in osmium.FileProcessor(str(path)).with_locations():
        if not isinstance(obj, osmium.osm.Way | osmium.osm.Node):
            continue
        tags = {t.k: t.v for t in obj.tags}
        if not (tags.get("addr:street") and tags.get("addr:housenumber") and tags.get("addr:city")):
            continue
        street = tags["addr:street"]
        r = rng.random()
        if r < 0.2:
            street = street.lower()
        elif r < 0.4 and "straße" in street:
            street = street.replace("straße", rng.choice(["str.", "strasse", " Str."]))
        elif r < 0.55 and len(street) > 6:
            i = int(rng.integers(1, len(street) - 2))
            street = street[:i] + street[i + 1] + street[i] + street[i + 2 :]
        elif r < 0.65 and len(street) > 6:
            i = int(rng.integers(1, len(street) - 1))
            street = street[:i] + street[i + 1 :]
        house = tags["addr:housenumber"]
        if rng.random() < 0.2:
            house = re.sub(r"(\d)([a-z])", r"\1 \2", house)
        rows.append(
            {"household_id": str(len(rows) + 1), "source_row": len(rows) + 2,
             "village": tags["addr:city"], "street": street, "house": house, "head": None,
             "members": 4, "lat": math.nan, "lon": math.nan,
             "true_street": tags["addr:street"], "true_village": tags["addr:city"]}
        )  # fmt: skip
    return rows


def real_osm_register(*, seed: int) -> dict | None:  # type: ignore[type-arg]
    """A register typed from the real addresses of north-bayreuth-clip-landfill.osm.bz2.

    Every addressed building becomes a row (village = its addr:city, street, house number) with
    seeded typing variations: lower case, "Str."/"Strasse" for "Straße", one transposed or dropped
    letter in the street, "5 a" for "5a". Not tuned on: it checks that the matcher generalises beyond
    the synthetic Kyrgyz data. Correct = the row's own street and village.
    """
    from routing.geocode import Gazetteer, geocode_households

    path = REPO.parent / "shared" / "data" / "osm" / "north-bayreuth-clip-landfill.osm.bz2"
    if not path.exists():
        return None
    reg = pd.DataFrame(_typed_addresses(path, seed=seed))
    gaz = Gazetteer.from_osm(path)
    out = geocode_households(reg.drop(columns=["true_street", "true_village"]), gaz)
    lv = out["match_level"].to_numpy(dtype=object)
    named = np.isin(lv, ["house", "interpolated", "street"])
    same = (
        out["matched_street"].to_numpy(dtype=object) == reg["true_street"].to_numpy(dtype=object)
    ) & (
        out["matched_village"].to_numpy(dtype=object) == reg["true_village"].to_numpy(dtype=object)
    )
    # The same rows against a map from which 30 % of the streets were removed: rows of a removed
    # street must not land on another one.
    g2, gone = _without_streets(gaz, share=0.3, seed=seed + 1)
    lost = np.array(
        [(tv, ts) in gone for tv, ts in zip(reg["true_village"], reg["true_street"], strict=True)]
    )
    sub = reg[lost].drop(columns=["true_street", "true_village"])
    out2 = geocode_households(sub, g2)
    named2 = out2["match_level"].isin(["house", "interpolated", "street"]).to_numpy()
    return {
        "rows": len(reg),
        "house": int(np.sum(lv == "house")),
        "correct": int(np.sum(named & same)),
        "wrong": int(np.sum(named & ~same)),
        "village_or_none": int(np.sum(~named)),
        "missing_rows": len(sub),
        "missing_wrong": int(named2.sum()),
        "missing_seed": seed + 1,
    }


def _speed(reg: pd.DataFrame, gaz) -> tuple[list[float], float]:  # type: ignore[no-untyped-def]
    """10,000 rows (the register replicated, ids made unique), fresh matcher each run: the three
    runs' seconds and the peak Python memory (MiB) of a fourth."""
    from routing.geocode import geocode_households

    reps = math.ceil(10_000 / len(reg))
    big = pd.concat([reg] * reps, ignore_index=True).iloc[:10_000].copy()
    big["household_id"] = [f"r{i}" for i in range(len(big))]
    times = []
    for _ in range(3):
        t1 = time.perf_counter()
        geocode_households(big, gaz)
        times.append(time.perf_counter() - t1)
    tracemalloc.start()
    geocode_households(big, gaz)
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    return times, peak


def _head(q: dict[str, object], n: int) -> list[str]:
    """Title, command and versions, then the rows per match level."""
    import rapidfuzz
    import shapely

    levels = q["levels"]
    assert isinstance(levels, dict)
    lines = [
        "# Geocoding: quality and speed on the embedded register",
        "",
        f"Command: `.venv/bin/python -m bench.geocode` · {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC",
        f"· Python {platform.python_version()}, rapidfuzz {rapidfuzz.__version__}, "
        f"shapely {shapely.__version__}, {platform.machine()} (2 shared cores).",
        "",
        f"Register `data/taza-aimak/households.csv` ({n} rows, synthetic, messy spellings) against "
        "`households_truth.csv`; gazetteer from `taza-aimak.osm` (synthetic stand-in).",
        "",
        "| match level | rows | share |",
        "|---|---:|---:|",
    ]
    for lv in _LEVELS:
        c = levels[str(lv)]
        lines.append(f"| {lv or 'unmatched'} | {c} | {c / n:.1%} |")
    return lines


def _measures(  # type: ignore[no-untyped-def]
    q, n: int, *, osm: Path, build_s: float, times: list[float], peak: float, cold_s: float
) -> list[str]:
    """The quality and speed figures' table."""
    med = statistics.median(times)
    return [
        "",
        "| measure | value |",
        "|---|---:|",
        f"| correct at street level or better (all rows) | {q['correct']} / {n} = "
        f"{q['correct_share']:.2%} |",
        f"| correct, among rows whose truth is locatable to a street ({q['reachable']}) | "
        f"{q['correct_share_reachable']:.2%} |",
        f"| **wrong** (other street or village at house/interpolated/street level; coordinates "
        f"> 50 m off) | **{q['wrong']}** |",
        f"| house-level matches > 30 m from the true house | {q['house_far']} |",
        f"| house level: median / p95 error (m) | {q['median_error_house_m']:.1f} / "
        f"{q['p95_error_house_m']:.1f} |",
        f"| interpolated: median error (m) | {_fmt_m(q['median_error_interp_m'])} |",
        f"| gazetteer build from OSM ({osm.stat().st_size / 2**20:.1f} MB XML) | {build_s:.2f} s |",
        f"| 10,000 rows geocoded: median of 3 (runs {', '.join(f'{x:.2f}' for x in times)} s) | "
        f"{med:.2f} s = {10_000 / med:,.0f} rows/s |",
        f"| peak Python memory while geocoding 10,000 rows (tracemalloc) | {peak:.0f} MiB |",
        f"| first call, {n} rows, all caches cold | {cold_s:.2f} s = {n / cold_s:,.0f} rows/s |",
        "",
        "The 10,000 rows replicate the register, so repeated spellings hit the per-run cache of "
        "village and street matches; the cold first call is the rate for a register of new spellings.",
        "",
    ]


def _holdout_lines(hold: dict) -> list[str]:  # type: ignore[type-arg]
    """The interpolation check: house numbers removed from the gazetteer."""
    lines = [
        f"**Interpolation** (10 % of the house numbers removed from the gazetteer, seed 1; the "
        f"{hold['rows']} register rows without coordinates whose house was removed):",
        "",
        "| level | rows |",
        "|---|---:|",
    ]
    for lv in _LEVELS:
        lines.append(f"| {lv or 'unmatched'} | {hold['levels'][str(lv)]} |")
    return [
        *lines,
        "",
        f"Interpolated position error: median {hold['interp_median_m']:.1f} m, p95 "
        f"{hold['interp_p95_m']:.1f} m; street-level fallbacks (no neighbour on one side): median "
        f"{hold['street_median_m']:.0f} m from the house. Wrong: **{hold['wrong']}**.",
        "",
    ]


def _missing_lines(gone: dict, real: dict | None) -> list[str]:  # type: ignore[type-arg]
    """Streets removed from the map (embedded register), and the real-address check."""
    lines = [
        f"**Streets missing from the map** (30 % of the named streets, {gone['streets']}, removed "
        f"from the gazetteer, seed 3; the {gone['rows']} rows without coordinates that lived on "
        "them must not be matched to another street):",
        "",
        "| rows | matched to another street (wrong) | village level | unmatched |",
        "|---:|---:|---:|---:|",
        f"| {gone['rows']} | **{gone['wrong']}** | {gone['village']} | {gone['unmatched']} |",
        "",
    ]
    ex = gone["examples"]
    if len(ex):
        lines += ["Wrong matches (register spelling -> matched street):", ""]
        lines += [f"- {r.street} -> {r.matched_street}" for r in ex.itertuples()]
        lines += [""]
    if real is not None:
        lines += [
            "**Generality check on real OSM addresses** (north-bayreuth-clip-landfill.osm.bz2: each "
            "of its addressed buildings typed as a register row with seeded variations — lower case, "
            "Str./Strasse, a transposed or dropped letter, `5 a`; not used for tuning):",
            "",
            "| rows | house level | correct street and village | wrong | village level or "
            "unmatched |",
            "|---:|---:|---:|---:|---:|",
            f"| {real['rows']} | {real['house']} | {real['correct']} "
            f"({real['correct'] / real['rows']:.1%}) | **{real['wrong']}** | "
            f"{real['village_or_none']} |",
            "",
            f"With 30 % of its streets removed from the map (seed {real['missing_seed']}), "
            f"{real['missing_rows']} of "
            f"these rows lost their street: **{real['missing_wrong']}** of them were matched to "
            "another street.",
            "",
        ]
    return lines


def _peer_lines(q: dict[str, object], base: dict, n: int) -> list[str]:  # type: ignore[type-arg]
    """The goal, the exact-names peer beside this geocoder, then the rows missed or wrong."""
    levels = q["levels"]
    assert isinstance(levels, dict)
    lines = [
        "Goal (issue 4): ≥ 98 % correct at street level or better, 0 wrong, 10,000 rows < 10 s.",
        "",
        "**Peer in the same run: exact names only** (village and street accepted only when written "
        "exactly as a name on the map, case and spaces ignored; no coordinates). No other offline "
        "geocoder runs here: Nominatim and Photon need a server with imported data.",
        "",
        "| geocoder | correct street | at the house | wrong | correct share | ratio |",
        "|---|---:|---:|---:|---:|---:|",
        f"| exact names | {base['correct']} | {base['house']} | {base['wrong']} | "
        f"{base['correct'] / n:.1%} | 1.00 |",
        f"| this geocoder (street level or better, incl. coordinates) | {q['correct']} | "
        f"{levels['house'] + levels['coordinates']} | {q['wrong']} | {q['correct_share']:.1%} | "
        f"{int(q['correct']) / max(int(base['correct']), 1):.2f} |",  # type: ignore[call-overload]
    ]
    missed = q["missed_rows"]
    assert isinstance(missed, pd.DataFrame)
    if len(missed):
        lines += ["", "Rows locatable to a street but not matched there (first 15):", ""]
        lines += [
            "| row | village | street | house | level | reason |",
            "|---|---|---|---|---|---|",
        ]
        for r in missed.head(15).itertuples():
            lines.append(
                f"| {r.source_row} | {r.village} | {r.street} | {r.house} | {r.match_level} | "
                f"{r.reason} |"
            )
    wrong_rows = q["wrong_rows"]
    assert isinstance(wrong_rows, pd.DataFrame)
    if len(wrong_rows):
        lines += ["", "Wrong rows:", ""]
        lines += [f"- row {r.source_row}: {r.village} / {r.street} / {r.house} ({r.match_level})"
                  for r in wrong_rows.head(30).itertuples()]  # fmt: skip
    return lines


def main() -> None:
    """Run the benchmark and write bench/results/geocode.md."""
    from routing.geocode import Gazetteer, geocode_households
    from routing.register import read_households

    osm = DATA / "taza-aimak.osm"
    t0 = time.perf_counter()
    gaz = Gazetteer.from_osm(osm)
    build_s = time.perf_counter() - t0
    reg = read_households(DATA / "households.csv")
    truth = pd.read_csv(DATA / "households_truth.csv", dtype={"house": str})
    t_cold = time.perf_counter()
    out = geocode_households(reg, gaz)  # first call in the process: every cache cold
    cold_s = time.perf_counter() - t_cold
    q = evaluate(out, truth)
    base = exact_baseline(gaz, reg, truth)
    hold = holdout(gaz, reg, truth, share=0.10, seed=1)
    gone = missing_streets(gaz, reg, truth, share=0.30, seed=3)
    real = real_osm_register(seed=2)
    times, peak = _speed(reg, gaz)

    n = int(q["rows"])  # type: ignore[call-overload]
    lines = [
        *_head(q, n),
        *_measures(q, n, osm=osm, build_s=build_s, times=times, peak=peak, cold_s=cold_s),
        *_holdout_lines(hold),
        *_missing_lines(gone, real),
        *_peer_lines(q, base, n),
        "",
        *corpus_section(gaz),
    ]
    OUT.parent.mkdir(parents=True, exist_ok=True)
    write_text(OUT, "\n".join(lines) + "\n")
    print("\n".join(lines))
    sys.stdout.flush()


CORPUS = REPO / "bench" / "corpus"
_CORPUS_FILES = ("register-utf8.csv", "register-cp1251.csv", "register.xlsx")


def corpus_outcomes(name: str, gaz=None) -> pd.DataFrame:  # type: ignore[no-untyped-def]
    """Geocode one independent corpus (see bench/geocode_corpus.py) and judge every row.

    Returns the truth table with ``outcome``: "right" (the true village and street, at street
    level or better), "wrong" (another street or village at street level or better) or
    "flagged" (not located at a street: left for a person to check). Rows whose street is not
    on the map are right only when flagged.
    """
    from routing.geocode import Gazetteer, geocode_households
    from routing.register import read_households

    gaz = gaz or Gazetteer.from_osm(DATA / "taza-aimak.osm")
    folder = CORPUS / name
    truth = pd.read_csv(folder / "truth.csv", dtype=str, keep_default_na=False)
    frames = [read_households(folder / f) for f in _CORPUS_FILES]
    reg = pd.concat(frames, ignore_index=True)
    out = geocode_households(reg, gaz)
    got = out.set_index(out["household_id"].astype(str))
    t = truth.set_index("id")
    got = got.loc[t.index]
    named = got["match_level"].isin(["house", "interpolated", "street"]).to_numpy()
    same = (got["matched_village"].to_numpy(dtype=object) == t["true_village"].to_numpy()) & (
        got["matched_street"].to_numpy(dtype=object) == t["true_street"].to_numpy()
    )
    on_map = (t["true_street"] != "").to_numpy()
    outcome = np.where(named & same, "right", np.where(named, "wrong", "flagged"))
    res = t.reset_index().copy()
    res["on_map"] = on_map
    res["outcome"] = outcome
    res["matched_village"] = got["matched_village"].to_numpy(dtype=object)
    res["matched_street"] = got["matched_street"].to_numpy(dtype=object)
    res["reason"] = got["reason"].to_numpy(dtype=object)
    res["read_village"] = got["village"].to_numpy(dtype=object)
    res["read_street"] = got["street"].to_numpy(dtype=object)
    return res


def corpus_table(res: pd.DataFrame) -> list[str]:
    """Markdown rows by kind of spelling: right / flagged / wrong, and the goal lines."""
    lines = [
        "| street | kind of spelling | rows | matched right | flagged | wrong |",
        "|---|---|---:|---:|---:|---:|",
    ]
    for (on, kind), g in res.groupby(["on_map", "kind"], sort=True):
        c = g["outcome"].value_counts()
        lines.append(
            f"| {'on the map' if on else 'not on the map'} | {kind} | {len(g)} | "
            f"{c.get('right', 0)} | {c.get('flagged', 0)} | {c.get('wrong', 0)} |"
        )
    on, off = res[res["on_map"]], res[~res["on_map"]]
    right = float((on["outcome"] == "right").mean())
    flagged = float((off["outcome"] == "flagged").mean())
    wrong = int((res["outcome"] == "wrong").sum())
    lines += [
        "",
        f"On the map: **{right:.1%}** matched right (goal ≥ 98 %), "
        f"**{int((on['outcome'] == 'wrong').sum())}** wrong (goal 0). Not on the map: "
        f"**{flagged:.1%}** flagged (goal ≥ 98 %), **{int((off['outcome'] == 'wrong').sum())}** "
        f"matched to a street (wrong). Wrong in all: {wrong}.",
    ]
    return lines


def _timed_run(frame: pd.DataFrame, cache_dir: str) -> tuple[float, float]:
    """One cold run in a fresh process: the gazetteer from its cache, then the rows timed.

    Returns wall-clock and CPU seconds (CPU time is less disturbed by other work on the machine).
    """
    from routing.geocode import Gazetteer, geocode_households

    gaz = Gazetteer.from_osm(DATA / "taza-aimak.osm", cache_dir=cache_dir)
    t0, c0 = time.perf_counter(), time.process_time()
    geocode_households(frame, gaz)
    return time.perf_counter() - t0, time.process_time() - c0


def fresh_speed(
    *, rows: int = 10_000, seed: int = 404, runs: int = 3, lists: str = "tuning"
) -> list[tuple[float, float]]:
    """Seconds to geocode ``rows`` fresh spellings (new corpus rows, not a register repeated).

    Every run is cold: a new process (spawned) with no name cache, loading the gazetteer from
    its on-disk cache; only `geocode_households` is timed. ``lists`` names the corpus whose
    hand-written lists and kinds of spelling the draw uses ("tuning2" adds the newer habits).
    """
    import tempfile
    from concurrent.futures import ProcessPoolExecutor
    from multiprocessing import get_context

    from bench.geocode_corpus import LISTS, make_rows, read_map

    made = make_rows(read_map(), LISTS[lists], seed=seed, n=rows, off_share=0.2)
    frame = pd.DataFrame(
        {
            "household_id": [str(i) for i in range(len(made))],
            "source_row": range(2, len(made) + 2),
            "village": [r["village"] for r in made],
            "street": [r["street"] for r in made],
            "house": [r["house"] for r in made],
            "members": 4,
            "lat": math.nan,
            "lon": math.nan,
        }
    )
    times: list[tuple[float, float]] = []
    with tempfile.TemporaryDirectory() as cache_dir:
        for _ in range(runs):
            with ProcessPoolExecutor(max_workers=1, mp_context=get_context("spawn")) as pool:
                times.append(pool.submit(_timed_run, frame, cache_dir).result())
    return times


# The test set, then the sets the rules were developed on or whose misses have been read.
TEST_SET = "heldout3"
SEEN_SETS = (
    ("heldout2", "the previous test set: its misses were read after its first run (this session)"),
    ("tuning2", "written with the newer habits; the rules of this session were developed on it"),
    ("heldout", "seen: its first run led to two rule fixes"),
    ("tuning", "the first rules were developed on it"),
)


def _totals(name: str, note: str, res: pd.DataFrame) -> str:
    on, off = res[res["on_map"]], res[~res["on_map"]]
    return (
        f"| `{name}` | {note} | {len(on)} | {(on['outcome'] == 'right').mean():.1%} | "
        f"{int((on['outcome'] == 'wrong').sum())} | {len(off)} | "
        f"{(off['outcome'] == 'flagged').mean():.1%} | {int((off['outcome'] == 'wrong').sum())} |"
    )


def _speed_line(label: str, times: list[tuple[float, float]]) -> str:
    wall = statistics.median(t[0] for t in times)
    cpu = statistics.median(t[1] for t in times)
    return (
        f"| {label} | {', '.join(f'{t[0]:.2f}' for t in times)} | **{wall:.2f}** | "
        f"{', '.join(f'{t[1]:.2f}' for t in times)} | **{cpu:.2f}** |"
    )


def corpus_section(gaz) -> list[str]:  # type: ignore[no-untyped-def]
    """The independent corpora (issue 19): by kind of spelling, and the speed on fresh rows."""
    load_before = os.getloadavg()
    times = fresh_speed()
    times_new = fresh_speed(lists="tuning2")
    load_after = os.getloadavg()
    lines = [
        "## Independent address corpus (issue 19)",
        "",
        "Written by `bench/geocode_corpus.py` from the documented transliteration systems (BGN/PCGN "
        "Kyrgyz and Russian, ISO 9, ALA-LC, ICAO passports, Common Turkic; for `tuning2` and "
        "`heldout3` also Turkish orthography, the Kazakh Latin alphabets of 2017 and 2018, GOST "
        "7.79-2000 B, Uzbek Latin) and typing habits (no diacritics, oe/ue, look-alike letters, "
        "Russian forms, slips; for the two newer sets also volapuk, the wrong keyboard layout, the "
        "type word first or twice), not from the synthetic generator's spelling code, with its own "
        "truth; split over a UTF-8 CSV, a Windows-1251 CSV (letters cp1251 lacks saved as `?`, as "
        "Excel does) and an XLSX with house numbers stored as dates. *Right*: the true village and "
        "street at street level or better; *flagged*: left at the village or unmatched, for a "
        "person; *wrong*: another street or village.",
        "",
        f"### `{TEST_SET}` (seed 606; the test set of 2026-12-02: generated before that session's "
        "matcher changes and measured once at 06:20 UTC, 98.5 % right, 0 wrong, 100 % flagged; its "
        "misses were then read and two general faults fixed (53c143a), so figures from any later "
        "run are of a seen set, and the next test needs a new held-out corpus)",
        "",
        *corpus_table(corpus_outcomes(TEST_SET, gaz)),
        "",
        "### Seen sets (tuning: the rules were developed on them or their misses were read)",
        "",
        "| set | status | rows on the map | right | wrong | rows not on the map | flagged | wrong |",
        "|---|---|---:|---:|---:|---:|---:|---:|",
        *(_totals(name, note, corpus_outcomes(name, gaz)) for name, note in SEEN_SETS),
        "",
        "**Speed**: 10,000 fresh rows (a new corpus draw, seed 404, 20 % not on the map), every "
        "run cold (a new process, no name cache; the gazetteer from its disk cache), seconds:",
        "",
        "| draw | wall, 3 runs | median | CPU, 3 runs | median |",
        "|---|---|---:|---|---:|",
        _speed_line("lists and kinds of `tuning`", times),
        _speed_line("lists and kinds of `tuning2` (newer habits)", times_new),
        "",
        "Goal < 2 s. The machine is shared (2 cores); the 1/5/15-minute load average was "
        f"{'/'.join(f'{x:.1f}' for x in load_before)} before the speed runs and "
        f"{'/'.join(f'{x:.1f}' for x in load_after)} after them: wall time includes waiting for "
        "the CPU; CPU time is the fairer figure.",
        "",
    ]
    return lines


if __name__ == "__main__":
    main()
