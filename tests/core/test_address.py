import gzip
import json
import re

import pytest
from django import forms
from django.template import Context, Template
from django.utils import translation

from thukkhon.core import address
from thukkhon.core.fields import AddressFieldsMixin

LAMPHUN = {"changwat": "ลำพูน", "amphoe": "เมืองลำพูน", "tambon": "ในเมือง", "postcode": "51000"}


@pytest.fixture(autouse=True)
def _english_messages():
    """Messages are checked against their English source strings (the Thai catalogue may change)."""
    with translation.override("en"):
        yield


# --- The vendored list --------------------------------------------------------------------------------


def test_vendored_data_names_its_source():
    source = address.data_source()
    assert (source.package, source.version, source.data_version) == ("geothai", "3.2.1", "2026.10.23")
    with gzip.open(address.DATA_FILE, "rb") as fh:
        payload = json.load(fh)
    assert payload["version"] == "3.2.1"
    notes = (address.DATA_FILE.parent / "SOURCE.md").read_text()
    assert "geothai" in notes and "3.2.1" in notes and "CC BY 4.0" in notes


def test_the_whole_country_is_there():
    assert len(address.changwats()) == 77
    assert sum(len(address.amphoes(c)) for c in address.changwats()) == 928
    total = sum(len(address.tambons(c, a)) for c in address.changwats() for a in address.amphoes(c))
    assert total == 7436
    assert "กรุงเทพมหานคร" in address.changwats()


def test_lamphun():
    assert address.amphoes("ลำพูน") == [
        "ทุ่งหัวช้าง",
        "บ้านธิ",
        "บ้านโฮ่ง",
        "ป่าซาง",
        "เมืองลำพูน",
        "แม่ทา",
        "ลี้",
        "เวียงหนองล่อง",
    ]
    tambons = address.tambons("ลำพูน", "เมืองลำพูน")
    assert len(tambons) == 15
    assert {"ในเมือง", "เหมืองง่า", "อุโมงค์", "ประตูป่า", "เวียงยอง"} <= set(tambons)
    assert address.postcodes("ลำพูน", "เมืองลำพูน", "ในเมือง") == ["51000"]
    assert address.postcodes("ลำพูน", "เมืองลำพูน", "อุโมงค์") == ["51150"]


def test_a_tambon_can_have_more_than_one_postcode():
    assert address.postcodes("กรุงเทพมหานคร", "เขตปทุมวัน", "ปทุมวัน") == ["10330", "10500"]


def test_unknown_names_give_empty_lists():
    assert address.amphoes("ไม่มีจังหวัดนี้") == []
    assert address.tambons("ลำพูน", "เมืองเชียงใหม่") == []
    assert address.postcodes("ลำพูน", "เมืองลำพูน", "ช้างเผือก") == []


def test_lookups_accept_the_usual_spellings():
    assert address.amphoes("จ.ลำพูน") == address.amphoes("ลำพูน")
    assert address.amphoes("จังหวัด ลำพูน") == address.amphoes("ลำพูน")
    assert address.tambons("ลำพูน", "อ.เมือง") == address.tambons("ลำพูน", "เมืองลำพูน")
    assert address.tambons("ลำพูน", "อำเภอเมืองลำพูน") == address.tambons("ลำพูน", "เมืองลำพูน")
    assert address.postcodes("ลำพูน", "เมืองลำพูน", "ต.ในเมือง") == ["51000"]
    assert address.tambons("กทม.", "ปทุมวัน") == address.tambons("กรุงเทพมหานคร", "เขตปทุมวัน")
    assert address.postcodes("กรุงเทพฯ".rstrip("ฯ"), "เขตปทุมวัน", "แขวงปทุมวัน") == ["10330", "10500"]


def test_normalize_address():
    assert address.normalize_address(
        tambon="ต.ในเมือง", amphoe="อ.เมือง", changwat="จ.ลำพูน", postcode="๕๑๐๐๐"
    ) == (LAMPHUN)
    assert address.normalize_address(tambon=" x ", amphoe="", changwat="", postcode="") == {
        "changwat": "",
        "amphoe": "",
        "tambon": "x",
        "postcode": "",
    }


def test_tambons_by_postcode():
    assert address.tambons_by_postcode("51150") == [
        ("ลำพูน", "เมืองลำพูน", "หนองช้างคืน"),
        ("ลำพูน", "เมืองลำพูน", "อุโมงค์"),
    ]


# --- Validation -----------------------------------------------------------------------------------------


def test_valid_lamphun_address():
    assert address.address_errors(**LAMPHUN) == {}
    assert (
        address.address_errors(tambon="ต.ในเมือง", amphoe="อ.เมือง", changwat="จ.ลำพูน", postcode="๕๑๐๐๐") == {}
    )


def test_all_blank_is_valid():
    assert address.address_errors(tambon="", amphoe="", changwat="", postcode="") == {}
    assert address.address_errors(tambon=" ", amphoe="", changwat="", postcode=" ") == {}


def test_wrong_postcode():
    assert address.address_errors(**{**LAMPHUN, "postcode": "51150"}) == {
        "postcode": "Postcode 51150 is not used in tambon ในเมือง; its postcode is 51000."
    }
    assert address.address_errors(**{**LAMPHUN, "postcode": "5100"}) == {
        "postcode": "A postcode has 5 digits."
    }
    assert address.address_errors(**{**LAMPHUN, "postcode": "5100O"}) == {
        "postcode": "A postcode has 5 digits."
    }


def test_amphoe_not_in_changwat():
    assert address.address_errors(**{**LAMPHUN, "amphoe": "เมืองเชียงใหม่"}) == {
        "amphoe": "“เมืองเชียงใหม่” is not an amphoe of ลำพูน."
    }


def test_tambon_not_in_amphoe():
    assert address.address_errors(**{**LAMPHUN, "tambon": "ช้างเผือก"}) == {
        "tambon": "“ช้างเผือก” is not a tambon of amphoe เมืองลำพูน."
    }


def test_unknown_changwat():
    assert address.address_errors(**{**LAMPHUN, "changwat": "ลำพูนใต้"}) == {
        "changwat": "“ลำพูนใต้” is not a changwat of Thailand."
    }


def test_partial_address_is_an_error_on_each_missing_field():
    assert address.address_errors(tambon="", amphoe="", changwat="ลำพูน", postcode="") == {
        "amphoe": "Choose the amphoe.",
        "tambon": "Choose the tambon.",
        "postcode": "Enter the postcode.",
    }
    assert address.address_errors(**{**LAMPHUN, "postcode": ""}) == {"postcode": "Enter the postcode."}
    assert address.address_errors(tambon="ในเมือง", amphoe="", changwat="", postcode="51000") == {
        "changwat": "Choose the changwat.",
        "amphoe": "Choose the amphoe.",
    }


# --- htmx endpoints -------------------------------------------------------------------------------------


def _options(response):
    """The options for the target select (out-of-band resets left out)."""
    html = response.content.decode().split("<select", 1)[0]
    return re.findall(r'<option value="([^"]*)"( selected)?>([^<]*)</option>', html)


@pytest.mark.django_db
def test_amphoe_options_are_public_and_cacheable(client):
    response = client.get("/address/amphoes/", {"changwat": "ลำพูน"}, HTTP_ACCEPT_LANGUAGE="th")
    assert response.status_code == 200
    assert "public" in response.headers["Cache-Control"]
    assert "max-age=86400" in response.headers["Cache-Control"]
    assert "Accept-Language" in response.headers["Vary"]
    values = [value for value, _sel, _label in _options(response)]
    assert values == ["", *address.amphoes("ลำพูน")]


@pytest.mark.django_db
def test_tambon_options_with_a_form_prefix_and_resets(client):
    response = client.get(
        "/address/tambons/",
        {
            "household-changwat": "ลำพูน",
            "household-amphoe": "เมืองลำพูน",
            "reset": "id_household-postcode:postcode",
        },
    )
    assert [value for value, _sel, _label in _options(response)] == ["", *address.tambons("ลำพูน", "เมืองลำพูน")]
    assert '<select id="id_household-postcode" hx-swap-oob="innerHTML">' in response.content.decode()


@pytest.mark.django_db
def test_resets_only_take_plain_ids(client):
    response = client.get(
        "/address/tambons/", {"changwat": "ลำพูน", "reset": 'x"><script>:postcode bad:level'}
    )
    assert "<script>" not in response.content.decode()
    assert "hx-swap-oob" not in response.content.decode()


@pytest.mark.django_db
def test_postcode_option_is_selected_when_there_is_one(client):
    response = client.get("/address/postcodes/", LAMPHUN)
    assert _options(response) == [("51000", " selected", "51000")]
    response = client.get(
        "/address/postcodes/", {"changwat": "กรุงเทพมหานคร", "amphoe": "เขตปทุมวัน", "tambon": "ปทุมวัน"}
    )
    assert [value for value, _sel, _label in _options(response)] == ["", "10330", "10500"]


@pytest.mark.django_db
def test_unknown_parent_gives_only_the_placeholder(client):
    response = client.get("/address/amphoes/", {"changwat": "ไม่มี"})
    assert [value for value, _sel, _label in _options(response)] == [""]


@pytest.mark.django_db
def test_english_labels(client):
    response = client.get("/address/amphoes/", {"changwat": "ลำพูน"}, HTTP_ACCEPT_LANGUAGE="en")
    assert ("เมืองลำพูน", "", "Mueang Lamphun (เมืองลำพูน)") in _options(response)


@pytest.mark.django_db
def test_changwat_options(client):
    response = client.get("/address/changwats/")
    assert len(_options(response)) == 78


def test_endpoints_refuse_posts(client):
    assert client.post("/address/amphoes/", {"changwat": "ลำพูน"}).status_code == 405


# --- Form mixin -----------------------------------------------------------------------------------------


class HouseForm(AddressFieldsMixin, forms.Form):
    house_no = forms.CharField(required=False)
    tambon = forms.CharField(required=False)  # replaced, in place, by the mixin
    note = forms.CharField(required=False)


def test_mixin_puts_the_selects_together_changwat_first():
    assert list(HouseForm().fields) == ["house_no", "changwat", "amphoe", "tambon", "postcode", "note"]


def test_mixin_wires_htmx():
    html = str(HouseForm(prefix="h")["changwat"])
    assert 'hx-get="/address/amphoes/"' in html
    assert 'hx-target="#id_h-amphoe"' in html
    assert 'hx-trigger="change"' in html
    assert "id_h-tambon:tambon id_h-postcode:postcode" in html
    html = str(HouseForm(prefix="h")["tambon"])
    assert 'hx-get="/address/postcodes/"' in html
    assert 'hx-include="#id_h-changwat, #id_h-amphoe"' in html


def test_mixin_fills_the_choices_for_the_values_it_holds():
    with translation.override("th"):
        form = HouseForm(initial={"changwat": "ลำพูน", "amphoe": "เมืองลำพูน", "tambon": "ในเมือง"})
    assert [v for v, _label in form.fields["tambon"].widget.choices][1:] == address.tambons(
        "ลำพูน", "เมืองลำพูน"
    )
    assert [v for v, _label in form.fields["postcode"].widget.choices] == ["", "51000"]
    html = Template('{% include "core/address/fields.html" with form=form %}').render(Context({"form": form}))
    assert '<option value="ในเมือง" selected>ในเมือง</option>' in html


def test_mixin_validates_and_normalizes():
    form = HouseForm(data={**LAMPHUN, "house_no": "1"})
    assert form.is_valid(), form.errors
    assert {k: form.cleaned_data[k] for k in LAMPHUN} == LAMPHUN
    form = HouseForm(
        data={"changwat": "จ.ลำพูน", "amphoe": "อ.เมือง", "tambon": "ต.ในเมือง", "postcode": "๕๑๐๐๐"}
    )
    assert form.is_valid(), form.errors
    assert {k: form.cleaned_data[k] for k in LAMPHUN} == LAMPHUN
    form = HouseForm(data={**LAMPHUN, "postcode": "51150"})
    assert not form.is_valid()
    assert form.errors == {
        "postcode": ["Postcode 51150 is not used in tambon ในเมือง; its postcode is 51000."]
    }
    form = HouseForm(data={"changwat": "ลำพูน"})
    assert set(form.errors) == {"amphoe", "tambon", "postcode"}
    assert HouseForm(data={}).is_valid()
