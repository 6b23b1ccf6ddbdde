"""Thai addresses checked against the official list of changwats, amphoes, tambons and postcodes.

The list is vendored in ``thukkhon/core/data/thai_address.json.gz`` (from the ``geothai`` package;
see ``data/SOURCE.md`` and ``docs/decisions/0003-thai-address-data.md``). It is read on first use
and kept in memory for the life of the process (about 7,400 tambons).

Addresses are stored with Thai names, as written on an envelope (``ThaiAddress``). Lookups accept
the usual ways people type them: with or without ``จ.`` / ``จังหวัด``, ``อ.`` / ``อำเภอ`` / ``เขต``,
``ต.`` / ``ตำบล`` / ``แขวง``, ``กทม.`` for Bangkok, ``เมือง`` for a province's capital district, Thai
digits in a postcode and stray spaces. :func:`normalize_address` turns such input into the official
spelling; :func:`address_errors` says what is wrong, field by field.
"""

from __future__ import annotations

import gzip
import json
import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from django.utils.translation import get_language
from django.utils.translation import gettext as _

from thukkhon.core.thai import arabic_digits, thai_sort_key

DATA_FILE = Path(__file__).resolve().parent / "data" / "thai_address.json.gz"
ADDRESS_FIELDS = ("changwat", "amphoe", "tambon", "postcode")

_PREFIXES = {
    "changwat": ("จังหวัด", "จ."),
    "amphoe": ("อำเภอ", "อ.", "เขต", "ข."),
    "tambon": ("ตำบล", "ต.", "แขวง", "ข."),
}
_CHANGWAT_ALIASES = {"กทม": "กรุงเทพมหานคร", "กทม.": "กรุงเทพมหานคร", "กรุงเทพ": "กรุงเทพมหานคร"}
_POSTCODE_RE = re.compile(r"^\d{5}$")


@dataclass(frozen=True, slots=True)
class Area:
    """A changwat, amphoe or tambon: DOPA code, Thai and English names, and (for a tambon) its
    postcodes."""

    code: str
    name_th: str
    name_en: str
    postcodes: tuple[str, ...] = ()

    def label(self, language: str | None = None) -> str:
        """The name to show: Thai, or in English "Mueang Lamphun (เมืองลำพูน)"."""
        if (language or get_language() or "th").startswith("en") and self.name_en:
            return f"{self.name_en} ({self.name_th})"
        return self.name_th


@dataclass(slots=True)
class _Node:
    area: Area
    children: dict[str, _Node] = field(default_factory=dict)  # key → node
    names: list[str] = field(default_factory=list)  # official Thai names in Thai order


def _key(level: str, text: object) -> str:
    """The lookup key of a name typed at ``level``: spaces and the level's prefix removed."""
    cleaned = re.sub(r"\s+", "", str(text or ""))
    if level == "changwat" and cleaned in _CHANGWAT_ALIASES:
        cleaned = _CHANGWAT_ALIASES[cleaned]
    for prefix in _PREFIXES[level]:
        if cleaned.startswith(prefix) and len(cleaned) > len(prefix):
            cleaned = cleaned[len(prefix) :]
            break
    return cleaned


@dataclass(frozen=True, slots=True)
class DataSource:
    package: str
    version: str
    data_version: str


@cache
def _load() -> tuple[DataSource, _Node]:
    with gzip.open(DATA_FILE, "rb") as fh:
        payload = json.load(fh)
    root = _Node(Area("", "ประเทศไทย", "Thailand"))
    for c_code, c_th, c_en, amphoes in payload["changwats"]:
        changwat = _Node(Area(c_code, c_th, c_en))
        root.children[_key("changwat", c_th)] = changwat
        for a_code, a_th, a_en, tambons in amphoes:
            amphoe = _Node(Area(a_code, a_th, a_en))
            changwat.children[_key("amphoe", a_th)] = amphoe
            if a_code.endswith("01") and a_th.startswith("เมือง"):
                changwat.children.setdefault("เมือง", amphoe)  # the capital district
            for t_code, t_th, t_en, codes in tambons:
                tambon = _Node(Area(t_code, t_th, t_en, tuple(codes)))
                amphoe.children[_key("tambon", t_th)] = tambon
            amphoe.names = sorted((n.area.name_th for n in amphoe.children.values()), key=thai_sort_key)
        changwat.names = sorted({n.area.name_th for n in changwat.children.values()}, key=thai_sort_key)
    root.names = sorted((n.area.name_th for n in root.children.values()), key=thai_sort_key)
    source = DataSource(payload["package"], payload["version"], payload["data_version"])
    return source, root


def data_source() -> DataSource:
    """The package, package version and data release of the vendored list."""
    return _load()[0]


def _changwat(changwat: object) -> _Node | None:
    return _load()[1].children.get(_key("changwat", changwat))


def _amphoe(changwat: object, amphoe: object) -> _Node | None:
    node = _changwat(changwat)
    return node.children.get(_key("amphoe", amphoe)) if node else None


def _tambon(changwat: object, amphoe: object, tambon: object) -> _Node | None:
    node = _amphoe(changwat, amphoe)
    return node.children.get(_key("tambon", tambon)) if node else None


# --- Lists -----------------------------------------------------------------------------------------------


def changwats() -> list[str]:
    """The 77 changwats (Bangkok included), in Thai dictionary order."""
    return list(_load()[1].names)


def amphoes(changwat: str) -> list[str]:
    """The amphoes (khet in Bangkok) of a changwat; empty for an unknown changwat."""
    node = _changwat(changwat)
    return list(node.names) if node else []


def tambons(changwat: str, amphoe: str) -> list[str]:
    """The tambons (khwaeng in Bangkok) of an amphoe of a changwat; empty when unknown."""
    node = _amphoe(changwat, amphoe)
    return list(node.names) if node else []


def postcodes(changwat: str, amphoe: str, tambon: str) -> list[str]:
    """The postcodes of a tambon (usually one; more where it spans post office zones)."""
    node = _tambon(changwat, amphoe, tambon)
    return list(node.area.postcodes) if node else []


def tambons_by_postcode(postcode: str) -> list[tuple[str, str, str]]:
    """Every (changwat, amphoe, tambon) that uses a postcode."""
    code = arabic_digits(postcode).strip()
    found: list[tuple[str, str, str]] = []
    for c in _load()[1].children.values():
        for a in c.children.values():  # the capital district twice (its alias): the set removes it
            found.extend(
                (c.area.name_th, a.area.name_th, t.area.name_th)
                for t in a.children.values()
                if code in t.area.postcodes
            )
    return sorted(set(found))


def _choices(nodes: list[_Node]) -> list[tuple[str, str]]:
    language = get_language() or "th"
    unique = {n.area.name_th: n.area for n in nodes}
    if language.startswith("en"):
        ordered = sorted(unique.values(), key=lambda a: a.name_en or a.name_th)
    else:
        ordered = sorted(unique.values(), key=lambda a: thai_sort_key(a.name_th))
    return [(a.name_th, a.label(language)) for a in ordered]


def changwat_choices() -> list[tuple[str, str]]:
    """``(Thai name, label in the active language)`` for every changwat."""
    return _choices(list(_load()[1].children.values()))


def amphoe_choices(changwat: str) -> list[tuple[str, str]]:
    node = _changwat(changwat)
    return _choices(list(node.children.values())) if node else []


def tambon_choices(changwat: str, amphoe: str) -> list[tuple[str, str]]:
    node = _amphoe(changwat, amphoe)
    return _choices(list(node.children.values())) if node else []


# --- Checking -------------------------------------------------------------------------------------------


def normalize_address(*, tambon: str, amphoe: str, changwat: str, postcode: str) -> dict[str, str]:
    """The official spelling of each part that is found (others are returned stripped), and the
    postcode in Arabic digits: ``ต.ในเมือง``, ``อ.เมือง``, ``จ.ลำพูน``, ``๕๑๐๐๐`` →
    ``ในเมือง``, ``เมืองลำพูน``, ``ลำพูน``, ``51000``."""
    result = {
        "changwat": (changwat or "").strip(),
        "amphoe": (amphoe or "").strip(),
        "tambon": (tambon or "").strip(),
        "postcode": re.sub(r"\s+", "", arabic_digits(postcode or "")),
    }
    c = _changwat(changwat)
    if c is None:
        return result
    result["changwat"] = c.area.name_th
    a = c.children.get(_key("amphoe", amphoe))
    if a is None:
        return result
    result["amphoe"] = a.area.name_th
    t = a.children.get(_key("tambon", tambon))
    if t is not None:
        result["tambon"] = t.area.name_th
    return result


def address_errors(*, tambon: str, amphoe: str, changwat: str, postcode: str) -> dict[str, str]:
    """What is wrong with the administrative part of an address, as ``{field: message}`` in the
    active language; empty when it is right. An address left wholly blank is right; one filled in
    part has an error on each missing field. The postcode must have 5 digits and be one of the
    tambon's postcodes."""
    values = normalize_address(tambon=tambon, amphoe=amphoe, changwat=changwat, postcode=postcode)
    if not any(values.values()):
        return {}
    errors: dict[str, str] = {}
    missing = {
        "changwat": _("Choose the changwat."),
        "amphoe": _("Choose the amphoe."),
        "tambon": _("Choose the tambon."),
        "postcode": _("Enter the postcode."),
    }
    for name in ADDRESS_FIELDS:
        if not values[name]:
            errors[name] = missing[name]
    if values["postcode"] and not _POSTCODE_RE.match(values["postcode"]):
        errors["postcode"] = _("A postcode has 5 digits.")

    c = _changwat(values["changwat"]) if values["changwat"] else None
    if values["changwat"] and c is None:
        errors["changwat"] = _("“%(name)s” is not a changwat of Thailand.") % {"name": values["changwat"]}
    if c is None or not values["amphoe"]:
        return errors
    a = c.children.get(_key("amphoe", values["amphoe"]))
    if a is None:
        errors["amphoe"] = _("“%(name)s” is not an amphoe of %(changwat)s.") % {
            "name": values["amphoe"],
            "changwat": c.area.name_th,
        }
        return errors
    if not values["tambon"]:
        return errors
    t = a.children.get(_key("tambon", values["tambon"]))
    if t is None:
        errors["tambon"] = _("“%(name)s” is not a tambon of amphoe %(amphoe)s.") % {
            "name": values["tambon"],
            "amphoe": a.area.name_th,
        }
        return errors
    if "postcode" not in errors and values["postcode"] not in t.area.postcodes:
        errors["postcode"] = _(
            "Postcode %(postcode)s is not used in tambon %(tambon)s; its postcode is %(postcodes)s."
        ) % {
            "postcode": values["postcode"],
            "tambon": t.area.name_th,
            "postcodes": ", ".join(t.area.postcodes),
        }
    return errors
