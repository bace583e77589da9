"""Vehicle routing for waste collection: a model, engines that solve it, and an independent checker."""

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

__all__ = [
    "Client",
    "Depot",
    "Landfill",
    "Lunch",
    "Model",
    "Result",
    "Route",
    "Unserved",
    "VehicleType",
    "Visit",
]
