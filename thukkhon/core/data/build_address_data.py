"""Regenerate ``thai_address.json.gz`` from the ``geothai`` package on PyPI.

Run from the repository root (it downloads the wheel into a temporary folder; nothing is installed)::

    uv run python -m thukkhon.core.data.build_address_data            # the pinned version
    uv run python -m thukkhon.core.data.build_address_data 3.2.2      # another version
    uv run python -m thukkhon.core.data.build_address_data path/to/geothai-3.2.1-py3-none-any.whl

The download uses ``uv tool run pip download`` (PyPI only).

then update ``SOURCE.md`` with the version printed and run the address tests.

Output: gzip-compressed JSON (written with a fixed mtime, so the same input gives the same bytes)::

    {"package": "geothai", "version": "3.2.1", "data_version": "2026.10.23",
     "changwats": [[code, name_th, name_en,
                    [[code, name_th, name_en,
                      [[code, name_th, name_en, [postcode, ...]], ...]], ...]], ...]}

Codes are DOPA administrative codes (2, 4 and 6 digits); lists are in code order.
"""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

PACKAGE = "geothai"
PINNED_VERSION = "3.2.1"
HERE = Path(__file__).resolve().parent
OUTPUT = HERE / "thai_address.json.gz"


def _read_wheel(wheel: Path) -> tuple[dict[str, list[list[str]]], str]:
    with zipfile.ZipFile(wheel) as zf:
        data = {
            level: json.loads(zf.read(f"geothai/_data/{level}.json"))
            for level in ("provinces", "districts", "subdistricts")
        }
        schema = zf.read("geothai/_schema.py").decode()
    data_version = next(line.split('"')[1] for line in schema.splitlines() if line.startswith("DATA_VERSION"))
    return data, data_version


def _download(version: str, folder: str) -> Path:
    subprocess.run(
        ["uv", "tool", "run", "pip", "download", "--no-deps", "--only-binary=:all:",
         f"{PACKAGE}=={version}", "-d", folder],
        check=True,
    )  # fmt: skip
    return next(Path(folder).glob(f"{PACKAGE}-{version}-*.whl"))


def build(version_or_wheel: str = PINNED_VERSION) -> dict[str, object]:
    with tempfile.TemporaryDirectory() as tmp:
        if version_or_wheel.endswith(".whl"):
            wheel = Path(version_or_wheel)
        else:
            wheel = _download(version_or_wheel, tmp)
        version = wheel.name.split("-")[1]
        data, data_version = _read_wheel(wheel)
    tambons: dict[str, list[object]] = {}
    for code, name_th, name_en, postcodes in sorted(data["subdistricts"]):
        tambons.setdefault(code[:4], []).append([code, name_th, name_en, postcodes.split()])
    amphoes: dict[str, list[object]] = {}
    for code, name_th, name_en in sorted(data["districts"]):
        amphoes.setdefault(code[:2], []).append([code, name_th, name_en, tambons.get(code, [])])
    changwats = [
        [code, name_th, name_en, amphoes.get(code, [])]
        for code, name_th, name_en in sorted(data["provinces"])
    ]
    return {"package": PACKAGE, "version": version, "data_version": data_version, "changwats": changwats}


def write(payload: dict[str, object], path: Path = OUTPUT) -> None:
    raw = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
    with path.open("wb") as fh, gzip.GzipFile(fileobj=fh, mode="wb", mtime=0, filename="") as gz:
        gz.write(raw)


def main(argv: list[str]) -> None:
    payload = build(argv[0] if argv else PINNED_VERSION)
    write(payload)
    print(f"{OUTPUT.name}: {PACKAGE} {payload['version']}, data {payload['data_version']}")


if __name__ == "__main__":
    main(sys.argv[1:])
