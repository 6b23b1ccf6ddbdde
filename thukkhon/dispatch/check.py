"""Exact feasibility checker, independent of the search code.

For a fixed visiting order the start-of-service times B must satisfy only difference constraints:

* ``e_k <= B_k <= l_k`` (time windows; the depots carry the vehicle's shift);
* ``B_{k+1} >= B_k + s_k + t(k, k+1)`` (service and travel, waiting allowed);
* ``B_delivery - B_pickup <= s_pickup + L_request`` (maximum ride time);
* ``B_end - B_start <= max_duration`` (route duration).

Read as ``B_v >= B_u + w`` they form a graph; a schedule exists exactly when the longest-path
(Bellman-Ford) iteration from the lower bounds converges without a positive cycle and stays below
every upper bound. The least solution is the earliest schedule.
"""

from __future__ import annotations

from collections.abc import Sequence

from thukkhon.dispatch.model import INF, Plan, Problem, Stop, stop_location

TOLERANCE = 1e-6


def _constraints(
    problem: Problem, vehicle_index: int, route: Sequence[Stop]
) -> tuple[list[float], list[float], list[tuple[int, int, float]]]:
    vehicle = problem.vehicles[vehicle_index]
    requests = problem.requests
    lower = [vehicle.shift_start]
    upper = [vehicle.shift_end]
    locations = [vehicle.start_depot]
    service = [0.0]
    for stop in route:
        request = requests[stop.request]
        window = request.pickup_window if stop.pickup else request.delivery_window
        lower.append(window[0])
        upper.append(window[1])
        locations.append(stop_location(requests, stop))
        service.append(request.pickup_service if stop.pickup else request.delivery_service)
    lower.append(vehicle.shift_start)
    upper.append(vehicle.shift_end)
    locations.append(vehicle.end_depot)
    service.append(0.0)

    edges: list[tuple[int, int, float]] = []  # (u, v, w): B_v >= B_u + w
    for k in range(len(locations) - 1):
        travel = float(problem.travel_time[locations[k], locations[k + 1]])
        edges.append((k, k + 1, service[k] + travel))
    if vehicle.max_duration < INF:
        edges.append((len(locations) - 1, 0, -vehicle.max_duration))
    pickup_position: dict[int, int] = {}
    for k, stop in enumerate(route, start=1):
        if stop.pickup:
            pickup_position[stop.request] = k
        elif stop.request in pickup_position:
            limit = problem.ride_limit(stop.request)
            if limit < INF:
                p = pickup_position[stop.request]
                edges.append((k, p, -(service[p] + limit)))
    return lower, upper, edges


def earliest_schedule(problem: Problem, vehicle_index: int, route: Sequence[Stop]) -> list[float] | None:
    """Earliest start-of-service times (start depot, stops, end depot), or None if no schedule exists."""
    lower, upper, edges = _constraints(problem, vehicle_index, route)
    times = list(lower)
    for _ in range(len(times) + 1):
        changed = False
        for u, v, w in edges:
            if times[u] + w > times[v] + TOLERANCE:
                times[v] = times[u] + w
                changed = True
        if not changed:
            break
    else:
        return None  # a positive cycle: the constraints contradict each other
    if any(t > u + TOLERANCE for t, u in zip(times, upper, strict=True)):
        return None
    return times


def route_errors(problem: Problem, vehicle_index: int, route: Sequence[Stop]) -> list[str]:
    """Why the route cannot be driven by vehicle ``vehicle_index`` (empty when it can)."""
    errors: list[str] = []
    vehicle = problem.vehicles[vehicle_index]
    seen: dict[int, int] = {}
    for k, stop in enumerate(route):
        if not 0 <= stop.request < problem.n:
            errors.append(f"vehicle {vehicle_index}: unknown request {stop.request}")
            return errors
        if stop.pickup:
            seen[stop.request] = k
        elif stop.request not in seen:
            errors.append(f"vehicle {vehicle_index}: request {stop.request} delivered before pick-up")
    for request in seen:
        if Stop(request, False) not in route:
            errors.append(f"vehicle {vehicle_index}: request {request} picked up but never delivered")
    if errors:
        return errors
    capacity = vehicle.capacity.as_tuple()
    load = [0, 0, 0]
    for stop in route:
        seats = problem.requests[stop.request].seats()
        sign = 1 if stop.pickup else -1
        for kind in range(3):
            load[kind] += sign * seats[kind]
        if any(load[kind] > capacity[kind] for kind in range(3)):
            errors.append(f"vehicle {vehicle_index}: load {tuple(load)} over capacity {capacity}")
            break
    if not errors and earliest_schedule(problem, vehicle_index, route) is None:
        errors.append(f"vehicle {vehicle_index}: no schedule meets the time windows, ride times and duration")
    return errors


def check_plan(plan: Plan) -> list[str]:
    """All the reasons ``plan`` is not feasible; empty when it is. Every request must appear exactly
    once, either in one route (pickup then delivery) or in ``plan.unserved``."""
    problem = plan.problem
    errors: list[str] = []
    count: dict[Stop, int] = {}
    for route in plan.routes:
        for stop in route:
            count[stop] = count.get(stop, 0) + 1
    unserved = set(plan.unserved)
    if len(unserved) != len(plan.unserved):
        errors.append("a request is listed unserved twice")
    for request in range(problem.n):
        for pickup in (True, False):
            visits = count.get(Stop(request, pickup), 0)
            expected = 0 if request in unserved else 1
            if visits != expected:
                kind = "pickup" if pickup else "delivery"
                errors.append(f"request {request}: {kind} visited {visits} times, expected {expected}")
    for request in unserved:
        if not 0 <= request < problem.n:
            errors.append(f"unserved request {request} does not exist")
    if errors:
        return errors
    for index, route in enumerate(plan.routes):
        errors.extend(route_errors(problem, index, route))
    return errors


def is_feasible(plan: Plan) -> bool:
    return not check_plan(plan)
