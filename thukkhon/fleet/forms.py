"""Forms of the fleet pages. They parse; the fleet services judge."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from thukkhon.core.actor import Actor
from thukkhon.core.fields import BEDateField
from thukkhon.core.models import Membership
from thukkhon.core.roles import Role
from thukkhon.fleet.models import Driver, Vehicle
from thukkhon.people.models import Place

DATE_HELP = _("Day/month/year in the Buddhist Era, e.g. 05/03/2568.")


def _time() -> forms.TimeField:
    return forms.TimeField(widget=forms.TimeInput(attrs={"type": "time", "step": 300}, format="%H:%M"))


def at(day: date, moment: time) -> datetime:
    return timezone.make_aware(datetime.combine(day, moment))


class VehicleForm(forms.ModelForm):
    class Meta:
        model = Vehicle
        fields = [
            "name",
            "plate",
            "kind",
            "seats",
            "wheelchair_places",
            "stretcher_places",
            "enclosed_for_infectious",
            "depot",
            "cost_per_km",
            "is_active",
            "notes",
        ]
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, actor: Actor, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["depot"].queryset = Place.objects.filter(municipality=actor.municipality)  # type: ignore[attr-defined]

    def validate_unique(self) -> None:
        """The service checks the plate against the municipality's vehicles."""


class DriverForm(forms.ModelForm):
    class Meta:
        model = Driver
        fields = ["membership", "phone", "licence_no", "is_active"]

    def __init__(self, *args: Any, actor: Actor, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["membership"]
        field.label = _("Driver")
        qs = Membership.objects.filter(municipality=actor.municipality, role=Role.DRIVER, is_active=True)
        if self.instance.pk:
            field.disabled = True
            qs = qs.filter(pk=self.instance.membership_id)
        else:
            qs = qs.filter(driver__isnull=True)
        field.queryset = qs.select_related("user")  # type: ignore[attr-defined]
        field.label_from_instance = lambda m: str(m.user)  # type: ignore[attr-defined]
        self.fields["phone"].widget.input_type = "tel"


class ShiftForm(forms.Form):
    vehicle = forms.ModelChoiceField(label=_("Vehicle"), queryset=Vehicle.objects.none())
    driver = forms.ModelChoiceField(label=_("Driver"), queryset=Driver.objects.none())
    day = BEDateField(label=_("Date"), help_text=DATE_HELP)
    starts = _time()
    ends = _time()

    def __init__(self, *args: Any, actor: Actor, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["starts"].label = _("From")
        self.fields["ends"].label = _("Until")
        self.fields["vehicle"].queryset = Vehicle.objects.filter(  # type: ignore[attr-defined]
            municipality=actor.municipality, is_active=True
        )
        self.fields["driver"].queryset = Driver.objects.filter(  # type: ignore[attr-defined]
            membership__municipality=actor.municipality, is_active=True
        ).select_related("membership__user")


class OutOfServiceForm(forms.Form):
    vehicle = forms.ModelChoiceField(label=_("Vehicle"), queryset=Vehicle.objects.none())
    start_day = BEDateField(label=_("From"), help_text=DATE_HELP)
    start_time = _time()
    end_day = BEDateField(label=_("Until"), help_text=DATE_HELP)
    end_time = _time()
    reason = forms.CharField(label=_("Reason"), max_length=200)

    def __init__(self, *args: Any, actor: Actor, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["start_time"].label = _("at")
        self.fields["end_time"].label = _("at")
        self.fields["vehicle"].queryset = Vehicle.objects.filter(  # type: ignore[attr-defined]
            municipality=actor.municipality
        )
