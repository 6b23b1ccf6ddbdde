"""Dial-a-ride dispatch engine: plan the day's rides, insert same-day requests.

Pure Python and numpy/numba; it imports nothing else of the project (and not Django), so the rides
service can call it from a worker and the benchmark can run it alone. Main entry points:

* :func:`thukkhon.dispatch.solver.solve`: plan a day (adaptive large neighbourhood search);
* :func:`thukkhon.dispatch.insertion.rank_insertions`: ranked feasible insertions of a late request;
* :func:`thukkhon.dispatch.check.check_plan`: the exact feasibility checker;
* :mod:`thukkhon.dispatch.formats`: Cordeau benchmark instances and the solution JSON.
"""

from thukkhon.dispatch.model import Load, Plan, Problem, Request, Stop, Vehicle

__all__ = ["Load", "Plan", "Problem", "Request", "Stop", "Vehicle"]
