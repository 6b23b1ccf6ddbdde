"""Data model of the dial-a-ride problem: requests, vehicles, the problem and a plan.

Locations are indices into the caller's travel-time (and optional distance) matrix. Times are in
any consistent unit (minutes in the project); the objective is total distance driven (travel time
when no distance matrix is given) plus a penalty for every request left unserved.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

SEAT_TYPES: tuple[str, ...] = ("seat", "wheelchair", "stretcher")
INF = math.inf
FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True)
class Load:
    """Places used (by a request) or offered (by a vehicle) per seat type."""

    seat: int = 0
    wheelchair: int = 0
    stretcher: int = 0

    def as_tuple(self) -> tuple[int, int, int]:
        return (self.seat, self.wheelchair, self.stretcher)


@dataclass(frozen=True)
class Request:
    """A ride: pick up at one location, drop off at another.

    ``max_ride_time`` bounds the time from the end of service at the pickup to the start of service
    at the delivery; ``max_ride_factor`` bounds it as a multiple of the direct travel time. When both
    are given the tighter one applies; when neither is, the ride is bounded by the shift only.
    ``attendants`` travel along and take ordinary seats. ``priority`` weights the penalty paid when
    the request is left unserved.
    """

    pickup: int
    delivery: int
    pickup_window: tuple[float, float] = (0.0, INF)
    delivery_window: tuple[float, float] = (0.0, INF)
    pickup_service: float = 0.0
    delivery_service: float = 0.0
    load: Load = Load(seat=1)
    attendants: int = 0
    max_ride_time: float | None = None
    max_ride_factor: float | None = None
    priority: float = 1.0
    id: str = ""

    def seats(self) -> tuple[int, int, int]:
        seat, wheelchair, stretcher = self.load.as_tuple()
        return (seat + self.attendants, wheelchair, stretcher)


@dataclass(frozen=True)
class Vehicle:
    """A vehicle and its shift: it leaves ``start_depot`` no earlier than ``shift_start`` and is
    back at ``end_depot`` no later than ``shift_end``, its route lasting at most ``max_duration``."""

    start_depot: int
    end_depot: int
    capacity: Load = Load(seat=3)
    shift_start: float = 0.0
    shift_end: float = INF
    max_duration: float = INF
    id: str = ""


@dataclass
class Problem:
    """A day to plan. ``travel_time[a, b]`` is the driving time from location a to location b;
    ``distance`` (same shape) is what the objective sums, travel time when omitted.
    ``unserved_penalty`` times a request's priority is paid for each request left out."""

    requests: list[Request]
    vehicles: list[Vehicle]
    travel_time: FloatArray
    distance: FloatArray | None = None
    unserved_penalty: float = 10_000.0
    name: str = ""

    def __post_init__(self) -> None:
        self.travel_time = np.ascontiguousarray(self.travel_time, dtype=np.float64)
        if self.travel_time.ndim != 2 or self.travel_time.shape[0] != self.travel_time.shape[1]:
            raise ValueError("travel_time must be a square matrix")
        if self.distance is not None:
            self.distance = np.ascontiguousarray(self.distance, dtype=np.float64)
            if self.distance.shape != self.travel_time.shape:
                raise ValueError("distance must have the shape of travel_time")
        size = self.travel_time.shape[0]
        for index, request in enumerate(self.requests):
            for location in (request.pickup, request.delivery):
                if not 0 <= location < size:
                    raise ValueError(f"request {index}: location {location} outside the matrix")
        for index, vehicle in enumerate(self.vehicles):
            for location in (vehicle.start_depot, vehicle.end_depot):
                if not 0 <= location < size:
                    raise ValueError(f"vehicle {index}: location {location} outside the matrix")

    @property
    def n(self) -> int:
        return len(self.requests)

    @property
    def cost_matrix(self) -> FloatArray:
        return self.travel_time if self.distance is None else self.distance

    def ride_limit(self, index: int) -> float:
        """The effective maximum ride time of request ``index`` (inf when unbounded)."""
        request = self.requests[index]
        limit = INF
        if request.max_ride_time is not None:
            limit = min(limit, request.max_ride_time)
        if request.max_ride_factor is not None:
            direct = float(self.travel_time[request.pickup, request.delivery])
            limit = min(limit, request.max_ride_factor * direct)
        return limit

    def with_request(self, request: Request) -> Problem:
        """A copy of this problem with one more request (at the end)."""
        return Problem(
            requests=[*self.requests, request],
            vehicles=self.vehicles,
            travel_time=self.travel_time,
            distance=self.distance,
            unserved_penalty=self.unserved_penalty,
            name=self.name,
        )


@dataclass(frozen=True)
class Stop:
    """A visit in a route: the pickup or the delivery of request ``request``."""

    request: int
    pickup: bool

    def node(self, n: int) -> int:
        """Node number in the benchmark convention: pickups 1..n, deliveries n+1..2n."""
        return self.request + 1 if self.pickup else self.request + n + 1

    @staticmethod
    def from_node(node: int, n: int) -> Stop:
        if not 1 <= node <= 2 * n:
            raise ValueError(f"node {node} is not a request node 1..{2 * n}")
        return Stop(node - 1, True) if node <= n else Stop(node - n - 1, False)


@dataclass
class Plan:
    """Routes per vehicle (stops without depots), the requests left unserved, and how many leading
    stops of each route are locked (already driven or in progress, never moved)."""

    problem: Problem
    routes: list[list[Stop]]
    unserved: list[int] = field(default_factory=list)
    locked: list[int] = field(default_factory=list)

    def __post_init__(self) -> None:
        if len(self.routes) != len(self.problem.vehicles):
            raise ValueError("a plan needs one route (possibly empty) per vehicle")
        if not self.locked:
            self.locked = [0] * len(self.routes)
        if len(self.locked) != len(self.routes):
            raise ValueError("locked needs one count per vehicle")
        for route, count in zip(self.routes, self.locked, strict=True):
            if not 0 <= count <= len(route):
                raise ValueError("locked count outside its route")

    def travel(self) -> float:
        """Total distance of all routes, depot to depot (empty routes cost nothing)."""
        matrix = self.problem.cost_matrix
        total = 0.0
        for vehicle, route in zip(self.problem.vehicles, self.routes, strict=True):
            if route:
                total += route_cost(matrix, vehicle, self.problem.requests, route)
        return total

    def penalty(self) -> float:
        return sum(self.problem.unserved_penalty * self.problem.requests[i].priority for i in self.unserved)

    def cost(self) -> float:
        return self.travel() + self.penalty()

    def node_routes(self) -> list[list[int]]:
        """Used routes in the benchmark node numbering (see :meth:`Stop.node`)."""
        n = self.problem.n
        return [[stop.node(n) for stop in route] for route in self.routes if route]

    def schedule(self, vehicle: int) -> list[float]:
        """Earliest feasible start-of-service times: start depot, each stop, end depot."""
        from thukkhon.dispatch.check import earliest_schedule

        times = earliest_schedule(self.problem, vehicle, self.routes[vehicle])
        if times is None:
            raise ValueError(f"route of vehicle {vehicle} has no feasible schedule")
        return times


def stop_location(requests: Sequence[Request], stop: Stop) -> int:
    request = requests[stop.request]
    return request.pickup if stop.pickup else request.delivery


def route_cost(matrix: FloatArray, vehicle: Vehicle, requests: Sequence[Request], route: list[Stop]) -> float:
    locations = [vehicle.start_depot, *(stop_location(requests, s) for s in route), vehicle.end_depot]
    return float(sum(matrix[a, b] for a, b in itertools.pairwise(locations)))
