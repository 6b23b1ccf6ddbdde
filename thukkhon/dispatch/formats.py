"""Cordeau benchmark instances and the solution JSON format.

Instance (whitespace separated): line 1 ``K n T Q L``; then 2n+2 lines ``id x y d q e l`` for the
start depot 0, pickups 1..n, deliveries n+1..2n and the end depot 2n+1. Travel time and cost are
Euclidean distances, not rounded.

Solution: ``{"instance": name, "cost": total, "routes": [[node, ...], ...]}`` with one list per used
vehicle in visiting order, without depots; extra keys (``unserved``, ``seconds``, ``seed``,
``schedules``) are allowed.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from thukkhon.dispatch.model import Load, Plan, Problem, Request, Stop, Vehicle


class InstanceFormatError(ValueError):
    """A malformed instance file; the message names the file and the line."""

    def __init__(self, path: str, line: int, message: str) -> None:
        super().__init__(f"{path}, line {line}: {message}")
        self.path = path
        self.line = line


@dataclass(frozen=True)
class CordeauNode:
    x: float
    y: float
    service: float
    load: int
    early: float
    late: float


def _numbers(path: str, line_number: int, text: str, count: int, what: str) -> list[float]:
    fields = text.split()
    if len(fields) < count:
        raise InstanceFormatError(path, line_number, f"expected {count} fields ({what}), found {len(fields)}")
    values: list[float] = []
    for field in fields[:count]:
        try:
            value = float(field)
        except ValueError:
            raise InstanceFormatError(path, line_number, f"{field!r} is not a number ({what})") from None
        if not math.isfinite(value):
            raise InstanceFormatError(path, line_number, f"{field!r} is not a finite number ({what})")
        values.append(value)
    return values


def _integer(path: str, line_number: int, value: float, name: str, minimum: int) -> int:
    if value != int(value) or value < minimum:
        raise InstanceFormatError(
            path, line_number, f"{name} must be an integer >= {minimum}, found {value:g}"
        )
    return int(value)


def parse_cordeau(text: str, name: str = "instance", path: str = "<text>") -> Problem:
    """Parse a Cordeau-format instance. Raises :class:`InstanceFormatError` naming the line."""
    lines = [(number, line) for number, line in enumerate(text.splitlines(), start=1) if line.strip()]
    if not lines:
        raise InstanceFormatError(path, 1, "empty file, expected the header 'K n T Q L'")
    header_line, header = lines[0]
    k_, n_, horizon, q_, max_ride = _numbers(path, header_line, header, 5, "header K n T Q L")
    fleet = _integer(path, header_line, k_, "K (vehicles)", 1)
    n = _integer(path, header_line, n_, "n (requests)", 1)
    capacity = _integer(path, header_line, q_, "Q (capacity)", 0)
    if horizon < 0 or max_ride < 0:
        raise InstanceFormatError(path, header_line, "T and L must not be negative")
    expected = 2 * n + 2
    nodes: list[CordeauNode] = []
    for index, (number, line) in enumerate(lines[1:]):
        if index >= expected:
            raise InstanceFormatError(path, number, f"unexpected line after the {expected} node lines")
        node_id, x, y, d, q, e, late = _numbers(path, number, line, 7, "id x y d q e l")
        if node_id != index:
            raise InstanceFormatError(path, number, f"node id {node_id:g}, expected {index}")
        load = _integer(path, number, q, "q (load)", -(10**9))
        if d < 0:
            raise InstanceFormatError(path, number, f"negative service duration {d:g}")
        if e > late:
            raise InstanceFormatError(path, number, f"time window [{e:g}, {late:g}] is empty")
        nodes.append(CordeauNode(x, y, d, load, e, late))
    if len(nodes) != expected:
        last = lines[-1][0]
        raise InstanceFormatError(
            path, last + 1, f"file ends after {len(nodes)} node lines, expected {expected} (2n+2 with n={n})"
        )
    for i in range(1, n + 1):
        pickup, delivery = nodes[i], nodes[n + i]
        if pickup.load < 0 or delivery.load != -pickup.load:
            number = lines[1 + n + i][0]
            raise InstanceFormatError(
                path, number, f"delivery load {delivery.load} does not match pickup load {pickup.load}"
            )
    coordinates = np.array([[node.x, node.y] for node in nodes], dtype=np.float64)
    difference = coordinates[:, None, :] - coordinates[None, :, :]
    matrix = np.hypot(difference[..., 0], difference[..., 1])
    requests = [
        Request(
            pickup=i,
            delivery=n + i,
            pickup_window=(nodes[i].early, nodes[i].late),
            delivery_window=(nodes[n + i].early, nodes[n + i].late),
            pickup_service=nodes[i].service,
            delivery_service=nodes[n + i].service,
            load=Load(seat=nodes[i].load),
            max_ride_time=max_ride,
            id=str(i),
        )
        for i in range(1, n + 1)
    ]
    depot, end = nodes[0], nodes[2 * n + 1]
    vehicles = [
        Vehicle(
            start_depot=0,
            end_depot=2 * n + 1,
            capacity=Load(seat=capacity),
            shift_start=max(depot.early, end.early),
            shift_end=min(depot.late, end.late),
            max_duration=horizon,
            id=str(k + 1),
        )
        for k in range(fleet)
    ]
    # Every request must be served: leaving one out costs more than any set of routes can.
    penalty = 1000.0 * (float(matrix.max()) + 1.0) * (2 * n + 2)
    return Problem(requests, vehicles, matrix, unserved_penalty=penalty, name=name)


def read_cordeau(path: str | Path) -> Problem:
    path = Path(path)
    name = path.name.removesuffix(".txt")
    return parse_cordeau(path.read_text(), name=name, path=str(path))


def plan_to_json(plan: Plan, **extra: Any) -> dict[str, Any]:
    """The solution document: used routes in node numbering, their cost, unserved requests."""
    n = plan.problem.n
    document: dict[str, Any] = {
        "instance": plan.problem.name,
        "cost": round(plan.travel(), 6),
        "routes": plan.node_routes(),
        "vehicles": [index for index, route in enumerate(plan.routes) if route],
        "unserved": sorted(Stop(i, True).node(n) for i in plan.unserved),
    }
    document.update(extra)
    return document


def write_solution(plan: Plan, path: str | Path, **extra: Any) -> dict[str, Any]:
    document = plan_to_json(plan, **extra)
    Path(path).write_text(json.dumps(document) + "\n")
    return document


def plan_from_json(problem: Problem, document: dict[str, Any]) -> Plan:
    """Rebuild a plan; routes go to the listed ``vehicles`` (or the first ones) and every request not
    in a route is unserved."""
    n = problem.n
    node_routes = document["routes"]
    vehicles = document.get("vehicles") or list(range(len(node_routes)))
    if len(vehicles) != len(node_routes) or len(node_routes) > len(problem.vehicles):
        raise ValueError("more routes than vehicles")
    routes: list[list[Stop]] = [[] for _ in problem.vehicles]
    for vehicle, nodes in zip(vehicles, node_routes, strict=True):
        routes[vehicle] = [Stop.from_node(int(node), n) for node in nodes]
    served = {stop.request for route in routes for stop in route}
    unserved = [i for i in range(n) if i not in served]
    return Plan(problem, routes, unserved)


def read_solution(problem: Problem, path: str | Path) -> Plan:
    return plan_from_json(problem, json.loads(Path(path).read_text()))
