"""The solver: always feasible, optimal on tiny problems, deterministic, locked stops stay put."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from thukkhon.dispatch.check import check_plan
from thukkhon.dispatch.formats import read_cordeau, write_solution
from thukkhon.dispatch.model import Plan, Problem, Stop
from thukkhon.dispatch.solver import solve

from .conftest import brute_force_optimum, cordeau_file, load_referee, small_problems

FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(small_problems())
def test_every_returned_plan_passes_the_checker(problem: Problem) -> None:
    result = solve(problem, time_limit=5, seed=7, iterations=60)
    plan = result.plan
    assert check_plan(plan) == []
    served = {stop.request for route in plan.routes for stop in route}
    assert served.isdisjoint(plan.unserved)
    assert served | set(plan.unserved) == set(range(problem.n))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(small_problems(max_requests=3, max_vehicles=2))
def test_tiny_problems_reach_the_brute_force_optimum(problem: Problem) -> None:
    result = solve(problem, time_limit=5, seed=1, iterations=200)
    assert result.plan.cost() == pytest.approx(brute_force_optimum(problem), abs=1e-6)


def test_same_seed_same_plan() -> None:
    problem = read_cordeau(cordeau_file("a3-24"))
    first = solve(problem, time_limit=30, seed=4, iterations=400)
    second = solve(problem, time_limit=30, seed=4, iterations=400)
    assert first.plan.routes == second.plan.routes
    assert first.iterations == second.iterations == 400


def test_locked_prefixes_stay_in_place() -> None:
    problem = read_cordeau(cordeau_file("a2-16"))
    start = solve(problem, time_limit=5, seed=2, iterations=100).plan
    # vehicle 0 has driven its first three stops; vehicle 1 its first one
    locked = [3, 1]
    prefixes = [start.routes[k][: locked[k]] for k in range(2)]
    on_board = {s.request for s in prefixes[0] if s.pickup} - {s.request for s in prefixes[0] if not s.pickup}
    assert on_board  # the test needs a passenger on board whose delivery is still to come
    initial = Plan(problem, start.routes, [], locked)
    result = solve(problem, time_limit=5, seed=3, iterations=300, initial=initial)
    plan = result.plan
    assert check_plan(plan) == []
    assert plan.unserved == []
    for k in range(2):
        assert plan.routes[k][: locked[k]] == prefixes[k]
    for request in on_board:
        assert Stop(request, False) in plan.routes[0][locked[0] :]


def test_a2_16_short_run_is_feasible_and_its_cost_matches_the_referee(tmp_path: Path) -> None:
    referee = load_referee()
    path = cordeau_file("a2-16")
    problem = read_cordeau(path)
    result = solve(problem, time_limit=2, seed=0)
    assert result.plan.unserved == []
    assert check_plan(result.plan) == []
    out = tmp_path / "a2-16.json"
    write_solution(result.plan, out)
    document = json.loads(out.read_text())
    errors, cost = referee.check(referee.read_instance(str(path)), document["routes"])
    assert errors == []
    assert document["cost"] == pytest.approx(cost, abs=1e-6)
    assert result.cost == pytest.approx(cost, abs=1e-9)
    assert cost < 294.25 * 1.03


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(small_problems(max_requests=6, max_vehicles=3), st.data())
def test_random_locked_prefixes_stay_in_place(problem: Problem, data: st.DataObject) -> None:
    start = solve(problem, time_limit=5, seed=0, iterations=30).plan
    locked = [data.draw(st.integers(0, len(route))) for route in start.routes]
    initial = Plan(problem, start.routes, start.unserved, locked)
    plan = solve(problem, time_limit=5, seed=1, iterations=60, initial=initial).plan
    assert check_plan(plan) == []
    assert plan.locked == locked
    for k, route in enumerate(start.routes):
        assert plan.routes[k][: locked[k]] == route[: locked[k]]
        for stop in route[: locked[k]]:
            # a request with a locked stop stays on its vehicle
            assert Stop(stop.request, not stop.pickup) in plan.routes[k]
    assert plan.cost() <= start.cost() + 1e-9
