"""Shared helpers for the dispatch engine tests: benchmark data, the reference checker, small
random problems."""

from __future__ import annotations

import importlib.util
import itertools
import math
from pathlib import Path
from types import ModuleType

import numpy as np
import pytest
from hypothesis import strategies as st

from thukkhon.dispatch.check import route_errors
from thukkhon.dispatch.model import Load, Plan, Problem, Request, Stop, Vehicle

REPO = Path(__file__).resolve().parents[2]
SHARED = REPO.parent / "shared"
CORDEAU = SHARED / "data" / "darp" / "cordeau"
REFEREE = SHARED / "tools" / "darp_check.py"


def load_referee() -> ModuleType:
    """The independent checker ``../shared/tools/darp_check.py``, loaded by path."""
    if not REFEREE.exists():
        pytest.skip(f"{REFEREE} is absent")
    spec = importlib.util.spec_from_file_location("darp_check", REFEREE)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def cordeau_file(name: str) -> Path:
    path = CORDEAU / f"{name}.txt"
    if not path.exists():
        pytest.skip(f"{path} is absent")
    return path


@st.composite
def small_problems(draw: st.DrawFn, max_requests: int = 6, max_vehicles: int = 3) -> Problem:
    """Euclidean problems with mixed seat types, windows on either node, ride limits absolute or as
    a factor, heterogeneous vehicles and shifts."""
    n = draw(st.integers(1, max_requests))
    fleet = draw(st.integers(1, max_vehicles))
    points = draw(
        st.lists(
            st.tuples(st.integers(-10, 10), st.integers(-10, 10)), min_size=2 * n + 1, max_size=2 * n + 1
        )
    )
    xy = np.array(points, dtype=np.float64)
    matrix = np.hypot(xy[:, None, 0] - xy[None, :, 0], xy[:, None, 1] - xy[None, :, 1])
    requests = []
    for i in range(n):
        kind = draw(st.sampled_from(["pickup", "delivery", "both", "none"]))
        start = float(draw(st.integers(0, 120)))
        width = float(draw(st.sampled_from([10, 20, 60])))
        pickup_window = (start, start + width) if kind in ("pickup", "both") else (0.0, math.inf)
        delivery_window = (
            (start + 20, start + 20 + width) if kind in ("delivery", "both") else (0.0, math.inf)
        )
        seat_type = draw(st.sampled_from(["seat", "wheelchair", "stretcher"]))
        load = Load(**{seat_type: 1})
        ride = draw(st.sampled_from(["absolute", "factor", "none"]))
        requests.append(
            Request(
                pickup=1 + i,
                delivery=1 + n + i,
                pickup_window=pickup_window,
                delivery_window=delivery_window,
                pickup_service=float(draw(st.integers(0, 3))),
                delivery_service=float(draw(st.integers(0, 3))),
                load=load,
                attendants=draw(st.integers(0, 1)),
                max_ride_time=float(draw(st.integers(10, 40))) if ride == "absolute" else None,
                max_ride_factor=float(draw(st.sampled_from([1.5, 2.0, 3.0]))) if ride == "factor" else None,
                priority=float(draw(st.sampled_from([1, 2, 5]))),
            )
        )
    vehicles = [
        Vehicle(
            start_depot=0,
            end_depot=0,
            capacity=Load(
                seat=draw(st.integers(1, 3)),
                wheelchair=draw(st.integers(0, 1)),
                stretcher=draw(st.integers(0, 1)),
            ),
            shift_start=0.0,
            shift_end=float(draw(st.sampled_from([150, 200, 400]))),
            max_duration=float(draw(st.sampled_from([60, 120, 1000]))),
        )
        for _ in range(fleet)
    ]
    return Problem(requests, vehicles, matrix, unserved_penalty=1000.0)


def route_sequences(requests: list[int]) -> list[list[Stop]]:
    """Every visiting order of the given requests with each pickup before its delivery."""
    stops = [Stop(r, p) for r in requests for p in (True, False)]
    orders = []
    for perm in itertools.permutations(stops):
        seen: set[int] = set()
        valid = True
        for stop in perm:
            if stop.pickup:
                seen.add(stop.request)
            elif stop.request not in seen:
                valid = False
                break
        if valid:
            orders.append(list(perm))
    return orders


def brute_force_optimum(problem: Problem) -> float:
    """Smallest travel + penalty over every assignment and every visiting order."""
    n, fleet = problem.n, len(problem.vehicles)
    best = math.inf
    for assignment in itertools.product(range(fleet + 1), repeat=n):
        unserved = [r for r in range(n) if assignment[r] == fleet]
        total = sum(problem.unserved_penalty * problem.requests[r].priority for r in unserved)
        for k in range(fleet):
            mine = [r for r in range(n) if assignment[r] == k]
            if not mine:
                continue
            cheapest = math.inf
            for order in route_sequences(mine):
                if not route_errors(problem, k, order):
                    plan = Plan(problem, [order if v == k else [] for v in range(fleet)], [])
                    cheapest = min(cheapest, plan.travel())
            total += cheapest
        best = min(best, total)
    return best
