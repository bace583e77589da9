"""Run Willemse's MCARPTIF heuristics on one instance; write what they return as JSON.

Runs in the peer's own virtualenv with the peer's source folder as the working directory (a
temporary copy of ``../shared/peers/mcarptif``); it imports nothing of this project.
It makes the peer's calls exactly as the peer's ``run_one.py`` and ``solve_store_instance`` do
(``gen_solution(info, True)``, then ``improve_solution(info, solution, method, nnFracLS=1,
nnFracTS=1)``; the peer's defaults), times them, and writes each route as the street links it
services and the dumping sites it visits, decoded through the peer's own ``info`` tables, so that
:mod:`routing.readers.mcarptif_check` can verify it from the instance file alone. Unlike
``run_one.py`` a failure of the peer's own solution test is recorded, not fatal: on Lpr_IF-b-05 its
tabu search returns feasible routes whose per-trip records its test then rejects.

usage: python mcarptif_peer.py INSTANCE.txt METHOD OUT.json   (METHOD: PS, LS or TS)
"""

from __future__ import annotations

import json
import os
import random
import shutil
import sys
import tempfile
import time
from typing import Any


def _decode(info: Any, solution: dict[Any, Any]) -> list[list[list[int]]]:
    """Each route as ``[kind, u, v]`` steps: kind 0 a serviced link ``u -> v``, 1 a dump at ``u``."""
    routes = []
    ifs = set(info.IFarcsnewkey)
    for k in range(solution["nVehicles"]):
        steps: list[list[int]] = []
        for t, trip in enumerate(solution[k]["Trips"]):
            for p, arc in enumerate(trip):
                arc = int(arc)
                if arc == info.depotnewkey or (t > 0 and p == 0 and arc in ifs):
                    continue  # the depot, and the dump a trip shares with the one before
                u, v = info.allIndexD[info.reqArcList[arc]]
                steps.append([1 if arc in ifs else 0, int(u), int(v)])
        routes.append(steps)
    return routes


def main() -> None:
    inst, method, out = sys.argv[1], sys.argv[2].upper(), sys.argv[3]
    random.seed(0)  # the peer never seeds; kept as run_one.py does
    sys.path.insert(0, os.getcwd())
    import numpy as np

    np.random.seed(0)
    from converter.load_data import load_instance
    from solver.py_solution_test import TestCLARPIFSolution
    from solver.solve import gen_solution, improve_solution

    with tempfile.TemporaryDirectory() as cache:
        # the peer caches its converted data beside the file: give it a copy
        local = os.path.join(cache, os.path.basename(inst))
        shutil.copy(inst, local)
        t0 = time.perf_counter()
        info = load_instance(local)
        t_load = time.perf_counter() - t0
        t1, cpu1 = time.perf_counter(), time.process_time()
        solution = gen_solution(info, True, test_solution=False)
        if method != "PS":
            solution = improve_solution(
                info, solution, method, test_solution=False, nnFracLS=1, nnFracTS=1
            )
        t_solve, cpu_solve = time.perf_counter() - t1, time.process_time() - cpu1
        self_test = "passed"
        try:
            TestCLARPIFSolution(info, solution, tollerance=0.1).testCLARPIF()
        except Exception as exc:  # the peer's own test; its verdict is reported, not trusted
            self_test = f"failed: {type(exc).__name__}: {exc}"
        result = {
            "method": method,
            "total_cost": float(solution["TotalCost"]),
            "vehicles": int(solution["nVehicles"]),
            "load_s": t_load,
            "solve_s": t_solve,
            "solve_cpu_s": cpu_solve,
            "self_test": self_test,
            "routes": _decode(info, solution),
        }
    with open(out, "w") as handle:
        json.dump(result, handle)
    print(f"RESULT {method} cost={result['total_cost']:.0f} K={result['vehicles']} {self_test}")


if __name__ == "__main__":
    main()
