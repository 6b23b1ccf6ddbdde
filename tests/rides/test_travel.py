"""Travel-time matrices: haversine × detour at a speed, and OSRM's table service on a fake server."""

from __future__ import annotations

import json
import math
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from thukkhon.rides.travel import haversine_km, haversine_matrix, osrm_matrix, travel_matrix

ONE_DEGREE_KM = 2 * math.pi * 6371.0088 / 360  # 111.195 km along the equator


def test_haversine_one_degree_of_longitude_on_the_equator() -> None:
    assert haversine_km((0.0, 0.0), (0.0, 1.0)) == pytest.approx(ONE_DEGREE_KM, rel=1e-9)


def test_haversine_matrix_applies_detour_and_speed() -> None:
    m = haversine_matrix([(0.0, 0.0), (0.0, 1.0), (0.0, 0.0)], speed_kmh=30, detour_factor=1.3)
    assert m.source == "haversine"
    assert m.km[0, 1] == pytest.approx(ONE_DEGREE_KM * 1.3)
    assert m.minutes[0, 1] == pytest.approx(ONE_DEGREE_KM * 1.3 / 30 * 60)  # 289.107 min
    assert m.minutes[0, 1] == pytest.approx(289.107, abs=1e-3)
    assert m.minutes[1, 0] == m.minutes[0, 1]
    assert m.km[0, 2] == 0.0 and m.minutes[1, 1] == 0.0


class _FakeOsrm(BaseHTTPRequestHandler):
    """Answers /table/v1/driving/...: 60 s and 1000 m per degree of longitude between two points."""

    calls: list[str] = []
    mode = "ok"

    def do_GET(self) -> None:
        type(self).calls.append(self.path)
        if self.mode == "error":
            self.send_response(500)
            self.end_headers()
            return
        url = urlsplit(self.path)
        coords = url.path.split("/")[-1].split(";")
        lons = [float(c.split(",")[0]) for c in coords]
        query = parse_qs(url.query)
        sources = [int(x) for x in query["sources"][0].split(";")] if "sources" in query else range(len(lons))
        dests = (
            [int(x) for x in query["destinations"][0].split(";")]
            if "destinations" in query
            else range(len(lons))
        )
        body: dict[str, Any] = {
            "code": "Ok",
            "durations": [[60.0 * abs(lons[i] - lons[j]) for j in dests] for i in sources],
            "distances": [[1000.0 * abs(lons[i] - lons[j]) for j in dests] for i in sources],
        }
        if self.mode == "noroute":
            body["durations"][0][-1] = None
        data = json.dumps(body).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def osrm() -> Iterator[str]:
    _FakeOsrm.calls = []
    _FakeOsrm.mode = "ok"
    server = ThreadingHTTPServer(("127.0.0.1", 0), _FakeOsrm)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


POINTS = [(18.58, 0.0), (18.58, 1.0), (18.58, 3.0)]  # longitudes 0, 1, 3


def test_osrm_table_gives_minutes_and_km(osrm: str) -> None:
    m = travel_matrix(POINTS, speed_kmh=30, detour_factor=1.3, osrm_url=osrm)
    assert m.source == "osrm"
    assert m.minutes.tolist() == [[0.0, 1.0, 3.0], [1.0, 0.0, 2.0], [3.0, 2.0, 0.0]]
    assert m.km.tolist() == [[0.0, 1.0, 3.0], [1.0, 0.0, 2.0], [3.0, 2.0, 0.0]]
    assert len(_FakeOsrm.calls) == 1
    path = _FakeOsrm.calls[0]
    assert path.startswith("/table/v1/driving/0.000000,18.580000;1.000000,18.580000;3.000000,18.580000?")
    assert "annotations=duration,distance" in path


def test_osrm_is_asked_in_blocks(osrm: str) -> None:
    m = osrm_matrix(POINTS, base_url=osrm, block=2)
    assert m.minutes.tolist() == [[0.0, 1.0, 3.0], [1.0, 0.0, 2.0], [3.0, 2.0, 0.0]]
    assert len(_FakeOsrm.calls) == 4  # {0,1}×{0,1}, {0,1}×{2}, {2}×{0,1}, {2}×{2}


@pytest.mark.parametrize("mode", ["error", "noroute"])
def test_osrm_failure_falls_back_to_haversine(osrm: str, mode: str) -> None:
    _FakeOsrm.mode = mode
    m = travel_matrix(POINTS, speed_kmh=30, detour_factor=1.3, osrm_url=osrm)
    assert m.source == "haversine"
    assert m.note
    assert m.km[0, 1] == pytest.approx(haversine_km(POINTS[0], POINTS[1]) * 1.3)


def test_osrm_unreachable_falls_back_quickly() -> None:
    m = travel_matrix(POINTS, speed_kmh=30, detour_factor=1.3, osrm_url="http://127.0.0.1:9", timeout=1)
    assert m.source == "haversine"


def test_osrm_url_from_settings(osrm: str, settings: Any) -> None:
    settings.OSRM_URL = osrm
    assert travel_matrix(POINTS, speed_kmh=30, detour_factor=1.3).source == "osrm"
    settings.OSRM_URL = ""
    assert travel_matrix(POINTS, speed_kmh=30, detour_factor=1.3).source == "haversine"
