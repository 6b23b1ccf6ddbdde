"""Same-day insertion: where can a late request go into today's plan, and at what cost?

Every position pair of every vehicle after its locked prefix is evaluated exactly (compiled), so
the options are complete and each one is feasible as proposed; they are ranked by added cost.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from thukkhon.dispatch import _kernels as kn
from thukkhon.dispatch.model import Plan, Request, Stop
from thukkhon.dispatch.solver import compile_problem, plan_to_arrays


@dataclass(frozen=True)
class InsertionOption:
    """Put the new request's pickup at index ``pickup_position`` and its delivery at index
    ``delivery_position`` of vehicle ``vehicle``'s new stop list. ``times`` are the earliest
    start-of-service times of the new route: start depot, every stop, end depot."""

    vehicle: int
    pickup_position: int
    delivery_position: int
    added_cost: float
    times: tuple[float, ...]


def rank_insertions(plan: Plan, new_request: Request, limit: int | None = None) -> list[InsertionOption]:
    """Feasible insertions of ``new_request`` into ``plan`` (which must be feasible), cheapest
    first; ties broken by vehicle and positions. The request's locations index the plan's matrix."""
    problem = plan.problem.with_request(new_request)
    arrays = compile_problem(problem)
    extended = Plan(problem, plan.routes, plan.unserved, plan.locked)
    R, LEN, _, LOCK, _ = plan_to_arrays(extended)
    n = problem.n
    r = n - 1
    longest = int(LEN.max()) + 4 if len(LEN) else 4
    seq = np.empty(longest, dtype=np.int64)
    cand = np.empty(longest, dtype=np.int64)
    B = np.empty(longest, dtype=np.float64)
    lift = np.empty(longest, dtype=np.float64)
    posn = np.zeros(n + 1, dtype=np.int64)
    options: list[InsertionOption] = []
    for k in range(arrays.K):
        m2 = int(LEN[k]) + 2
        pairs = max(1, (m2 - int(LOCK[k])) * (m2 - int(LOCK[k]) + 1) // 2)
        out_ij = np.empty((pairs, 2), dtype=np.int64)
        out_cost = np.empty(pairs, dtype=np.float64)
        out_times = np.empty((pairs, m2 + 2), dtype=np.float64)
        count = kn.all_insertions(
            r, k, R, LEN, LOCK, n, arrays.K, arrays.E, arrays.LW, arrays.S, arrays.QL, arrays.TT, arrays.CC,
            arrays.RIDE, arrays.CAP, arrays.TMAX, seq, cand, B, lift, posn, out_ij, out_cost, out_times,
        )  # fmt: skip
        for t in range(count):
            i, j = int(out_ij[t, 0]), int(out_ij[t, 1])
            options.append(
                InsertionOption(
                    vehicle=k,
                    pickup_position=i,
                    delivery_position=j + 1,
                    added_cost=float(out_cost[t]),
                    times=tuple(float(x) for x in out_times[t]),
                )
            )
    options.sort(key=lambda o: (o.added_cost, o.vehicle, o.pickup_position, o.delivery_position))
    return options if limit is None else options[:limit]


def apply_insertion(plan: Plan, new_request: Request, option: InsertionOption) -> Plan:
    """The plan with ``new_request`` added (as the last request) where ``option`` says."""
    problem = plan.problem.with_request(new_request)
    r = problem.n - 1
    routes = [list(route) for route in plan.routes]
    route = routes[option.vehicle]
    route.insert(option.pickup_position, Stop(r, True))
    route.insert(option.delivery_position, Stop(r, False))
    return Plan(problem, routes, list(plan.unserved), list(plan.locked))
