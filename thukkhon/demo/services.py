"""The services of the demo town: funerals, early childhood and the People Assistance Vehicle.

Run after :func:`thukkhon.demo.town.build_demo`. Funerals come first (the 2021 wave marks its dead
as deceased), so that the rides and the classrooms are built for the living.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from thukkhon.childhood.demo import build_childhood_demo
from thukkhon.core.models import Municipality
from thukkhon.funerals.demo import build_funeral_demo
from thukkhon.rides.demo import build_rides_demo


def build_service_demos(
    town: Municipality,
    *,
    seed: int = 2566,
    today: date | None = None,
    progress: Callable[[str], None] | None = None,
) -> None:
    say = progress or (lambda _msg: None)
    funerals = build_funeral_demo(town)
    say(f"ฌาปนกิจ {funerals.get('cases', 0)} ราย")
    childhood = build_childhood_demo(town, seed=seed)
    say(f"เด็กปฐมวัย {childhood.get('children', 0)} คน")
    rides = build_rides_demo(town, seed=seed, today=today)
    say(f"รถช่วยเหลือประชาชน {rides.get('requests', 0)} เที่ยวย้อนหลัง, พรุ่งนี้ {rides.get('tomorrow', 0)}")
