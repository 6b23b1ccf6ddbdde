"""Writes of the core: consent records."""

from __future__ import annotations

from datetime import datetime

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from thukkhon.core.actor import Actor
from thukkhon.core.models import Consent, ConsentPurpose, User


@transaction.atomic
def consent_give(
    *,
    actor: Actor,
    subject: models.Model,
    purpose: str,
    given_by_name: str,
    given_by_relation: str = "",
    given_at: datetime | None = None,
    expires_at: datetime | None = None,
) -> Consent:
    """Record that a data subject (or their guardian) consents to one purpose."""
    errors: dict[str, list[str]] = {}
    when = given_at or timezone.now()
    if purpose not in ConsentPurpose.values:
        errors["purpose"] = [_("Choose a purpose from the list.")]
    if not given_by_name.strip():
        errors["given_by_name"] = [_("Enter the name of the person who gives consent.")]
    if when > timezone.now():
        errors["given_at"] = [_("This date cannot be in the future.")]
    if expires_at is not None and expires_at <= when:
        errors["expires_at"] = [_("Consent must expire after it is given.")]
    if getattr(subject, "municipality_id", actor.municipality.pk) != actor.municipality.pk:
        errors["subject"] = [_("Choose a person of this municipality.")]
    if errors:
        raise ValidationError(errors)  # type: ignore[arg-type]
    return Consent.objects.create(
        municipality=actor.municipality,
        subject_type=ContentType.objects.get_for_model(subject),
        subject_id=subject.pk,
        purpose=purpose,
        given_by_name=given_by_name.strip(),
        given_by_relation=given_by_relation.strip(),
        given_at=when,
        expires_at=expires_at,
        recorded_by=actor.user,
    )


@transaction.atomic
def consent_withdraw(*, actor: Actor, consent: Consent, reason: str, at: datetime | None = None) -> Consent:
    if consent.municipality_id != actor.municipality.pk:
        raise ValidationError(_("This consent belongs to another municipality."))
    if consent.withdrawn_at is not None:
        raise ValidationError(_("This consent was already withdrawn."))
    if not reason.strip():
        raise ValidationError({"withdrawn_reason": [_("Give the reason for the withdrawal.")]})
    consent.withdrawn_at = at or timezone.now()
    consent.withdrawn_reason = reason.strip()
    consent.save(update_fields=["withdrawn_at", "withdrawn_reason"])
    return consent


def consent_active(subject: models.Model, purpose: str, at: datetime | None = None) -> bool:
    """Whether the subject has an active consent for the purpose: what services enforce."""
    moment = at or timezone.now()
    return (
        Consent.objects.filter(
            subject_type=ContentType.objects.get_for_model(subject),
            subject_id=subject.pk,
            purpose=purpose,
            given_at__lte=moment,
        )
        .filter(models.Q(withdrawn_at__isnull=True) | models.Q(withdrawn_at__gt=moment))
        .filter(models.Q(expires_at__isnull=True) | models.Q(expires_at__gt=moment))
        .exists()
    )


def password_set_by_someone_else(*, user: User, password: str) -> None:
    """Give ``user`` a password chosen for them (a one-time password): they must change it at their
    next sign-in before using any page."""
    user.set_password(password)
    user.must_change_password = True
    user.save(update_fields=["password", "must_change_password"])


def password_changed(user: User) -> None:
    """The user chose their own password."""
    if user.must_change_password:
        user.must_change_password = False
        user.save(update_fields=["must_change_password"])
