"""Random instances in the style of Cordeau's generator, written in the benchmark format.

Coordinates uniform in [-10, 10]^2, depot at the origin, horizon T (480 by default). The first half
of the requests (outbound) have a 15-minute window on the delivery, the second half (inbound) on
the pickup; the other node is unrestricted ([0, 1440]). Set "a": load 1, service 3, Q=3, L=30; set
"b": load 1..6, service = load, Q=6, L=45. Windows are placed so that the request alone is feasible.
"""

from __future__ import annotations

import math
import random


def cordeau_style_instance(
    vehicles: int, requests: int, kind: str = "a", seed: int = 0, horizon: int = 480
) -> str:
    rng = random.Random(f"{kind}{vehicles}-{requests}-{seed}")
    capacity, max_ride = (3, 30) if kind == "a" else (6, 45)
    width = 15
    points = [(rng.uniform(-10, 10), rng.uniform(-10, 10)) for _ in range(2 * requests)]
    loads = [1 if kind == "a" else rng.randint(1, 6) for _ in range(requests)]
    services = [3 if kind == "a" else q for q in loads]
    lines = [
        f"{vehicles} {requests} {horizon} {capacity} {max_ride}",
        f"{0:3d} {0.0:7.3f} {0.0:7.3f} 0 0 0 {horizon}",
    ]
    windows: list[tuple[tuple[int, int], tuple[int, int]]] = []
    for i in range(requests):
        (px, py), (dx, dy) = points[i], points[requests + i]
        to_pickup = math.hypot(px, py)
        direct = math.hypot(px - dx, py - dy)
        back = math.hypot(dx, dy)
        d = services[i]
        if i < requests // 2:  # outbound: window on the delivery
            low = math.ceil(to_pickup + d + direct)
            high = math.floor(horizon - back - d - width)
            start = rng.randint(low, max(low, high))
            windows.append(((0, 1440), (start, start + width)))
        else:  # inbound: window on the pickup
            low = math.ceil(to_pickup)
            high = math.floor(horizon - back - 2 * d - direct - width)
            start = rng.randint(low, max(low, high))
            windows.append(((start, start + width), (0, 1440)))
    for i in range(requests):
        x, y = points[i]
        (e, late), _ = windows[i]
        lines.append(f"{i + 1:3d} {x:7.3f} {y:7.3f} {services[i]} {loads[i]} {e} {late}")
    for i in range(requests):
        x, y = points[requests + i]
        _, (e, late) = windows[i]
        lines.append(f"{requests + i + 1:3d} {x:7.3f} {y:7.3f} {services[i]} {-loads[i]} {e} {late}")
    lines.append(f"{2 * requests + 1:3d} {0.0:7.3f} {0.0:7.3f} 0 0 0 {horizon}")
    return "\n".join(lines) + "\n"
