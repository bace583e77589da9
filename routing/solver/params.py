"""The solver's tuning: one frozen parameters object, as PyVRP's ``SolveParams``.

Every constant that shapes the search lives here with its default and the evidence for it; the
engines read them from the object passed to :meth:`routing.solver.model.Model.solve` (or
:func:`routing.solver.engine.solve`), never from module variables, so that the tuning bench
(``python -m bench tuning``) can try other values by passing another object, and two solves in one
process never influence each other. The defaults were chosen on the tuning instances named in
``BENCHMARKS.md``.
"""

from __future__ import annotations

from dataclasses import dataclass, fields


@dataclass(frozen=True)
class SolveParams:
    """Tuning of the search; the defaults are the project's choice.

    Parameters
    ----------
    neighbours
        Granular neighbourhood of PyVRP's local search where time windows are loose (PyVRP's
        default is 50). Half as many candidate moves per client give about 2.3× the iterations,
        which in runs of a minute buys more than the wider moves: 1051_stop's data at 16 vehicles,
        60 s, seed 2, 18,499 → 42,395 iterations and 1,967.7 → 1,934.3 miles; 20 and 30 did about
        as well as 25, 10 cut too deep (2,142 against 1,995 miles at 20 s). Through the whole engine (bench/results/tuning.md) 25 against
        50 gave 1051_stop medians of 1,946 against 1,969 miles at 60 s, X-n1001 +1.47 % against
        +1.78 % at 30 s.
    neighbours_tight
        The neighbourhood where every client's window is tight (less than half of the working day);
        in between the size is interpolated by the share of tight windows. RC1_10_1 at 30 s needed
        100 routes (+7.45 % over the best known) at 25 neighbours, 95 at 40 (+4.6 %) and at 50
        (+3.9 %).
    day_neighbours
        Neighbours of the time-based neighbourhood the daily-load search (mode ``day``) builds
        itself (PyVRP's own reads the distance matrix, which then holds loads). At 25 2100_stop
        needed a 17th vehicle.
    history_length
        Late-acceptance history of PyVRP's iterated local search (its default is 300). In runs of
        seconds a shorter memory settles sooner: X-n1001 at 30 s, 300 → about +3.0 %, 100 → about
        +1.9 % over the best known, one seed each. The best length depends on the instance: on
        captured fixed-fleet data at 55 s, 1599_stop at 13 vehicles did better at 300 (seeds 1-6,
        median 1,775 against 1,817 km) and 1051_stop at 16 worse (seeds 1-4, 3,185 against 3,124
        km). In the whole engine the trips job at 300 gave 1599_stop 1,120 / 1,108 / 1,108 miles
        against 1,134 / 1,089 / 1,104 (seeds 1-3): no gain, so 100 stays.
    small_history_length
        The late-acceptance history of our searches on a small waste-collection model: one with a
        lunch, a stop limit or a daily load above one trip (the searches PyVRP cannot state
        exactly), of at most ``small_max_clients`` clients. Such a search makes hundreds of
        iterations per client in 30 s, where the longer memory of PyVRP's default (300) no longer
        settles too late. Chosen on Kim's 277_stop (275 clients, 3 vehicles), 30 s of processor
        time per search process (2026-12-02, ``BENCHMARKS.md``; a tuning-set figure: there is no
        Kim test set): one worker, seeds 1-5, 445.12 / 444.79 / 445.87 / 446.34 / 446.00 miles
        (median 445.87) against 448.29 / 447.05 / 446.43 / 445.25 / 445.38 (446.43) at 100; two
        workers, seed pairs 1-3, 445.40 / 445.51 / 446.27 (445.51) against 448.08 / 446.59 /
        445.40 (446.59); 102_stop kept its 150.51 miles (seeds 1-3). Not taken there: 50
        neighbours (446.72 / 447.58, seeds 1-2), one search with the whole time at one worker
        (448.01 / 473.52). The planner's day searches keep ``history_length``
        (``routing.pipeline.DAY_SEARCH``).
    small_max_clients
        The most clients a waste-collection model may have for ``small_history_length`` to apply
        (the same size up to which PyVRP makes its exhaustive pass, ``exhaustive_max_clients``):
        of Kim's instances 102_stop and 277_stop; 444_stop and larger keep ``history_length``,
        whose evidence (above) is from instances of a thousand clients and more.
    exhaustive_max_clients
        Up to this many clients PyVRP makes its exhaustive pass on every new best (above, the pass
        costs seconds early on nearly every iteration).
    aggregate_share
        Largest share of a trip's capacity (and of the shortest shift in service time, and of the
        fewest stops a vehicle may make) that stops at one place may make up when they are searched
        as one client (1599_stop has 1,596 stops at 867 places: seed 1 at 60 s went from 13 /
        1,127.7 to 13 / 1,051.4 miles, 804_stop from 5 / 569.7 to 4 / 563.1). Larger shares pack
        trips more coarsely.
    shrink_try
        Share of the time limit one attempt to do the work with a vehicle fewer may take (wall
        clock only; under an iteration limit each attempt has the iteration limit). A fleet that can
        shrink usually does within a second or two; a failing attempt used to run to 75 % of the
        limit and leave the smallest fleet little time for its distance (1599_stop at 60 s, three
        seeds: 1,143 → 1,109 miles on average, the same 13 vehicles).
    keep
        Share of the time left that the search jobs may use; the rest is for verification and
        repair (verifying 1599_stop takes 0.07 s; at 0.90 a thousand-client search stopped 6 s
        early).
    ortools_max_clients
        Up to this many clients the second job ends with OR-Tools polishing a PyVRP plan under the
        exact rules; above it OR-Tools is too slow to help in seconds.
    reinsert_positions
        Cheapest positions per route and direction that are timed when re-inserting a client.
    plain_pyvrp
        Where PyVRP states every rule of the model exactly (no lunch, no stop limit, one trip a
        day), the objective is the distance alone and clients have time windows, run PyVRP's own
        search as ``pyvrp.solve`` does (its start and neighbourhood, one seed per worker) instead of ours.
        Chosen on the VRPTW tuning set (R1_10_2, RC1_10_2 at 30 s: +10.15 % and +8.79 % over the
        best known against +16.11 % and +10.09 % with our phases; ``BENCHMARKS.md``); False
        restores our phases there.
    plain_history_length
        Late-acceptance history of that search where routes are short (below
        ``plain_long_route_clients``; PyVRP's default is 300); above
        ``exhaustive_max_clients`` clients it also skips PyVRP's exhaustive pass on each new best.
        Chosen on the VRPTW tuning set (R1_10_2, RC1_10_2) at 30 s of processor time, one
        process, seeds 1-2, against PyVRP's defaults (2026-12-02, ``BENCHMARKS.md``): R1_10_2
        49,824 / 49,704 against 50,696 / 50,955; RC1_10_2 44,873 / 44,960 against 45,414 /
        45,731. The history does it: without the exhaustive pass at 300, 50,890 and 45,579
        (seed 1); with it at 100, 50,127 and 44,940 (seed 1, fewer iterations: four runs
        shared the two cores).
    plain_long_route_clients
        Clients a route can hold, as the instance tells before any search (the least of the
        vehicle's capacity over the mean demand and its shift over the mean time a client takes:
        service plus the trip from its nearest other client), at or above which that search keeps
        PyVRP's own history (``plain_long_history_length``) instead of ``plain_history_length``.
        The Gehring-Homberger tuning instances fall in two groups: type 1 (capacity 200) 11.0-11.2
        clients a route, type 2 (capacity 700-1,000) 36.6-56.1; 20 lies between, and nothing
        between 11.2 and 36.6 was measured.
    plain_long_history_length
        The late-acceptance history of that search where routes are long: PyVRP's own 300. The
        exhaustive pass stays off above ``exhaustive_max_clients``, so on long routes the search
        is PyVRP's default but for that pass, which there costs 6-11 % of the iterations (R2_10_4
        27,483 against 29,190 in 30 s). Measured on the
        type-2 tuning instances, 30 s of processor time per run (so the other engineers' load did
        not change the work), seed 1, history / exhaustive pass, best distance (2026-12-02,
        ``BENCHMARKS.md``; R2_10_4, RC2_10_3 and C2_10_2 ran with 40 neighbours by mistake of the
        scratch script, RC2_10_1 and C2_10_1 with PyVRP's 50):

        ========== ============== ========== ========== ==========
        instance   per route      300 / on   300 / off  100 / off
        ========== ============== ========== ========== ==========
        R2_10_4    55.2           18,905.8   18,691.3   19,059.4
        RC2_10_3   56.1           20,325.9   20,294.1   20,399.7
        C2_10_2    36.6           16,873.8   16,843.8   16,739.9
        RC2_10_1   56.1           28,677.3   28,496.3   28,343.0
        C2_10_1    36.6           17,178.1   17,350.5   17,217.2
        ========== ============== ========== ========== ==========

        Without the pass (300 / off) the search beat PyVRP's defaults (300 / on) on four of five
        (by 0.2-1.1 %; C2_10_1, measured after the rule was fixed, the other way by 1.0 %); the
        short history was best on two, worst on two (on R2_10_4 its best had not changed since
        20 s): where routes are long the short history gives no edge that holds, so PyVRP's is
        kept. One seed each: a small edge, not a tuned optimum.
    plain_long_penalty_scale
        Where routes are long (``plain_long_route_clients``), the plain search starts PyVRP's
        penalties at this many times the data's own exchange rates instead of the midpoint of
        PyVRP's range (50,000 a unit whatever the data): a unit of time warp at the mean arc cost
        over the mean arc duration, a unit of excess load at the mean arc cost over the mean
        client demand, a unit of excess distance at 1 (``routing.solver._pyvrp._start_penalties``;
        in the engine's fine load units the load start is PyVRP's floor of 0.1, so loads stay all
        but hard as from PyVRP's own start). PyVRP lowers its penalties by a tenth every 500
        iterations while most candidates are feasible, so from the midpoint a 30 s run on 1,000
        clients is feasible-only to the end (R2_10_1: a time warp penalty of 40,500 after 1,000
        iterations, 48 after 33,000); from the data's rate it can cross infeasible plans at once.
        0 keeps PyVRP's start; short routes always keep it. Measured through the engine
        (``Model.solve``, 27,000 iterations, about a quiet 30 s, so the other engineers' load did
        not change the work; 2026-12-02, ``BENCHMARKS.md``), on the nine type-2 tuning instances,
        seeds 1 and 2, distance at 3 against 0 (PyVRP's start):

        ========== ==================== ====================
        instance   seed 1               seed 2
        ========== ==================== ====================
        C2_10_1    16,978.8 / 17,350.5  16,978.8 / 17,291.6
        C2_10_2    16,493.5 / 16,792.7  16,486.0 / 16,494.7
        C2_10_6    16,484.5 / 16,495.0  16,464.0 / 16,472.0
        R2_10_1    37,212.7 / 37,247.8  37,198.3 / 37,220.2
        R2_10_4    18,611.7 / 18,489.7  18,760.5 / 18,494.0
        R2_10_6    29,471.9 / 29,684.2  29,427.5 / 29,565.0
        RC2_10_1   28,415.5 / 28,415.1  28,504.5 / 28,431.3
        RC2_10_3   20,139.0 / 20,191.8  20,124.6 / 20,268.4
        RC2_10_6   26,194.7 / 26,056.6  26,179.5 / 26,175.8
        ========== ==================== ====================

        Shorter on 12 of 18 (instance, seed) pairs, by 0.3 % on average; on the three C2
        instances on all six (0.05-2.1 %), on R2 and RC2 on 6 of 12 with a mean of 0.05 %: an
        edge on the clustered class only, none measurable on R2 and RC2 (R2_10_4 longer on both
        seeds). With a scratch copy of PyVRP's search on ``pyvrp.read``'s data (whose coarser load
        units let the load's start come down with the time warp's; seed 1, 27,000 iterations) a
        start of 30 times the rate was longer than 3 on five of the six instances tried.
    plain_meetings
        With two or more workers on that search, how many times the jobs meet, evenly spaced over
        each job's time (or iterations): after 1 / (n + 1), 2 / (n + 1), ... of it they trade their
        bests and each searches the next leg from the best of all with a fresh seed
        (:mod:`routing.solver._exchange`); 0 keeps them independent (two searches of which the
        better is kept). One worker is never affected. One meeting (halfway) was chosen on the
        VRPTW tuning set (RC1_10_1, R1_10_2, RC1_10_2), two workers with seeds 1 and 2 and the
        iterations a quiet 30 s run makes (32,000 / 27,000 / 22,000 each, so the machine's load
        did not change the work; 2026-12-02, ``BENCHMARKS.md``): the better of the two ended at
        46,931.9 / 49,616.3 / 44,802.4 meeting once against 47,002.6 / 49,633.4 / 44,880.7
        independent (0.15, 0.03 and 0.17 % shorter). Three meetings against one, 30 s, two
        workers, seed pairs 1-4 (2026-12-03, ``BENCHMARKS.md``, eighth session): shorter on 8 of 12
        R2 pairs, 6 of 12 RC2, 0 of 4 C2 and 3 of 6 type-1 pairs (mean -0.12 % on type 2): no
        edge that holds, so one stays; seven were longer on 6 of 12 type-2 pairs (mean +0.10 %).
        Other settings for the second worker alone did not help (30 s of processor time, worker-2
        seeds 2 and 4 against history 100: history 50, 30 neighbours and at most 10
        perturbations were each worse on R1_10_2 or RC1_10_1).
    plain_long_ruin_share
        Where routes are long (``plain_long_route_clients``) and the model is one the string
        removals read (:func:`routing.solver._strings.supports`: one vehicle type costing its
        distance, one load dimension, required clients), this share of the plain search's time
        (or iterations) goes to string removals (SISR with simulated annealing,
        :mod:`routing.solver._strings`) from the PyVRP search's best; 0 turns them off. With two or
        more workers each job ends so after its last leg. Chosen on the type-2 Gehring-Homberger
        tuning instances (2026-12-03, twelfth session, ``BENCHMARKS.md``): through the engine,
        30 s, one worker, two runs side by side, 0.33 with the temperatures below against 0,
        same instance and seed: shorter on 20 of 29 pairs, mean -0.17 %, median -0.31 % (R2 9 of
        12, mean -0.30 %; RC2 7 of 12, -0.13 %; C2 4 of 5, +0.05 %). 0.5 (with 15 clients an
        iteration) was longer on five of six
        first pairs (R2_10_1, RC2_10_1, C2_10_1, seeds 1-2). PyVRP's moves shift at most three
        clients; a string removed and put back client by client moves chains between routes, at
        about a fifth of the cost of a PyVRP iteration.
    plain_long_ruin_iterations
        Under an iteration limit, string-removal iterations per plain-search iteration of their
        share (an iteration of theirs costs about a fifth of PyVRP's on a thousand clients: 0.15
        against 0.8 ms), so that a limit in iterations buys about what the same time would.
    strings_mean_removed
        Mean clients the string removals remove an iteration: the paper's 10 (Christiaens and
        Vanden Berghe 2020). 15 was no better on the first six tuning pairs (R2_10_1 -0.55 /
        +0.43 %, RC2_10_1 +0.03 / +0.38 % against the phase off).
    strings_max_string
        Longest string removed from one route: the paper's 10.
    strings_blink
        Chance to skip an insertion place when a removed client is put back: the paper's 0.01.
    strings_start_temperature
        The annealing's temperature at the start of the phase, as a share of the plan's mean arc
        (so the same in any unit): it accepts a plan longer by about that much often. 0.15 to
        0.005 (``strings_end_temperature``) against 0.05 to 0.003 and 0.02 to 0.001 on the first
        six tuning pairs: R2_10_1 -0.33 / -0.35 %, RC2_10_1 +0.37 / -0.48 % against -0.29 /
        +0.72 % and +0.48 / +0.13 % (0.05), and -0.23 / -0.35 %, +0.39 / -0.38 % (0.02). The
        paper's 100 to 1 (in the instance's units, about 2.7 to 0.03 mean arcs) is for runs of
        minutes from scratch, not seconds from a good plan.
    strings_end_temperature
        The temperature at the end of the phase, as a share of the mean arc; it falls
        exponentially from ``strings_start_temperature`` with the time (or iterations) spent.
    plateau_iterations
        When not 0, every PyVRP run also stops after this many iterations without a better best
        (PyVRP's ``NoImprovement``), whichever of it and the time or iteration limit comes first;
        a search that has settled, or a tightened model that finds nothing feasible, then ends
        early. An iteration count, so where it fires first the answer does not depend on the
        clock. 0 (the default, for the benchmarks, which compare at equal time) never stops on a
        plateau; the planner's day searches use ``routing.pipeline.DAY_SEARCH`` (the value
        chosen there and its evidence). OR-Tools (the ``hybrid`` job) keeps its time limit.
    """

    neighbours: int = 25
    neighbours_tight: int = 50
    day_neighbours: int = 40
    history_length: int = 100
    small_history_length: int = 300
    small_max_clients: int = 300
    exhaustive_max_clients: int = 300
    aggregate_share: float = 0.25
    shrink_try: float = 0.12
    keep: float = 0.96
    ortools_max_clients: int = 400
    reinsert_positions: int = 8
    plain_pyvrp: bool = True
    plain_history_length: int = 100
    plain_long_route_clients: float = 20.0
    plain_long_history_length: int = 300
    plain_long_penalty_scale: float = 3.0
    plain_meetings: int = 1
    plain_long_ruin_share: float = 0.33
    plain_long_ruin_iterations: float = 5.0
    strings_mean_removed: float = 10.0
    strings_max_string: int = 10
    strings_blink: float = 0.01
    strings_start_temperature: float = 0.15
    strings_end_temperature: float = 0.005
    plateau_iterations: int = 0

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if value < 0 or (f.type == "int" and value != int(value)):
                msg = f"SolveParams.{f.name}: must be a number >= 0, got {value!r}"
                raise ValueError(msg)
        for name in ("plain_long_ruin_share", "strings_blink"):
            if not 0 <= getattr(self, name) < 1:
                msg = f"SolveParams.{name}: must be in [0, 1), got {getattr(self, name)!r}"
                raise ValueError(msg)
        for name in ("aggregate_share", "shrink_try", "keep"):
            if not 0 < getattr(self, name) <= 1:
                msg = f"SolveParams.{name}: must be in (0, 1], got {getattr(self, name)!r}"
                raise ValueError(msg)
        for name in (
            "neighbours",
            "neighbours_tight",
            "day_neighbours",
            "history_length",
            "small_history_length",
            "plain_history_length",
            "plain_long_history_length",
        ):
            if getattr(self, name) < 1:
                msg = f"SolveParams.{name}: must be at least 1, got {getattr(self, name)!r}"
                raise ValueError(msg)
