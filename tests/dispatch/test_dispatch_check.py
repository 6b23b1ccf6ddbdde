"""The exact checker agrees with the independent referee and with the compiled evaluation."""

from __future__ import annotations

import random
from pathlib import Path

import numpy as np

from thukkhon.dispatch import _kernels as kn
from thukkhon.dispatch.check import check_plan, route_errors
from thukkhon.dispatch.formats import parse_cordeau, read_cordeau
from thukkhon.dispatch.generate import cordeau_style_instance
from thukkhon.dispatch.model import Plan, Problem, Stop
from thukkhon.dispatch.solver import compile_problem, plan_to_arrays, solve

from .conftest import CORDEAU, cordeau_file, load_referee


def compiled_feasible(problem: Problem, routes: list[list[Stop]]) -> list[bool]:
    a = compile_problem(problem)
    R, LEN, _, _, _ = plan_to_arrays(Plan(problem, routes, []))
    out = np.zeros(a.K, dtype=np.bool_)
    kn.eval_routes(a.n, a.K, a.E, a.LW, a.S, a.QL, a.TT, a.RIDE, a.CAP, a.TMAX, R, LEN, out)
    return [bool(x) for x in out]


def perturbed(routes: list[list[int]], n: int, rng: random.Random) -> list[list[int]]:
    """A random change: move a node within its route, swap neighbours, or move a request."""
    routes = [list(r) for r in routes]
    used = [k for k, r in enumerate(routes) if r]
    k = rng.choice(used)
    route = routes[k]
    move = rng.randrange(3)
    if move == 0:
        node = route.pop(rng.randrange(len(route)))
        route.insert(rng.randrange(len(route) + 1), node)
    elif move == 1 and len(route) > 1:
        t = rng.randrange(len(route) - 1)
        route[t], route[t + 1] = route[t + 1], route[t]
    else:
        node = rng.choice(route)
        pickup = node if node <= n else node - n
        route[:] = [x for x in route if x not in (pickup, pickup + n)]
        target = routes[rng.randrange(len(routes))]
        i = rng.randrange(len(target) + 1)
        target.insert(i, pickup)
        target.insert(rng.randrange(i + 1, len(target) + 1), pickup + n)
    return routes


def agree(referee, path: Path, problem: Problem, routes: list[list[int]]) -> bool:  # type: ignore[no-untyped-def]
    """Compare referee, checker and compiled evaluation on one solution; return feasibility."""
    instance = referee.read_instance(str(path))
    errors, _ = referee.check(instance, routes)
    n = problem.n
    stops = [[Stop.from_node(x, n) for x in r] for r in routes]
    stops += [[] for _ in range(len(problem.vehicles) - len(stops))]
    plan = Plan(problem, stops, [])
    mine = check_plan(plan)
    assert (not errors) == (not mine), (routes, errors, mine)
    compiled = compiled_feasible(problem, stops)
    for k, route in enumerate(stops):
        by_checker = not route_errors(problem, k, route)
        assert compiled[k] == by_checker, (route, compiled[k], by_checker)
        structural = [e for e in route_errors(problem, k, route) if "pick-up" in e or "delivered" in e]
        if route and not structural:
            alone = referee.schedule_exists(instance, [s.node(n) for s in route], 1e-6)
            loads_ok = not any("load" in e for e in route_errors(problem, k, route))
            assert by_checker == (alone and loads_ok), (route, by_checker, alone)
    return not mine


def test_checker_agrees_with_referee_on_benchmark_and_perturbed_solutions() -> None:
    referee = load_referee()
    rng = random.Random(3)
    feasible = infeasible = 0
    for name in ["a2-16", "a3-18", "b2-16", "b3-18"]:
        path = cordeau_file(name)
        problem = read_cordeau(path)
        plan = solve(problem, time_limit=10, seed=1, iterations=300).plan
        routes = plan.node_routes()
        assert agree(referee, path, problem, routes)
        feasible += 1
        for _ in range(150):
            candidate = perturbed(routes, problem.n, rng)
            if agree(referee, path, problem, candidate):
                feasible += 1
            else:
                infeasible += 1
    assert feasible >= 40
    assert infeasible >= 200


def test_checker_agrees_with_referee_on_random_instances(tmp_path: Path) -> None:
    referee = load_referee()
    rng = random.Random(5)
    feasible = infeasible = 0
    for seed in range(12):
        kind = "ab"[seed % 2]
        text = cordeau_style_instance(3, 4, kind, seed, horizon=240)
        path = tmp_path / f"r{seed}.txt"
        path.write_text(text)
        problem = parse_cordeau(text)
        for _ in range(60):
            routes: list[list[int]] = [[], [], []]
            for r in range(1, 5):
                route = routes[rng.randrange(3)]
                i = rng.randrange(len(route) + 1)
                route.insert(i, r)
                route.insert(rng.randrange(i + 1, len(route) + 1), r + 4)
            if agree(referee, path, problem, [r for r in routes if r]):
                feasible += 1
            else:
                infeasible += 1
    assert feasible >= 5
    assert infeasible >= 100


def test_referee_accepts_stored_benchmark_solutions_only_when_feasible() -> None:
    referee = load_referee()
    path = CORDEAU / "a2-16.txt"
    problem = read_cordeau(cordeau_file("a2-16"))
    # all requests on one vehicle in index order: far too long, and the referee agrees
    routes = [[node for r in range(1, 17) for node in (r, r + 16)]]
    assert not agree(referee, path, problem, routes)
