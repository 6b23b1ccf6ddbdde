"""Cordeau reader and the solution JSON."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from thukkhon.dispatch.formats import (
    InstanceFormatError,
    parse_cordeau,
    plan_from_json,
    plan_to_json,
    read_cordeau,
)
from thukkhon.dispatch.model import Plan, Stop

from .conftest import cordeau_file

TINY = """1 2 480 3 30
0 0 0 0 0 0 480
1 1 0 3 1 0 1440
2 2 0 3 1 10 25
3 3 0 3 -1 20 35
4 4 0 3 -1 0 1440
5 0 0 0 0 0 480
"""


def test_reads_a2_16_exactly() -> None:
    problem = read_cordeau(cordeau_file("a2-16"))
    assert problem.name == "a2-16"
    assert problem.n == 16
    assert len(problem.vehicles) == 2
    vehicle = problem.vehicles[0]
    assert vehicle.capacity.seat == 3
    assert (vehicle.shift_start, vehicle.shift_end, vehicle.max_duration) == (0.0, 480.0, 480.0)
    assert (vehicle.start_depot, vehicle.end_depot) == (0, 33)
    assert problem.travel_time.shape == (34, 34)
    # node 1 is at (-1.198, -5.164), node 14 at (7.835, -9.269); the depot at the origin
    assert problem.travel_time[0, 1] == math.hypot(-1.198, -5.164)
    assert problem.travel_time[1, 14] == math.hypot(-1.198 - 7.835, -5.164 + 9.269)
    first = problem.requests[0]
    assert (first.pickup, first.delivery) == (1, 17)
    assert first.pickup_window == (0.0, 1440.0)
    assert first.delivery_window == (402.0, 417.0)
    assert (first.pickup_service, first.delivery_service, first.load.seat, first.max_ride_time) == (
        3,
        3,
        1,
        30,
    )
    assert problem.requests[13].pickup_window == (160.0, 175.0)


@pytest.mark.parametrize(
    ("text", "line", "fragment"),
    [
        ("", 1, "empty file"),
        ("1 2 480 x 30\n", 1, "'x' is not a number"),
        ("1 2 480\n", 1, "expected 5 fields"),
        (TINY.replace("2 2 0 3 1 10 25", "2 2 0 3 1 10"), 4, "expected 7 fields"),
        (TINY.replace("3 3 0 3 -1 20 35", "3 3 zero 3 -1 20 35"), 5, "'zero' is not a number"),
        (TINY.replace("4 4 0 3 -1 0 1440", "7 4 0 3 -1 0 1440"), 6, "node id 7, expected 4"),
        (TINY.replace("5 0 0 0 0 0 480\n", ""), 7, "expected 6"),
        (TINY + "6 0 0 0 0 0 480\n", 8, "unexpected line"),
        (TINY.replace("2 2 0 3 1 10 25", "2 2 0 3 1 30 25"), 4, "time window [30, 25] is empty"),
        (TINY.replace("3 3 0 3 -1 20 35", "3 3 0 3 -2 20 35"), 5, "does not match pickup load"),
        ("1.5 2 480 3 30\n", 1, "K (vehicles) must be an integer"),
    ],
)
def test_malformed_files_name_the_line(text: str, line: int, fragment: str, tmp_path: Path) -> None:
    path = tmp_path / "bad.txt"
    path.write_text(text)
    with pytest.raises(InstanceFormatError) as caught:
        read_cordeau(path)
    assert caught.value.line == line
    assert f"line {line}:" in str(caught.value)
    assert fragment in str(caught.value)
    assert str(path) in str(caught.value)


def test_blank_lines_are_skipped_but_counted() -> None:
    text = TINY.replace("2 2 0 3 1 10 25\n", "\n2 2 0 3 1 10\n")
    with pytest.raises(InstanceFormatError) as caught:
        parse_cordeau(text)
    assert caught.value.line == 5


def test_solution_round_trip() -> None:
    problem = parse_cordeau(TINY, name="tiny")
    plan = Plan(problem, [[Stop(1, True), Stop(0, True), Stop(0, False), Stop(1, False)]], [])
    document = plan_to_json(plan, seconds=1.5)
    assert document["instance"] == "tiny"
    assert document["routes"] == [[2, 1, 3, 4]]
    assert document["unserved"] == []
    assert document["seconds"] == 1.5
    assert document["cost"] == pytest.approx(1 + 1 + 2 + 1 + 1 + 4, abs=1e-9)
    again = plan_from_json(problem, json.loads(json.dumps(document)))
    assert again.routes == plan.routes
    assert again.unserved == []
    empty = plan_from_json(problem, {"routes": []})
    assert empty.unserved == [0, 1]
