"""The command line: solve writes a checked solution; bench prints the table and the mean gap."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from thukkhon.dispatch.check import check_plan
from thukkhon.dispatch.cli import main
from thukkhon.dispatch.formats import read_cordeau, read_solution

from .conftest import CORDEAU, cordeau_file


def test_solve_writes_the_solution(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = cordeau_file("b2-16")
    out = tmp_path / "b2-16.json"
    code = main(
        ["solve", str(path), "--format", "cordeau", "--time-limit", "1", "--seed", "3", "--out", str(out)]
    )
    assert code == 0
    document = json.loads(out.read_text())
    assert document["instance"] == "b2-16"
    assert document["seed"] == 3
    assert document["unserved"] == []
    plan = read_solution(read_cordeau(path), out)
    assert check_plan(plan) == []
    assert plan.travel() == pytest.approx(document["cost"], abs=1e-6)
    printed = capsys.readouterr().out
    assert printed.startswith(f"b2-16: cost {document['cost']:.2f}, 0 unserved, ")


def test_solve_reports_a_malformed_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.txt"
    bad.write_text("2 16 480 3\n")
    assert main(["solve", str(bad), "--time-limit", "1", "--out", str(tmp_path / "x.json")]) == 2
    assert "line 1: expected 5 fields" in capsys.readouterr().err


def test_bench_through_python_dash_m(tmp_path: Path) -> None:
    folder = tmp_path / "instances"
    folder.mkdir()
    shutil.copy(cordeau_file("a2-16"), folder / "a2-16.txt")
    (folder / "notes.txt").write_text("not an instance\n")
    bks = CORDEAU / "bks.csv"
    command = [sys.executable, "-m", "thukkhon.dispatch", "bench", str(folder), "--time-limit", "1",
               "--bks", str(bks), "--keep", str(tmp_path / "out")]  # fmt: skip
    completed = subprocess.run(command, capture_output=True, text=True, check=False, timeout=120)
    assert completed.returncode == 0, completed.stderr
    lines = completed.stdout.splitlines()
    assert lines[0].split() == ["instance", "cost", "BKS", "gap", "%", "feasible", "seconds"]
    row = lines[1].split()
    assert row[0] == "a2-16"
    assert row[2] == "294.25"
    assert row[4] == "yes"
    assert lines[2].startswith("mean gap ")
    assert lines[3].startswith("all feasible and complete: yes")
    assert (tmp_path / "out" / "a2-16.json").exists()


def test_generate_writes_a_cordeau_style_instance(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(
        ["generate", str(tmp_path), "--vehicles", "3", "--requests", "6", "--set", "b", "--seed", "2"]
    )
    assert code == 0
    path = tmp_path / "gb3-6-s2.txt"
    assert capsys.readouterr().out.strip() == str(path)
    problem = read_cordeau(path)
    assert (problem.n, len(problem.vehicles)) == (6, 3)
    assert problem.vehicles[0].capacity.seat == 6
    assert problem.vehicles[0].max_duration == 480.0
    for i, request in enumerate(problem.requests):
        assert request.max_ride_time == 45.0
        assert 1 <= request.load.seat <= 6
        assert request.pickup_service == request.load.seat
        tight, free = (
            (request.delivery_window, request.pickup_window)
            if i < 3
            else (request.pickup_window, request.delivery_window)
        )
        assert tight[1] - tight[0] == 15.0
        assert free == (0.0, 1440.0)
