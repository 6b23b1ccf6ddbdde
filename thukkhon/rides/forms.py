"""Forms of the booking pages. They parse what was typed; the booking services judge it."""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from thukkhon.core.actor import Actor
from thukkhon.core.fields import BEDateField
from thukkhon.people.forms import add_service_errors
from thukkhon.people.models import Community, Place, Resident
from thukkhon.people.selectors import communities_visible, places_visible
from thukkhon.rides import eligibility, selectors
from thukkhon.rides.booking import LOCATION_PARTS, BookingData, Location, location_parts
from thukkhon.rides.models import LocationKind, Mobility, Purpose, ReturnMode, RideRequest, Status

DATE_HELP = _("Day/month/year in the Buddhist Era, e.g. 05/03/2568.")
WEEKDAYS = [
    ("0", _("Monday")),
    ("1", _("Tuesday")),
    ("2", _("Wednesday")),
    ("3", _("Thursday")),
    ("4", _("Friday")),
    ("5", _("Saturday")),
    ("6", _("Sunday")),
]

# The booking service names a location's problems after the location; the form shows them at its kind.
SERVICE_FIELDS = {"pickup": "pickup_kind", "dropoff": "dropoff_kind"}


def _time_input() -> forms.TimeInput:
    return forms.TimeInput(attrs={"type": "time", "step": 300}, format="%H:%M")


class BookingForm(forms.Form):
    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=80, required=False)
    purpose = forms.ChoiceField(label=_("Purpose"), choices=Purpose.choices)
    purpose_note = forms.CharField(
        label=_("Details"), max_length=200, required=False, help_text=_("For example: the clinic or doctor.")
    )
    service_date = BEDateField(label=_("Date"), help_text=DATE_HELP)
    appointment_time = forms.TimeField(label=_("Appointment time"), widget=_time_input())
    pickup_kind = forms.ChoiceField(
        label=_("Pick up at"),
        choices=LocationKind.choices,
        initial=LocationKind.HOME,
        widget=forms.RadioSelect,
    )
    pickup_place = forms.ModelChoiceField(label=_("Place"), queryset=Place.objects.none(), required=False)
    pickup_address = forms.CharField(label=_("Address"), max_length=300, required=False)
    pickup_lat = forms.DecimalField(label=_("Latitude"), max_digits=9, decimal_places=6, required=False)
    pickup_lon = forms.DecimalField(label=_("Longitude"), max_digits=9, decimal_places=6, required=False)
    dropoff_kind = forms.ChoiceField(
        label=_("Take to"), choices=LocationKind.choices, initial=LocationKind.PLACE, widget=forms.RadioSelect
    )
    dropoff_place = forms.ModelChoiceField(label=_("Place"), queryset=Place.objects.none(), required=False)
    dropoff_address = forms.CharField(label=_("Address"), max_length=300, required=False)
    dropoff_lat = forms.DecimalField(label=_("Latitude"), max_digits=9, decimal_places=6, required=False)
    dropoff_lon = forms.DecimalField(label=_("Longitude"), max_digits=9, decimal_places=6, required=False)
    mobility = forms.ChoiceField(label=_("Mobility"), choices=Mobility.choices, initial=Mobility.WALKS)
    oxygen = forms.BooleanField(label=_("Needs oxygen"), required=False)
    companions = forms.IntegerField(label=_("Companions"), min_value=0, max_value=20, initial=0)
    attendants = forms.IntegerField(
        label=_("Attendants"),
        min_value=0,
        max_value=20,
        initial=0,
        help_text=_("Carers who help on the way."),
    )
    notes_for_driver = forms.CharField(
        label=_("Notes for the driver"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("How to reach the house, stairs, a dog …"),
    )
    return_mode = forms.ChoiceField(
        label=_("Return trip"), choices=ReturnMode.choices, initial=ReturnMode.NONE, widget=forms.RadioSelect
    )
    return_time = forms.TimeField(label=_("Return pickup time"), required=False, widget=_time_input())
    repeat = forms.BooleanField(label=_("Repeat every week"), required=False)
    weekdays = forms.TypedMultipleChoiceField(
        label=_("On"), choices=WEEKDAYS, coerce=int, required=False, widget=forms.CheckboxSelectMultiple
    )
    ends_on = BEDateField(label=_("Until"), required=False, help_text=DATE_HELP)
    eligibility_override = forms.CharField(
        label=_("Reason to book although not eligible"),
        max_length=300,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_(
            "Only when the resident does not meet the municipality's criteria: "
            "the reason is recorded with the ride."
        ),
    )

    def __init__(
        self, *args: Any, actor: Actor, resident: Resident, instance: RideRequest | None = None, **kwargs: Any
    ) -> None:
        if instance is not None and "initial" not in kwargs:
            kwargs["initial"] = initial_from(instance)
        super().__init__(*args, **kwargs)
        self.actor, self.resident, self.instance = actor, resident, instance
        places = places_visible(actor).order_by("kind", "name_th")
        for name in ("pickup_place", "dropoff_place"):
            self.fields[name].queryset = places  # type: ignore[attr-defined]
        for name in ("pickup_lat", "pickup_lon", "dropoff_lat", "dropoff_lon"):
            self.fields[name].widget.attrs["inputmode"] = "decimal"
        if not self.is_bound and not self.initial.get("idempotency_key"):
            self.initial["idempotency_key"] = uuid.uuid4().hex
        if instance is not None:
            for name in ("repeat", "weekdays", "ends_on"):
                del self.fields[name]
        # Only staff may book past a refusal, and only where the municipality refuses.
        rules = eligibility.settings_for(actor.municipality.pk)
        if not (eligibility.refuses(rules) and eligibility.may_override(actor)):
            del self.fields["eligibility_override"]

    def clean(self) -> dict[str, Any]:
        """A location's fields of the kinds not chosen are ignored: hidden on the page, they may
        still be posted with stale or invalid values, which must neither block nor change the
        booking."""
        data = super().clean() or {}
        for prefix in ("pickup", "dropoff"):
            kind = data.get(f"{prefix}_kind")
            if kind not in LocationKind.values:
                continue
            used = location_parts(kind)
            for part in LOCATION_PARTS:
                if part in used:
                    continue
                name = f"{prefix}_{part}"
                self.errors.pop(name, None)
                data[name] = "" if part == "address" else None
        return data

    def _location(self, prefix: str) -> Location:
        data = self.cleaned_data
        return Location(
            kind=data[f"{prefix}_kind"],
            place=data.get(f"{prefix}_place"),
            address=data.get(f"{prefix}_address") or "",
            lat=data.get(f"{prefix}_lat"),
            lon=data.get(f"{prefix}_lon"),
        ).only_kind()

    def add_service_errors(self, error: ValidationError) -> None:
        """The booking service's errors on the form; a location's go with its kind."""
        if hasattr(error, "error_dict"):
            named = {
                SERVICE_FIELDS.get(name, name): messages for name, messages in error.message_dict.items()
            }
            error = ValidationError(named)  # type: ignore[arg-type]
        add_service_errors(self, error)

    @property
    def override_reason(self) -> str:
        return (self.cleaned_data.get("eligibility_override") or "").strip()

    def to_data(self) -> BookingData:
        data = self.cleaned_data
        return BookingData(
            resident=self.resident,
            purpose=data["purpose"],
            purpose_note=data.get("purpose_note") or "",
            service_date=data["service_date"],
            appointment_time=data["appointment_time"],
            pickup=self._location("pickup"),
            dropoff=self._location("dropoff"),
            mobility=data["mobility"],
            oxygen=data.get("oxygen") or False,
            companions=data["companions"],
            attendants=data["attendants"],
            notes_for_driver=data.get("notes_for_driver") or "",
            return_mode=data["return_mode"],
            return_time=data.get("return_time"),
        )


def initial_from(ride: RideRequest) -> dict[str, Any]:
    from django.utils import timezone

    values: dict[str, Any] = {
        name: getattr(ride, name)
        for name in (
            "purpose",
            "purpose_note",
            "service_date",
            "pickup_kind",
            "pickup_place",
            "pickup_address",
            "pickup_lat",
            "pickup_lon",
            "dropoff_kind",
            "dropoff_place",
            "dropoff_address",
            "dropoff_lat",
            "dropoff_lon",
            "mobility",
            "oxygen",
            "companions",
            "attendants",
            "notes_for_driver",
            "return_mode",
            "eligibility_override",
        )
    }
    if ride.appointment_at:
        values["appointment_time"] = timezone.localtime(ride.appointment_at).time()
    if ride.return_at:
        values["return_time"] = timezone.localtime(ride.return_at).time()
    return values


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=300, required=False)


class RequestFilterForm(forms.Form):
    q = forms.CharField(label=_("Name"), required=False, max_length=100)
    day = BEDateField(label=_("Date"), required=False)
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("All")), *list(Status.choices)]
    )
    community = forms.ModelChoiceField(
        label=_("Community"), queryset=Community.objects.none(), required=False, empty_label=_("All")
    )
    purpose = forms.ChoiceField(
        label=_("Purpose"), required=False, choices=[("", _("All")), *list(Purpose.choices)]
    )

    def __init__(self, *args: Any, actor: Actor, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        qs = communities_visible(actor)
        if not actor.has_role(*selectors.STAFF_READ):
            qs = qs.filter(pk__in=selectors.volunteer_community_ids(actor))
        self.fields["community"].queryset = qs  # type: ignore[attr-defined]

    def filters(self) -> selectors.RequestFilters:
        if not self.is_bound or not self.is_valid():
            return selectors.RequestFilters()
        data = self.cleaned_data
        community = data.get("community")
        return selectors.RequestFilters(
            q=data.get("q") or "",
            day=data.get("day"),
            status=data.get("status") or "",
            community_id=community.pk if community else None,
            purpose=data.get("purpose") or "",
        )
