"""Forms of the registry pages. They parse what was typed; the services judge it.

Each form turns its cleaned data into the service's dataclass (``to_data``); the view calls the
service and puts the service's ``ValidationError`` back on the form with :func:`add_service_errors`.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from thukkhon.core.actor import Actor
from thukkhon.core.fields import AddressFieldsMixin, BEDateField
from thukkhon.people import selectors
from thukkhon.people.models import (
    ChronicCondition,
    Community,
    DisabilityType,
    Household,
    IdKind,
    Relation,
    Religion,
    Resident,
    ResidentStatus,
    Sex,
    Vulnerability,
)
from thukkhon.people.services import HouseholdData, ResidentData, VulnerabilityData


def add_service_errors(form: forms.BaseForm, error: ValidationError) -> None:
    """Put a service's ValidationError on the form: per field where the form has that field."""
    if hasattr(error, "error_dict"):
        for name, errors in error.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


def _blank(label: str) -> list[tuple[str, str]]:
    return [("", label)]


DATE_HELP = _("Day/month/year in the Buddhist Era, e.g. 05/03/2568.")


class ResidentForm(forms.Form):
    title = forms.CharField(
        label=pgettext_lazy("name of a person", "Title"),
        required=False,
        max_length=30,
        help_text=_("For example นาย, นาง, นางสาว, ด.ช., ด.ญ."),
    )
    first_name = forms.CharField(label=_("First name"), max_length=100, required=False)
    last_name = forms.CharField(label=_("Last name"), max_length=100, required=False)
    nickname = forms.CharField(label=_("Nickname"), max_length=50, required=False)
    id_kind = forms.ChoiceField(label=_("Identity document"), choices=IdKind.choices, initial=IdKind.THAI)
    national_id = forms.CharField(
        label=_("ID number"),
        max_length=20,
        required=False,
        help_text=_("13 digits, with or without dashes. Leave empty if the person has no document."),
    )
    sex = forms.ChoiceField(label=_("Sex"), choices=Sex.choices, required=False)
    birth_date = BEDateField(label=_("Birth date"), required=False, help_text=DATE_HELP)
    birth_date_estimated = forms.BooleanField(label=_("The birth date is estimated"), required=False)
    community = forms.ModelChoiceField(label=_("Community"), queryset=Community.objects.none())
    household = forms.ModelChoiceField(
        label=_("Household"),
        queryset=Household.objects.none(),
        required=False,
        help_text=_("Choose the community first; the households of that community are listed."),
    )
    relation_to_owner = forms.ChoiceField(
        label=_("Relation to the house owner"), choices=_blank("—") + list(Relation.choices), required=False
    )
    phone = forms.CharField(label=_("Phone"), max_length=20, required=False)
    line_id = forms.CharField(label=_("LINE ID"), max_length=50, required=False)
    religion = forms.ChoiceField(label=_("Religion"), choices=Religion.choices, required=False)
    status = forms.ChoiceField(
        label=_("Status"), choices=ResidentStatus.choices, initial=ResidentStatus.ALIVE
    )
    status_date = BEDateField(label=_("Date of death or of moving away"), required=False, help_text=DATE_HELP)

    def __init__(self, *args: Any, actor: Actor, instance: Resident | None = None, **kwargs: Any) -> None:
        if instance is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                name: getattr(instance, name) for name in self.base_fields if hasattr(instance, name)
            }
        super().__init__(*args, **kwargs)
        self.actor = actor
        self.instance = instance
        self.fields["community"].queryset = selectors.communities_visible(actor)  # type: ignore[attr-defined]
        self.fields["household"].queryset = self._households()  # type: ignore[attr-defined]
        self.fields["household"].label_from_instance = household_label  # type: ignore[attr-defined]
        # With JavaScript, choosing a community reloads the household list (htmx); without, the
        # list is filled when the form comes back.
        self.fields["community"].widget.attrs.update(
            {
                "hx-get": reverse("people:household-options"),
                "hx-target": "#id_household",
                "hx-trigger": "change",
            }
        )
        self.fields["phone"].widget.input_type = "tel"
        self.fields["national_id"].widget.attrs["inputmode"] = "numeric"

    def _households(self) -> QuerySet[Household]:
        """The households offered: those of the chosen community (all visible ones when bound)."""
        visible = selectors.households_visible(self.actor).select_related("community")
        if self.is_bound:
            return visible
        community = self.initial.get("community")
        community_id = getattr(community, "pk", community)
        return visible.filter(community_id=community_id) if community_id else visible.none()

    def to_data(self) -> ResidentData:
        d = self.cleaned_data
        return ResidentData(
            community=d["community"],
            first_name=d["first_name"],
            last_name=d["last_name"],
            title=d["title"].strip(),
            nickname=d["nickname"].strip(),
            id_kind=d["id_kind"],
            national_id=d["national_id"],
            sex=d["sex"],
            birth_date=d["birth_date"],
            birth_date_estimated=d["birth_date_estimated"],
            household=d["household"],
            relation_to_owner=d["relation_to_owner"],
            phone=d["phone"],
            line_id=d["line_id"].strip(),
            religion=d["religion"],
            status=d["status"],
            status_date=d["status_date"],
        )


def household_label(household: Household) -> str:
    text = household.address_text() or f"#{household.pk}"
    return f"{household.registration_no} · {text}" if household.registration_no else text


class HouseholdForm(AddressFieldsMixin, forms.Form):
    community = forms.ModelChoiceField(label=_("Community"), queryset=Community.objects.none())
    registration_no = forms.CharField(
        label=_("House registration no."),
        max_length=20,
        required=False,
        help_text=_("The 11-digit number on the house registration book (ทะเบียนบ้าน), if known."),
    )
    house_no = forms.CharField(label=_("House no."), max_length=20, required=False)
    moo = forms.CharField(label=_("Moo"), max_length=5, required=False)
    village = forms.CharField(label=_("Village"), max_length=100, required=False)
    soi = forms.CharField(label=_("Soi"), max_length=100, required=False)
    road = forms.CharField(label=_("Road"), max_length=100, required=False)
    changwat = forms.CharField(label=_("Changwat"), max_length=100, required=False)
    amphoe = forms.CharField(label=_("Amphoe"), max_length=100, required=False)
    tambon = forms.CharField(label=_("Tambon"), max_length=100, required=False)
    postcode = forms.CharField(label=_("Postcode"), max_length=5, required=False)
    latitude = forms.DecimalField(label=_("Latitude"), max_digits=9, decimal_places=6, required=False)
    longitude = forms.DecimalField(label=_("Longitude"), max_digits=9, decimal_places=6, required=False)
    access_notes = forms.CharField(
        label=_("How to reach the house"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Landmarks, steps, a narrow lane: what a driver needs to know."),
    )

    ADDRESS_FIELDS = ("house_no", "moo", "village", "soi", "road", "changwat", "amphoe", "tambon", "postcode")

    def __init__(self, *args: Any, actor: Actor, instance: Household | None = None, **kwargs: Any) -> None:
        if instance is not None and "initial" not in kwargs:
            kwargs["initial"] = {name: getattr(instance, name) for name in self.base_fields}
        super().__init__(*args, **kwargs)
        self.actor = actor
        self.instance = instance
        self.fields["community"].queryset = selectors.communities_visible(actor)  # type: ignore[attr-defined]
        for name in ("latitude", "longitude"):
            self.fields[name].widget.attrs.update({"inputmode": "decimal", "step": "any"})
        self.fields["postcode"].widget.attrs["inputmode"] = "numeric"

    def to_data(self) -> HouseholdData:
        d = self.cleaned_data
        return HouseholdData(
            community=d["community"],
            **{name: d[name].strip() for name in ("registration_no", *self.ADDRESS_FIELDS)},
            latitude=d["latitude"],
            longitude=d["longitude"],
            access_notes=d["access_notes"].strip(),
        )


class VulnerabilityForm(forms.Form):
    barthel_score = forms.IntegerField(
        label=_("Barthel ADL score"),
        required=False,
        min_value=0,
        max_value=20,
        help_text=_("0–20: 12 or more social-bound, 5–11 home-bound, 0–4 bed-bound."),
    )
    assessed_on = BEDateField(label=_("Assessed on"), required=False, help_text=DATE_HELP)
    disability_type = forms.ChoiceField(label=_("Disability"), choices=DisabilityType.choices, required=False)
    disability_card_no = forms.CharField(label=_("Disability card no."), max_length=30, required=False)
    chronic_conditions = forms.MultipleChoiceField(
        label=_("Chronic conditions"),
        choices=ChronicCondition.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    welfare_card = forms.BooleanField(label=_("Holds a state welfare card"), required=False)
    lives_alone = forms.BooleanField(label=_("Lives alone"), required=False)
    caregiver_name = forms.CharField(label=_("Main caregiver"), max_length=200, required=False)
    caregiver_phone = forms.CharField(label=_("Caregiver's phone"), max_length=20, required=False)
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, instance: Vulnerability | None = None, **kwargs: Any) -> None:
        if instance is not None and "initial" not in kwargs:
            kwargs["initial"] = {name: getattr(instance, name) for name in self.base_fields}
        super().__init__(*args, **kwargs)
        self.instance = instance
        self.fields["barthel_score"].widget.attrs["inputmode"] = "numeric"
        self.fields["caregiver_phone"].widget.input_type = "tel"

    def to_data(self) -> VulnerabilityData:
        d = self.cleaned_data
        return VulnerabilityData(
            disability_type=d["disability_type"],
            disability_card_no=d["disability_card_no"].strip(),
            barthel_score=d["barthel_score"],
            chronic_conditions=list(d["chronic_conditions"]),
            welfare_card=d["welfare_card"],
            lives_alone=d["lives_alone"],
            # A caregiver who is a registered resident is kept as recorded (set by the welfare office).
            caregiver=self.instance.caregiver if self.instance is not None else None,
            caregiver_name=d["caregiver_name"].strip(),
            caregiver_phone=d["caregiver_phone"].strip(),
            assessed_on=d["assessed_on"],
            notes=d["notes"].strip(),
        )


class ResidentSearchForm(forms.Form):
    q = forms.CharField(label=_("Name, part of the ID, or phone"), required=False, max_length=100)
    community = forms.ModelChoiceField(
        label=_("Community"),
        queryset=Community.objects.none(),
        required=False,
        empty_label=_("All communities"),
    )
    elderly = forms.BooleanField(label=_("Aged 60 or over"), required=False)
    bedbound = forms.BooleanField(label=_("Bed-bound"), required=False)
    disabled = forms.BooleanField(label=_("With a disability"), required=False)
    welfare_card = forms.BooleanField(label=_("State welfare card"), required=False)
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[*ResidentStatus.choices, ("all", _("Everyone"))],
    )

    def __init__(self, *args: Any, actor: Actor, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["community"].queryset = selectors.communities_visible(actor)  # type: ignore[attr-defined]
        self.fields["q"].widget.input_type = "search"

    def filters(self) -> selectors.ResidentFilters:
        # The fields that are valid are used, the others ignored; an unbound form is the default search.
        d: dict[str, Any] = {}
        if self.is_bound:
            self.is_valid()
            d = self.cleaned_data
        status = d.get("status") or ResidentStatus.ALIVE
        community = d.get("community")
        return selectors.ResidentFilters(
            q=(d.get("q") or "").strip(),
            community_id=community.pk if community else None,
            status="" if status == "all" else status,
            elderly=bool(d.get("elderly")),
            dependency="bed" if d.get("bedbound") else "",
            disabled=bool(d.get("disabled")),
            welfare_card=bool(d.get("welfare_card")),
        )
