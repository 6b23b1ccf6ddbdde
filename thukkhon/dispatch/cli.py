"""Command line: ``thukkhon dispatch solve|bench|generate ...`` (also ``python -m thukkhon.dispatch``).

* ``solve INSTANCE --format cordeau --time-limit SECONDS [--seed N] --out FILE`` writes the
  solution JSON and prints its cost and the seconds taken.
* ``bench DIR --time-limit SECONDS [--bks FILE] [--jobs N] [--seed N]`` solves every ``*.txt`` in
  DIR, each in its own single-threaded process (``--jobs`` at a time, default 2), re-checks every
  solution with the exact checker and prints a table and the mean gap to the best known solutions.
* ``generate DIR --vehicles K --requests N [--set a|b] [--seed N]`` writes a random instance in the
  style of Cordeau's generator (for robustness checks on instances nobody tuned for).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="thukkhon dispatch", description="Dial-a-ride dispatch engine")
    commands = parser.add_subparsers(dest="command", required=True)
    solve = commands.add_parser("solve", help="solve one instance and write the solution JSON")
    solve.add_argument("instance")
    solve.add_argument("--format", choices=["cordeau"], default="cordeau")
    solve.add_argument("--time-limit", type=float, required=True)
    solve.add_argument("--seed", type=int, default=0)
    solve.add_argument("--iterations", type=int, default=None, help="stop after this many search steps")
    solve.add_argument("--out", required=True)
    bench = commands.add_parser("bench", help="solve every instance in a folder and compare with --bks")
    bench.add_argument("directory")
    bench.add_argument("--time-limit", type=float, required=True)
    bench.add_argument("--bks")
    bench.add_argument("--jobs", type=int, default=2)
    bench.add_argument("--seed", type=int, default=0)
    bench.add_argument("--keep", help="folder to keep the solution files in")
    generate = commands.add_parser("generate", help="write a random Cordeau-style instance")
    generate.add_argument("directory")
    generate.add_argument("--vehicles", type=int, required=True)
    generate.add_argument("--requests", type=int, required=True)
    generate.add_argument("--set", choices=["a", "b"], default="a")
    generate.add_argument("--seed", type=int, default=0)
    return parser


def _solve(args: argparse.Namespace) -> int:
    from thukkhon.dispatch.check import check_plan
    from thukkhon.dispatch.formats import InstanceFormatError, read_cordeau, write_solution
    from thukkhon.dispatch.solver import solve, warm_up

    try:
        problem = read_cordeau(args.instance)
    except (OSError, InstanceFormatError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    load_seconds = warm_up()
    result = solve(problem, time_limit=args.time_limit, seed=args.seed, iterations=args.iterations)
    errors = check_plan(result.plan)
    write_solution(
        result.plan,
        args.out,
        seconds=round(result.seconds, 3),
        seed=args.seed,
        iterations=result.iterations,
        load_seconds=round(load_seconds, 3),
        feasible=not errors,
    )
    print(
        f"{problem.name}: cost {result.cost:.2f}, {len(result.plan.unserved)} unserved, "
        f"{result.seconds:.2f} s, {result.iterations} iterations"
    )
    return 0 if not errors else 1


def _best_known(path: str | None) -> dict[str, float]:
    if not path:
        return {}
    with open(path, newline="") as handle:
        return {row["instance"]: float(row["bks"]) for row in csv.DictReader(handle)}


def _bench_one(instance: Path, out: Path, args: argparse.Namespace) -> dict[str, object]:
    from thukkhon.dispatch.check import check_plan
    from thukkhon.dispatch.formats import read_cordeau, read_solution

    env = dict(os.environ, NUMBA_NUM_THREADS="1", OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1")
    command = [
        sys.executable,
        "-m",
        "thukkhon.dispatch",
        "solve",
        str(instance),
        "--format",
        "cordeau",
        "--time-limit",
        str(args.time_limit),
        "--seed",
        str(args.seed),
        "--out",
        str(out),
    ]
    started = time.perf_counter()
    completed = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - started
    row: dict[str, object] = {"instance": instance.stem, "cost": None, "feasible": False, "seconds": wall}
    if not out.exists():
        row["error"] = completed.stderr.strip().splitlines()[-1:] or ["no solution written"]
        return row
    problem = read_cordeau(instance)
    plan = read_solution(problem, out)
    document = json.loads(out.read_text())
    row["cost"] = plan.travel()
    row["unserved"] = len(plan.unserved)
    row["feasible"] = not check_plan(plan) and not plan.unserved
    row["seconds"] = float(document.get("seconds", wall))
    return row


def _bench(args: argparse.Namespace) -> int:
    directory = Path(args.directory)
    instances = sorted(
        (p for p in directory.glob("*.txt") if _looks_like_instance(p)),
        key=lambda p: (p.stem[0], _size_key(p.stem)),
    )
    if not instances:
        print(f"error: no *.txt instances in {directory}", file=sys.stderr)
        return 2
    best_known = _best_known(args.bks)
    keep = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="dispatch-bench-"))
    keep.mkdir(parents=True, exist_ok=True)
    with ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        rows = list(pool.map(lambda p: _bench_one(p, keep / f"{p.stem}.json", args), instances))
    print(f"{'instance':<10} {'cost':>10} {'BKS':>10} {'gap %':>7} {'feasible':>8} {'seconds':>8}")
    gaps: list[float] = []
    all_feasible = True
    for row in rows:
        name = str(row["instance"])
        cost = row["cost"]
        bks = best_known.get(name)
        gap = None
        if isinstance(cost, float) and bks:
            gap = 100.0 * (cost - bks) / bks
            if row["feasible"]:
                gaps.append(gap)
        all_feasible = all_feasible and bool(row["feasible"])
        cost_text = "-" if cost is None else f"{cost:.2f}"
        bks_text = "-" if bks is None else f"{bks:.2f}"
        gap_text = "-" if gap is None else f"{gap:.2f}"
        feasible_text = "yes" if row["feasible"] else "NO"
        seconds = float(row["seconds"])  # type: ignore[arg-type]
        print(f"{name:<10} {cost_text:>10} {bks_text:>10} {gap_text:>7} {feasible_text:>8} {seconds:>8.2f}")
    if gaps:
        print(f"mean gap {sum(gaps) / len(gaps):.3f} %, worst {max(gaps):.3f} % over {len(gaps)} instances")
    print(f"all feasible and complete: {'yes' if all_feasible else 'NO'}; solutions in {keep}")
    return 0 if all_feasible else 1


def _looks_like_instance(path: Path) -> bool:
    """A Cordeau header 'K n T Q L' on the first line (skips checksum lists and notes)."""
    try:
        with path.open() as handle:
            fields = handle.readline().split()
        return len(fields) == 5 and all(float(f) >= 0 for f in fields)
    except (OSError, ValueError, UnicodeDecodeError):
        return False


def _size_key(stem: str) -> tuple[int, ...]:
    digits = "".join(c if c.isdigit() else " " for c in stem).split()
    return tuple(int(d) for d in digits)


def _generate(args: argparse.Namespace) -> int:
    from thukkhon.dispatch.generate import cordeau_style_instance

    directory = Path(args.directory)
    directory.mkdir(parents=True, exist_ok=True)
    name = f"{args.set}{args.vehicles}-{args.requests}"
    text = cordeau_style_instance(args.vehicles, args.requests, args.set, args.seed)
    path = directory / f"g{name}-s{args.seed}.txt"
    path.write_text(text)
    print(path)
    return 0


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(sys.argv[1:] if argv is None else argv)
    if args.command == "solve":
        return _solve(args)
    if args.command == "bench":
        return _bench(args)
    return _generate(args)
