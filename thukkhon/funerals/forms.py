"""Forms of funeral assistance: dates typed in the Buddhist Era, times as HH:MM (Bangkok time)."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from thukkhon.core.actor import Actor
from thukkhon.core.fields import BEDateField
from thukkhon.fleet.models import Driver, Vehicle
from thukkhon.funerals import selectors
from thukkhon.funerals.models import Cause, Cremator, Disease, RiteKind
from thukkhon.funerals.services import MANAGE, CaseData, RelativeData
from thukkhon.people.models import Community, Religion, Resident

RELATIVE_SLOTS = 2


def at(day: date | None, moment: time | None) -> datetime | None:
    """A date and an HH:MM time in the current time zone (Asia/Bangkok) as an aware datetime."""
    if day is None:
        return None
    return datetime.combine(day, moment or time(0, 0), tzinfo=timezone.get_current_timezone())


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self) -> None:
        super().__init__(format="%H:%M")


def time_field(label: Any, *, required: bool = True) -> forms.TimeField:
    return forms.TimeField(
        label=label, required=required, widget=TimeInput(), input_formats=["%H:%M", "%H.%M"]
    )


class CaseForm(forms.Form):
    deceased_name = forms.CharField(label=_("Name of the deceased"), max_length=200)
    deceased_id_number = forms.CharField(
        label=_("ID number of the deceased"),
        max_length=20,
        required=False,
        help_text=_("A registry resident with this number is linked to the case."),
    )
    deceased_birth_date = BEDateField(label=_("Birth date of the deceased"), required=False)
    community = forms.ModelChoiceField(
        label=_("Community"), queryset=Community.objects.none(), required=False
    )
    domicile_tambon = forms.CharField(label=_("Domicile tambon"), max_length=100, required=False)
    domicile_amphoe = forms.CharField(label=_("Domicile amphoe"), max_length=100, required=False)
    domicile_changwat = forms.CharField(label=_("Domicile changwat"), max_length=100, required=False)
    died_on = BEDateField(label=_("Date of death"))
    died_time = time_field(_("Time of death"))
    place_of_death = forms.CharField(label=_("Place of death"), max_length=200)
    cause = forms.ChoiceField(label=_("Cause"), choices=Cause.choices)
    disease = forms.ChoiceField(label=_("Infectious disease"), choices=Disease.choices, required=False)
    disease_name = forms.CharField(label=_("Name of the disease"), max_length=100, required=False)
    certificate_no = forms.CharField(
        label=_("Physician's certificate (ท.ร.4/1) no."), max_length=40, required=False
    )
    certificate_issuer = forms.CharField(label=_("Issued by"), max_length=200, required=False)
    registration_no = forms.CharField(
        label=_("Death registration (ท.ร.4) no."), max_length=40, required=False
    )
    registered_on = BEDateField(label=_("Date registered"), required=False)
    registered_time = time_field(_("Time registered"), required=False)
    informant_name = forms.CharField(label=_("Informant"), max_length=200)
    informant_relation = forms.CharField(label=_("Relation to the deceased"), max_length=100, required=False)
    informant_phone = forms.CharField(label=_("Informant's phone"), max_length=20, required=False)
    informant_id_number = forms.CharField(label=_("Informant's ID number"), max_length=20, required=False)
    religion = forms.ChoiceField(label=_("Religion"), choices=Religion.choices, required=False)
    burial = forms.BooleanField(label=_("The family asks for a burial"), required=False)
    rites_notes = forms.CharField(label=_("Rites"), widget=forms.Textarea(attrs={"rows": 2}), required=False)
    welfare_card = forms.BooleanField(label=_("The deceased held a state welfare card"), required=False)
    basic_needs_poor = forms.BooleanField(label=_("Household poor by the basic-needs survey"), required=False)

    def __init__(self, *args: Any, actor: Actor, deceased: Resident | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.actor = actor
        self.deceased = deceased
        self.fields["community"].queryset = Community.objects.filter(municipality=actor.municipality)  # type: ignore[attr-defined]
        for i in range(1, RELATIVE_SLOTS + 1):
            self.fields[f"relative_{i}_name"] = forms.CharField(
                label=_("Relative %(n)d: name") % {"n": i}, max_length=200, required=False
            )
            self.fields[f"relative_{i}_relation"] = forms.CharField(
                label=_("Relation"), max_length=100, required=False
            )
            self.fields[f"relative_{i}_phone"] = forms.CharField(
                label=_("Phone"), max_length=20, required=False
            )
        if not actor.has_role(*MANAGE):
            for name in ("welfare_card", "basic_needs_poor", "community"):
                del self.fields[name]

    def relative_fields(self) -> list[list[forms.BoundField]]:
        return [
            [self[f"relative_{i}_{part}"] for part in ("name", "relation", "phone")]
            for i in range(1, RELATIVE_SLOTS + 1)
        ]

    def to_data(self) -> CaseData:
        c = self.cleaned_data
        died_at = at(c["died_on"], c["died_time"])
        assert died_at is not None
        relatives = [
            RelativeData(
                name=c.get(f"relative_{i}_name", ""),
                relation=c.get(f"relative_{i}_relation", ""),
                phone=c.get(f"relative_{i}_phone", ""),
            )
            for i in range(1, RELATIVE_SLOTS + 1)
        ]
        return CaseData(
            deceased=self.deceased,
            deceased_name=c["deceased_name"],
            deceased_id_number=c["deceased_id_number"],
            deceased_birth_date=c["deceased_birth_date"],
            community=c.get("community"),
            domicile_tambon=c["domicile_tambon"],
            domicile_amphoe=c["domicile_amphoe"],
            domicile_changwat=c["domicile_changwat"],
            died_at=died_at,
            place_of_death=c["place_of_death"],
            cause=c["cause"],
            disease=c["disease"],
            disease_name=c["disease_name"],
            certificate_no=c["certificate_no"],
            certificate_issuer=c["certificate_issuer"],
            registration_no=c["registration_no"],
            registered_at=at(c["registered_on"], c["registered_time"]),
            informant_name=c["informant_name"],
            informant_relation=c["informant_relation"],
            informant_phone=c["informant_phone"],
            informant_id_number=c["informant_id_number"],
            religion=c["religion"],
            burial=c["burial"],
            rites_notes=c["rites_notes"],
            welfare_card=c.get("welfare_card", False),
            basic_needs_poor=c.get("basic_needs_poor", False),
            relatives=[r for r in relatives if r.name.strip()],
        )


class BookingForm(forms.Form):
    cremator: forms.ModelChoiceField[Cremator] = forms.ModelChoiceField(
        label=_("Cremator"), queryset=Cremator.objects.none()
    )
    day = BEDateField(label=_("Date"))
    slot = time_field(_("Slot"))

    def __init__(self, *args: Any, actor: Actor, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["cremator"].queryset = selectors.cremators_visible(actor)  # type: ignore[attr-defined]

    @property
    def starts_at(self) -> datetime:
        value = at(self.cleaned_data["day"], self.cleaned_data["slot"])
        assert value is not None
        return value


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=200)


class StepSignForm(forms.Form):
    handler_name = forms.CharField(label=_("Handler"), max_length=200)
    done_on = BEDateField(label=_("Date"), required=False)
    done_time = time_field(_("Time"), required=False)
    note = forms.CharField(label=_("Note"), max_length=300, required=False)

    @property
    def done_at(self) -> datetime:
        return at(self.cleaned_data["done_on"], self.cleaned_data["done_time"]) or timezone.now()


class DoneForm(forms.Form):
    on = BEDateField(label=_("Date"))
    time = time_field(_("Time"))
    override_reason = forms.CharField(
        label=_("Reason for overriding open protocol steps"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
    )

    @property
    def at(self) -> datetime:
        value = at(self.cleaned_data["on"], self.cleaned_data["time"])
        assert value is not None
        return value


class TransportForm(forms.Form):
    vehicle: forms.ModelChoiceField[Vehicle] = forms.ModelChoiceField(
        label=_("Vehicle"), queryset=Vehicle.objects.none()
    )
    driver: forms.ModelChoiceField[Driver] = forms.ModelChoiceField(
        label=_("Driver"), queryset=Driver.objects.none(), required=False
    )
    day = BEDateField(label=_("Date"))
    starts = time_field(_("From"))
    ends = time_field(_("Until"))
    pickup = forms.CharField(label=_("Pick up at"), max_length=200)
    dropoff = forms.CharField(label=_("Take to"), max_length=200)

    def __init__(self, *args: Any, actor: Actor, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["vehicle"].queryset = selectors.vehicles_for_transport(actor)  # type: ignore[attr-defined]
        self.fields["driver"].queryset = selectors.drivers_for_transport(actor)  # type: ignore[attr-defined]


class RiteForm(forms.Form):
    kind = forms.ChoiceField(label=_("Rite"), choices=RiteKind.choices)
    day = BEDateField(label=_("Date"))
    time = time_field(_("Time"))
    place = forms.CharField(label=_("Place"), max_length=200, required=False)
    stream_url = forms.URLField(label=_("Recording or live stream"), required=False, assume_scheme="https")


class RelativeForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    relation = forms.CharField(label=_("Relation to the deceased"), max_length=100, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=20, required=False)
    id_number = forms.CharField(label=_("ID number"), max_length=20, required=False)
    notify = forms.BooleanField(label=_("Send the case's status messages"), required=False, initial=True)

    def to_data(self) -> RelativeData:
        c = self.cleaned_data
        return RelativeData(
            name=c["name"], relation=c["relation"], phone=c["phone"], id_number=c["id_number"]
        )


class StreamForm(forms.Form):
    stream_url = forms.URLField(
        label=_("Recording or live stream of the rites"), required=False, assume_scheme="https"
    )


class AshesForm(forms.Form):
    to_name = forms.CharField(label=_("Handed to"), max_length=200)
    to_id_number = forms.CharField(label=_("Their ID number"), max_length=20)
    relation = forms.CharField(label=_("Relation to the deceased"), max_length=100, required=False)
    signature_name = forms.CharField(label=_("Signed as"), max_length=200)
    on = BEDateField(label=_("Date"))
    time = time_field(_("Time"))


class ReceiptForm(forms.Form):
    payer_name = forms.CharField(label=_("Paid by"), max_length=200)


class RegistrationForm(forms.Form):
    registration_no = forms.CharField(label=_("Death registration (ท.ร.4) no."), max_length=40)
    on = BEDateField(label=_("Date registered"))
    time = time_field(_("Time registered"))


class ReportForm(forms.Form):
    start = BEDateField(label=_("From"), required=False)
    end = BEDateField(label=_("Until"), required=False)
