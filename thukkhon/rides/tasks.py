"""Background jobs of the People Assistance Vehicle: planning a day.

``rides.plan_day`` builds the day's dispatch problem, runs the engine under a time limit and writes
the plan if nobody changed it meanwhile (the version it started from is still current). The search
runs in a helper thread without database access while this job's thread reports progress.
"""

from __future__ import annotations

import threading
import time
from typing import Any

from django.db import transaction

from thukkhon.core.jobs import enqueue, job_kind, job_progress
from thukkhon.core.models import Job, User
from thukkhon.dispatch.solver import SolveResult, solve
from thukkhon.rides import planning
from thukkhon.rides.models import Plan

PLAN_JOB = "rides.plan_day"
PROGRESS_EVERY = 0.5  # seconds


def plan_start(
    *,
    plan: Plan,
    version: int,
    user: User | None,
    time_limit: float = planning.DEFAULT_TIME_LIMIT,
    seed: int = 0,
) -> Job:
    """Enqueue planning of ``plan``'s day from ``version``. A plan already being planned returns
    that job (a double click starts one search)."""
    with transaction.atomic():
        locked = Plan.objects.select_for_update().get(pk=plan.pk)
        if locked.version != version:
            raise planning.PlanConflict()
        if locked.job_id is not None:
            running = Job.objects.filter(
                pk=locked.job_id, status__in=[Job.Status.QUEUED, Job.Status.RUNNING]
            ).first()
            if running is not None:
                return running
        job = enqueue(
            municipality=locked.municipality,
            kind=PLAN_JOB,
            params={"plan": locked.pk, "version": version, "time_limit": time_limit, "seed": seed},
            user=user,
            total=100,
        )
        Plan.objects.filter(pk=locked.pk).update(job=job)
    return job


def plan_day_now(
    *, plan: Plan, version: int, time_limit: float = planning.DEFAULT_TIME_LIMIT, seed: int = 0
) -> tuple[Plan, SolveResult]:
    """Plan in this thread (benchmark, command line)."""
    day, current = planning.build_plan_day(plan)
    result = solve(day.problem, time_limit=time_limit, seed=seed, initial=current)
    plan = planning.plan_write_solution(plan=plan, version=version, day=day, solution=result.plan)
    return plan, result


@job_kind(PLAN_JOB)
def plan_day_job(job: Job) -> dict[str, Any]:
    params = job.params
    plan = Plan.objects.select_related("municipality").get(pk=params["plan"], municipality=job.municipality)
    limit = float(params.get("time_limit", planning.DEFAULT_TIME_LIMIT))
    job_progress(job, 1, 100, "กำลังเตรียมข้อมูลคำขอและรถ")
    day, current = planning.build_plan_day(plan)
    job_progress(job, 5, 100, f"กำลังจัดเส้นทาง: คำขอ {day.problem.n} รายการ รถ {len(day.routes_of_vehicle)} คัน")
    box: dict[str, Any] = {}

    def search() -> None:
        try:
            box["result"] = solve(
                day.problem, time_limit=limit, seed=int(params.get("seed", 0)), initial=current
            )
        except BaseException as exc:  # re-raised in the job's thread
            box["error"] = exc

    started = time.perf_counter()
    worker = threading.Thread(target=search, name=f"plan-{plan.pk}", daemon=True)
    worker.start()
    while worker.is_alive():
        worker.join(PROGRESS_EVERY)
        share = min(1.0, (time.perf_counter() - started) / max(limit, 0.1))
        job_progress(job, 5 + int(90 * share), 100)
    if "error" in box:
        raise box["error"]
    result: SolveResult = box["result"]
    job_progress(job, 96, 100, "กำลังบันทึกแผน")
    planning.plan_write_solution(plan=plan, version=int(params["version"]), day=day, solution=result.plan)
    plan.refresh_from_db()
    return {
        "requests": day.problem.n,
        "vehicles": len(day.routes_of_vehicle),
        "served": day.problem.n - len(result.plan.unserved),
        "unserved": len(result.plan.unserved),
        "km": round(result.plan.travel(), 2),
        "seconds": round(result.seconds, 2),
        "iterations": result.iterations,
        "travel_source": day.matrix.source,
        "version": plan.version,
    }
