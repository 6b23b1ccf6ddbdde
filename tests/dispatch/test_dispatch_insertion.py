"""Same-day insertion: only feasible options, complete, ranked by added cost, fast."""

from __future__ import annotations

import time

import pytest
from hypothesis import HealthCheck, given, settings

from thukkhon.dispatch.check import check_plan
from thukkhon.dispatch.formats import parse_cordeau
from thukkhon.dispatch.generate import cordeau_style_instance
from thukkhon.dispatch.insertion import apply_insertion, rank_insertions
from thukkhon.dispatch.model import Plan, Problem, Stop
from thukkhon.dispatch.solver import solve

from .conftest import small_problems


def all_feasible_positions(plan: Plan, problem: Problem) -> set[tuple[int, int, int]]:
    """Brute force: every (vehicle, pickup index, delivery index) the checker accepts."""
    r = problem.n - 1
    found = set()
    for k, route in enumerate(plan.routes):
        for i in range(plan.locked[k], len(route) + 1):
            for j in range(i + 1, len(route) + 2):
                new = list(route)
                new.insert(i, Stop(r, True))
                new.insert(j, Stop(r, False))
                routes = [list(x) for x in plan.routes]
                routes[k] = new
                if not check_plan(Plan(problem, routes, list(plan.unserved), list(plan.locked))):
                    found.add((k, i, j))
    return found


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(small_problems(max_requests=6, max_vehicles=3))
def test_options_are_feasible_complete_and_ranked(problem: Problem) -> None:
    if problem.n < 2:
        return
    day = Problem(problem.requests[:-1], problem.vehicles, problem.travel_time, unserved_penalty=1000.0)
    plan = solve(day, time_limit=5, seed=0, iterations=40).plan
    plan = Plan(day, plan.routes, plan.unserved, [min(1, len(route)) for route in plan.routes])
    new = problem.requests[-1]
    options = rank_insertions(plan, new)
    costs = [o.added_cost for o in options]
    assert costs == sorted(costs)
    before = plan.travel()
    for option in options:
        assert option.pickup_position >= plan.locked[option.vehicle]
        after = apply_insertion(plan, new, option)
        assert check_plan(after) == []
        assert after.travel() - before == pytest.approx(option.added_cost, abs=1e-9)
        assert list(option.times) == pytest.approx(after.schedule(option.vehicle), abs=1e-6)
    extended = plan.problem.with_request(new)
    proposed = {(o.vehicle, o.pickup_position, o.delivery_position) for o in options}
    assert proposed == all_feasible_positions(
        Plan(extended, plan.routes, plan.unserved, plan.locked), extended
    )


def test_a_100_request_day_answers_within_50_ms() -> None:
    full = parse_cordeau(cordeau_style_instance(10, 101, "a", 7))
    day = Problem(
        full.requests[:100], full.vehicles, full.travel_time, unserved_penalty=full.unserved_penalty
    )
    plan = solve(day, time_limit=3, seed=0).plan
    assert len(plan.unserved) <= 2
    new = full.requests[100]
    rank_insertions(plan, new)  # compiled code loaded
    timings = []
    for _ in range(5):
        started = time.perf_counter()
        options = rank_insertions(plan, new)
        timings.append(time.perf_counter() - started)
    assert options
    assert min(timings) < 0.05
