"""Travel times and distances between the points of a day's plan.

By default: the great-circle (haversine) distance times the municipality's road detour factor, driven
at its configured average speed. When ``settings.OSRM_URL`` is set, an OSRM server's table service
gives road durations and distances instead; if it fails (down, slow, a bad answer), the matrix falls
back to haversine and says so in :attr:`TravelMatrix.source` and :attr:`TravelMatrix.note`, so a plan
is always made.

Times are in minutes, distances in kilometres.
"""

from __future__ import annotations

import json
import logging
import math
import urllib.error
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from django.conf import settings

log = logging.getLogger(__name__)

EARTH_RADIUS_KM = 6371.0088
Point = tuple[float, float]  # (latitude, longitude)
FloatArray = npt.NDArray[np.float64]


@dataclass
class TravelMatrix:
    minutes: FloatArray
    km: FloatArray
    source: str  # "haversine" or "osrm"
    note: str = ""


def haversine_km(a: Point, b: Point) -> float:
    lat1, lon1 = math.radians(a[0]), math.radians(a[1])
    lat2, lon2 = math.radians(b[0]), math.radians(b[1])
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


def haversine_matrix(points: Sequence[Point], *, speed_kmh: float, detour_factor: float) -> TravelMatrix:
    """Road distance ≈ great-circle distance × detour factor; time = distance / speed."""
    if speed_kmh <= 0:
        raise ValueError("speed_kmh must be positive")
    pts = np.radians(np.asarray(points, dtype=np.float64).reshape(-1, 2))
    lat, lon = pts[:, 0][:, None], pts[:, 1][:, None]
    h = np.sin((lat.T - lat) / 2) ** 2 + np.cos(lat) * np.cos(lat.T) * np.sin((lon.T - lon) / 2) ** 2
    km = 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(h, 0.0, 1.0))) * detour_factor
    np.fill_diagonal(km, 0.0)
    minutes = km / speed_kmh * 60.0
    return TravelMatrix(minutes=minutes, km=km, source="haversine")


class OsrmError(Exception):
    pass


def _osrm_block(
    base_url: str, points: Sequence[Point], sources: list[int], destinations: list[int], timeout: float
) -> tuple[FloatArray, FloatArray]:
    """Durations (s) and distances (m) from ``sources`` to ``destinations`` (NaN where no route)."""
    index = sorted(set(sources) | set(destinations))
    where = {p: i for i, p in enumerate(index)}
    coords = ";".join(f"{points[p][1]:.6f},{points[p][0]:.6f}" for p in index)
    query = "annotations=duration,distance"
    if len(index) != len(sources) or len(index) != len(destinations):
        query += "&sources=" + ";".join(str(where[p]) for p in sources)
        query += "&destinations=" + ";".join(str(where[p]) for p in destinations)
    url = f"{base_url.rstrip('/')}/table/v1/driving/{coords}?{query}"
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            body = json.loads(response.read().decode("utf-8"))
    except (urllib.error.URLError, TimeoutError, OSError, ValueError) as exc:
        raise OsrmError(f"OSRM table request failed: {exc}") from exc
    if not isinstance(body, dict) or body.get("code") != "Ok":
        code = body.get("code") if isinstance(body, dict) else "?"
        raise OsrmError(f"OSRM answered {code}")
    try:
        durations = np.array(
            [[np.nan if v is None else float(v) for v in row] for row in body["durations"]], dtype=np.float64
        )
        distances = np.array(
            [[np.nan if v is None else float(v) for v in row] for row in body["distances"]], dtype=np.float64
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise OsrmError(f"OSRM answer without durations and distances: {exc}") from exc
    if durations.shape != (len(sources), len(destinations)) or distances.shape != durations.shape:
        raise OsrmError("OSRM answer of the wrong shape")
    return durations, distances


def osrm_matrix(
    points: Sequence[Point], *, base_url: str, timeout: float = 10.0, block: int = 100
) -> TravelMatrix:
    """Road times and distances from an OSRM table service, asked in blocks of at most ``block``
    sources × ``block`` destinations (the server's default table limit is 100 locations)."""
    n = len(points)
    minutes = np.zeros((n, n), dtype=np.float64)
    km = np.zeros((n, n), dtype=np.float64)
    chunks = [list(range(i, min(i + block, n))) for i in range(0, n, block)]
    for src in chunks:
        for dst in chunks:
            durations, distances = _osrm_block(base_url, points, src, dst, timeout)
            minutes[np.ix_(src, dst)] = durations / 60.0
            km[np.ix_(src, dst)] = distances / 1000.0
    if np.isnan(minutes).any() or np.isnan(km).any():
        raise OsrmError("OSRM found no route between some points")
    np.fill_diagonal(minutes, 0.0)
    np.fill_diagonal(km, 0.0)
    return TravelMatrix(minutes=minutes, km=km, source="osrm")


def travel_matrix(
    points: Sequence[Point],
    *,
    speed_kmh: float,
    detour_factor: float,
    osrm_url: str | None = None,
    timeout: float | None = None,
) -> TravelMatrix:
    """The matrix for ``points``: OSRM when a URL is configured (``settings.OSRM_URL`` unless given),
    haversine × detour otherwise or when OSRM fails."""
    url = settings.OSRM_URL if osrm_url is None else osrm_url
    if url and len(points) > 1:
        wait = timeout if timeout is not None else float(getattr(settings, "OSRM_TIMEOUT", 10.0))
        try:
            return osrm_matrix(points, base_url=url, timeout=wait)
        except OsrmError as exc:
            log.warning("travel times: %s; using straight-line distances instead", exc)
            matrix = haversine_matrix(points, speed_kmh=speed_kmh, detour_factor=detour_factor)
            matrix.note = str(exc)
            return matrix
    return haversine_matrix(points, speed_kmh=speed_kmh, detour_factor=detour_factor)
