"""Vehicle routing for waste collection: a model, engines that solve it, and an independent checker."""

from routing.solver._strings import warm as compile_searches
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
