"""Solve a day: adaptive large neighbourhood search (compiled), verified by the exact checker.

Reproducibility: with an iteration budget (``iterations=``) the search depends only on the problem,
the seed and the budget, so the plan is identical run to run and machine to machine. With a time
limit alone the simulated-annealing temperature follows the clock (it cools over the time given),
which makes the most of the time but means the plan depends on how many iterations the machine
completes. Either way the search is anytime: the best plan found so far is returned.
"""

from __future__ import annotations

import itertools
import logging
import math
import time
from dataclasses import dataclass, field

import numpy as np

from thukkhon.dispatch import _kernels as kn
from thukkhon.dispatch.check import route_errors
from thukkhon.dispatch.model import FloatArray, IntArray, Plan, Problem, Request, Stop, Vehicle

logger = logging.getLogger(__name__)

# 4 removal + 10 insertion (greedy, regret-2, regret-3, regret-all, sequential; without/with noise)
N_OPERATORS = 14


@dataclass
class Arrays:
    """The problem in the compiled code's node numbering (see :mod:`thukkhon.dispatch._kernels`)."""

    n: int
    K: int
    E: FloatArray
    LW: FloatArray
    S: FloatArray
    QL: IntArray
    TT: FloatArray
    CC: FloatArray
    RIDE: FloatArray
    CAP: IntArray
    TMAX: FloatArray
    PEN: FloatArray


def compile_problem(problem: Problem) -> Arrays:
    n = problem.n
    fleet = len(problem.vehicles)
    size = 2 * n + 2 * fleet
    location = np.zeros(size, dtype=np.int64)
    E = np.zeros(size)
    LW = np.zeros(size)
    S = np.zeros(size)
    QL = np.zeros((size, 3), dtype=np.int64)
    for r, request in enumerate(problem.requests):
        location[r] = request.pickup
        location[n + r] = request.delivery
        E[r], LW[r] = request.pickup_window
        E[n + r], LW[n + r] = request.delivery_window
        S[r] = request.pickup_service
        S[n + r] = request.delivery_service
        QL[r] = request.seats()
        QL[n + r] = [-q for q in request.seats()]
    for k, vehicle in enumerate(problem.vehicles):
        for node, depot in ((2 * n + k, vehicle.start_depot), (2 * n + fleet + k, vehicle.end_depot)):
            location[node] = depot
            E[node] = vehicle.shift_start
            LW[node] = vehicle.shift_end
    TT = np.ascontiguousarray(problem.travel_time[np.ix_(location, location)])
    CC = np.ascontiguousarray(problem.cost_matrix[np.ix_(location, location)])
    RIDE = np.array([problem.ride_limit(r) for r in range(n)], dtype=np.float64)
    CAP = np.array([v.capacity.as_tuple() for v in problem.vehicles], dtype=np.int64).reshape(fleet, 3)
    TMAX = np.array([v.max_duration for v in problem.vehicles], dtype=np.float64)
    PEN = np.array([problem.unserved_penalty * q.priority for q in problem.requests], dtype=np.float64)
    return Arrays(n, fleet, E, LW, S, QL, TT, CC, RIDE, CAP, TMAX, PEN)


def plan_to_arrays(plan: Plan) -> tuple[IntArray, IntArray, IntArray, IntArray, np.ndarray]:
    """Routes R, lengths LEN, route of each request RO (-1 unserved), locked counts, pinned flags."""
    n = plan.problem.n
    fleet = len(plan.routes)
    R = np.zeros((fleet, 2 * n + 2), dtype=np.int64)
    LEN = np.zeros(fleet, dtype=np.int64)
    RO = -np.ones(n, dtype=np.int64)
    PIN = np.zeros(n, dtype=np.bool_)
    for k, route in enumerate(plan.routes):
        for t, stop in enumerate(route):
            R[k, t] = stop.request if stop.pickup else stop.request + n
            RO[stop.request] = k
            if t < plan.locked[k]:
                PIN[stop.request] = True
        LEN[k] = len(route)
    LOCK = np.array(plan.locked, dtype=np.int64)
    return R, LEN, RO, LOCK, PIN


def arrays_to_routes(R: IntArray, LEN: IntArray, n: int) -> list[list[Stop]]:
    return [
        [Stop(int(node), True) if node < n else Stop(int(node) - n, False) for node in R[k, : LEN[k]]]
        for k in range(R.shape[0])
    ]


@dataclass
class SearchParameters:
    """Tuning of the search (recorded in docs/decisions/0002-dispatch-engine.md)."""

    start_temperature: float = 0.03  # fraction of the first plan's travel
    end_temperature: float = 0.00015
    noise: float = 0.025  # fraction of the largest travel time
    removal_min: int = 2
    removal_max_fraction: float = 0.25
    removal_max: int = 30
    segment: int = 100


@dataclass
class SolveResult:
    plan: Plan
    seconds: float
    iterations: int
    seed: int
    history: list[tuple[float, float]] = field(default_factory=list)  # (seconds, best cost)

    @property
    def cost(self) -> float:
        return self.plan.travel()


def _seed_state(seed: int) -> np.ndarray:
    """splitmix64 of the seed: a nonzero xorshift state."""
    mask = (1 << 64) - 1
    z = (seed * 0x9E3779B97F4A7C15 + 0x9E3779B97F4A7C15) & mask
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & mask
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & mask
    z ^= z >> 31
    return np.array([z or 1], dtype=np.uint64)


def verified(plan: Plan) -> Plan:
    """The plan with every route that fails the exact checker emptied (its movable requests become
    unserved); locked prefixes are kept. Logs an error if that ever happens."""
    routes = [list(route) for route in plan.routes]
    unserved = list(plan.unserved)
    for k, route in enumerate(routes):
        errors = route_errors(plan.problem, k, route)
        if errors:
            logger.error("dispatch: discarding an infeasible route: %s", "; ".join(errors))
            locked = {stop.request for stop in route[: plan.locked[k]]}
            keep = [stop for stop in route if stop.request in locked]
            unserved.extend(sorted({stop.request for stop in route if stop.request not in locked}))
            routes[k] = keep
    return Plan(plan.problem, routes, sorted(unserved), list(plan.locked))


_LOAD_SECONDS: list[float] = []


def warm_up() -> float:
    """Load (or, on a cold cache, compile) the compiled search once per process by solving a
    one-request problem; returns the seconds it took the first time. :func:`solve` calls it before
    starting its clock, so time limits measure search time only."""
    if _LOAD_SECONDS:
        return _LOAD_SECONDS[0]
    started = time.perf_counter()
    problem = Problem(
        [Request(pickup=1, delivery=2, pickup_window=(0.0, 100.0))],
        [Vehicle(start_depot=0, end_depot=0)],
        np.array([[0.0, 1.0, 2.0], [1.0, 0.0, 1.0], [2.0, 1.0, 0.0]]),
    )
    _LOAD_SECONDS.append(0.0)
    solve(problem, time_limit=10.0, seed=0, iterations=2)
    _LOAD_SECONDS[0] = time.perf_counter() - started
    return _LOAD_SECONDS[0]


def solve(
    problem: Problem,
    time_limit: float = 10.0,
    seed: int = 0,
    iterations: int | None = None,
    initial: Plan | None = None,
    parameters: SearchParameters | None = None,
) -> SolveResult:
    """Plan the day. ``initial`` may carry routes to start from and locked prefixes (stops already
    driven or in progress), which stay exactly where they are. Stops after ``time_limit`` seconds
    or ``iterations`` search steps, whichever comes first; the result passed the exact checker."""
    warm_up()
    started = time.perf_counter()
    params = parameters or SearchParameters()
    a = compile_problem(problem)
    n, fleet = a.n, a.K
    if initial is None:
        initial = Plan(problem, [[] for _ in problem.vehicles], list(range(n)))
    elif initial.problem is not problem:
        initial = Plan(
            problem, [list(r) for r in initial.routes], list(initial.unserved), list(initial.locked)
        )
    initial = verified(initial)
    R, LEN, RO, LOCK, PIN = plan_to_arrays(initial)
    rng = _seed_state(seed)
    if n == 0:
        return SolveResult(initial, time.perf_counter() - started, 0, seed)
    kn.construct(n, fleet, a.E, a.LW, a.S, a.QL, a.TT, a.CC, a.RIDE, a.CAP, a.TMAX, LOCK, R, LEN, RO, rng, 2)
    best_R, best_LEN, best_RO = R.copy(), LEN.copy(), RO.copy()
    penalty = float(a.PEN[RO < 0].sum())
    travel = _travel(a, R, LEN)
    best_cost = travel + penalty
    first_travel = max(travel, float(a.TT.mean()), 1e-6)
    history = [(time.perf_counter() - started, best_cost)]
    weights = np.ones(N_OPERATORS, dtype=np.float64)
    seg_score = np.zeros(N_OPERATORS, dtype=np.float64)
    seg_count = np.zeros(N_OPERATORS, dtype=np.float64)
    t_start = params.start_temperature * first_travel
    t_end = params.end_temperature * first_travel
    fparams = np.array(
        [t_start, t_start, t_end, params.noise * float(a.TT.max()), best_cost, best_cost], dtype=np.float64
    )
    removable = int(n - PIN.sum())
    # small days may have everything removed at once; larger ones a share of their requests
    q_max = max(
        min(removable, 4), min(params.removal_max, math.ceil(params.removal_max_fraction * removable))
    )
    q_min = min(params.removal_min, q_max)
    iparams = np.array([0, iterations or 0, q_min, q_max, params.segment], dtype=np.int64)
    budget = iterations if iterations is not None else 1 << 62
    done = 0
    chunk = 5
    if removable > 0:
        while done < budget and time.perf_counter() - started < time_limit:
            step = min(chunk, budget - done)
            tick = time.perf_counter()
            if iterations is None:
                # no budget: cool down along the elapsed share of the time limit
                progress = min(1.0, (tick - started) / max(time_limit, 1e-9))
                fparams[0] = t_start * (t_end / t_start) ** progress
            cost = kn.search(
                step,
                n,
                fleet,
                a.E,
                a.LW,
                a.S,
                a.QL,
                a.TT,
                a.CC,
                a.RIDE,
                a.CAP,
                a.TMAX,
                a.PEN,
                PIN,
                LOCK,
                R,
                LEN,
                RO,
                best_R,
                best_LEN,
                best_RO,
                weights,
                seg_score,
                seg_count,
                fparams,
                iparams,
                rng,
            )
            done += step
            elapsed = time.perf_counter() - tick
            if cost < history[-1][1] - 1e-9:
                history.append((time.perf_counter() - started, float(cost)))
            # aim at chunks of about 50 ms so that the time limit is kept closely
            left = time_limit - (time.perf_counter() - started)
            rate = step / max(elapsed, 1e-6)
            chunk = int(max(1, min(rate * min(0.05, max(left, 0.0)), 100_000)))
    plan = Plan(
        problem,
        arrays_to_routes(best_R, best_LEN, n),
        [r for r in range(n) if best_RO[r] < 0],
        list(initial.locked),
    )
    for k, route in enumerate(initial.routes):
        if plan.routes[k][: initial.locked[k]] != route[: initial.locked[k]]:
            raise AssertionError("a locked stop moved")  # pragma: no cover - guarded by the search
    plan = verified(plan)
    return SolveResult(plan, time.perf_counter() - started, done, seed, history)


def _travel(a: Arrays, R: IntArray, LEN: IntArray) -> float:
    total = 0.0
    for k in range(a.K):
        if LEN[k] == 0:
            continue
        nodes = [2 * a.n + k, *R[k, : LEN[k]].tolist(), 2 * a.n + a.K + k]
        total += float(sum(a.CC[x, y] for x, y in itertools.pairwise(nodes)))
    return total
