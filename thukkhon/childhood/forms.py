from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from thukkhon.childhood.models import AbsenceReason, GuardianRelation, Language, Visibility
from thukkhon.core.fields import BEDateField
from thukkhon.core.models import ConsentPurpose


class MultiFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultiFileField(forms.FileField):
    widget = MultiFileInput

    def clean(self, data: object, initial: object = None) -> list[object]:
        if not data:
            return []
        items = data if isinstance(data, list | tuple) else [data]
        return list(items)


class ObservationForm(forms.Form):
    observed_on = BEDateField(label=_("Date"))
    title = forms.CharField(label=_("Title"), max_length=200)
    children = forms.MultipleChoiceField(label=_("Children"), widget=forms.CheckboxSelectMultiple)
    description = forms.CharField(
        label=_("What happened"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    interpretation = forms.CharField(
        label=_("Teacher's interpretation"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    languages = forms.MultipleChoiceField(
        label=_("Expressive languages"),
        choices=Language.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    standards = forms.MultipleChoiceField(
        label=_("Curriculum standards"), widget=forms.CheckboxSelectMultiple, required=False
    )
    indicators = forms.MultipleChoiceField(
        label=_("Indicators it shows (for the end-of-term ratings)"),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    visibility = forms.ChoiceField(
        label=_("Who may see it"), choices=Visibility.choices, widget=forms.RadioSelect
    )
    project = forms.ChoiceField(label=_("Project"), required=False)
    attachments = MultiFileField(
        label=_("Photos, video, sound or files"),
        required=False,
        help_text=_("Up to 10 files, at most 20 MB each."),
        widget=MultiFileInput(
            attrs={"accept": "image/*,video/*,audio/*,application/pdf", "capture": "environment"}
        ),
    )


class HomeObservationForm(forms.Form):
    text = forms.CharField(
        label=_("What did your child do at home?"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    attachments = MultiFileField(
        label=_("Photo or voice recording"),
        required=False,
        widget=MultiFileInput(attrs={"accept": "image/*,audio/*,video/*"}),
    )


class CommentForm(forms.Form):
    text = forms.CharField(label=_("Comment"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)


class ProjectForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    provocation = forms.CharField(
        label=_("The children's question or the provocation"), widget=forms.Textarea(attrs={"rows": 3})
    )
    hypotheses = forms.CharField(
        label=_("The children's hypotheses and theories"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )
    materials = forms.CharField(
        label=_("Materials and atelier"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    started_on = BEDateField(label=_("Started on"))


class ScreeningForm(forms.Form):
    screened_on = BEDateField(label=_("Screened on"))
    age_band = forms.TypedChoiceField(
        label=_("DSPM age"),
        coerce=int,
        required=False,
        choices=[("", _("By the child's age"))]
        + [(b, _("%(m)d months") % {"m": b}) for b in (9, 18, 30, 42, 60)],
    )
    gm = forms.BooleanField(label=_("Gross motor passed"), required=False)
    fm = forms.BooleanField(label=_("Fine motor passed"), required=False)
    rl = forms.BooleanField(label=_("Receptive language passed"), required=False)
    el = forms.BooleanField(label=_("Expressive language passed"), required=False)
    ps = forms.BooleanField(label=_("Personal and social passed"), required=False)
    plan = forms.CharField(
        label=_("Stimulation plan for the family"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )


class ConsentForm(forms.Form):
    purpose = forms.ChoiceField(
        choices=[
            (p, ConsentPurpose(p).label)
            for p in (
                ConsentPurpose.PHOTO_PORTFOLIO,
                ConsentPurpose.PHOTO_PANEL,
                ConsentPurpose.PHOTO_PUBLIC,
                ConsentPurpose.TRANSITION_SUMMARY,
            )
        ]
    )
    give = forms.BooleanField(required=False)


ABSENCE_CHOICES = [c for c in AbsenceReason.choices if c[0]]


class GuardianForm(forms.Form):
    relation = forms.ChoiceField(label=_("Relation to the child"), choices=GuardianRelation.choices)
    name = forms.CharField(
        label=_("Name (if not in the registry)"),
        max_length=200,
        required=False,
        help_text=_("Leave empty when you chose a person from the registry."),
    )
    phone = forms.CharField(label=_("Phone"), max_length=20, required=False)
    lives_with_child = forms.BooleanField(label=_("Lives with the child"), required=False, initial=True)
    is_primary = forms.BooleanField(label=_("Main caregiver"), required=False)


class TransitionForm(forms.Form):
    text = forms.CharField(
        label=_("Summary for the primary school"),
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("The child's strengths, interests, how they learn best and what helps them."),
    )
    strengths = forms.CharField(
        label=_("Strengths and interests"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text=_("A few words each, one per line: what the child is good at and loves to do."),
    )
    family_words = forms.CharField(
        label=_("The family's words"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text=_("What the family would like the new teacher to know, in their own words."),
    )
    receiving_school = forms.CharField(label=_("Primary school"), max_length=200, required=False)
