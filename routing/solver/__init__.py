"""Vehicle routing for waste collection: a model, engines that solve it, and an independent checker."""

from routing.solver.control import Cancelled
from routing.solver.model import (
    Client,
    Depot,
    Landfill,
    Lunch,
    Model,
    Result,
    Route,
    Unserved,
    VehicleType,
    Visit,
)
from routing.solver.params import SolveParams


def compile_searches() -> None:
    """Compile the solver's numba kernels (the string removals), or load them from numba's cache,
    before a clock starts: the first compile takes several seconds. Imported on call, so that
    ``import routing.solver`` stays light (no numba, no PyVRP)."""
    from routing.solver._strings import warm

    warm()


__all__ = [
    "Cancelled",
    "Client",
    "Depot",
    "Landfill",
    "Lunch",
    "Model",
    "Result",
    "Route",
    "SolveParams",
    "Unserved",
    "VehicleType",
    "Visit",
    "compile_searches",
]
