"""A resident's own sign-in: the link between a user and their registry record.

A user linked to a resident (:class:`~thukkhon.rides.models.ResidentAccount`) and holding the
resident role in the municipality may book rides for that resident themselves. Welfare officers and
administrators manage the link on the resident's page: create a sign-in (a new user with a one-time
initial password, shown once), link an existing user, give a new one-time password, unlink.

One resident ↔ one user, backed by the one-to-one columns of ``ResidentAccount``. A user of
another municipality cannot be linked. Unlinking ends the user's resident role here (the membership
is made inactive, not deleted, so a later link brings it back). Every change is recorded in
:class:`~thukkhon.people.models.ResidentLinkLog`.

This lives with rides because ``ResidentAccount`` does (DESIGN.md: ``people`` may not import
``rides``); the resident's page links here when the page exists (``service_url``).
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass

from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from thukkhon.core.actor import Actor
from thukkhon.core.models import Membership, User
from thukkhon.core.roles import REGISTRY_WRITE, Role
from thukkhon.core.services import password_set_by_someone_else
from thukkhon.people.models import Resident, ResidentLinkAction, ResidentLinkLog, ResidentStatus
from thukkhon.rides.models import ResidentAccount

# No 0/O, 1/l/I: the password is read aloud or written on paper for an elderly resident.
PASSWORD_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
PASSWORD_LENGTH = 10


@dataclass(frozen=True)
class NewSignIn:
    account: ResidentAccount
    password: str  # shown once to the staff member, never stored in clear


def can_manage_accounts(actor: Actor | None) -> bool:
    return actor is not None and actor.has_role(*REGISTRY_WRITE)


def _require_manager(actor: Actor, resident: Resident) -> None:
    if not can_manage_accounts(actor) or resident.municipality_id != actor.municipality.pk:
        raise PermissionDenied(_("You may not manage residents' sign-ins."))


def _one_time_password() -> str:
    return "".join(secrets.choice(PASSWORD_ALPHABET) for _ in range(PASSWORD_LENGTH))


def account_of(resident: Resident) -> ResidentAccount | None:
    return ResidentAccount.objects.filter(resident=resident).select_related("user").first()


def suggest_username(resident: Resident) -> str:
    """The resident's mobile number (what an elderly resident remembers best), else ``resident<id>``;
    a number is appended while the name is taken."""
    phone = re.sub(r"\D", "", resident.phone)
    base = phone if len(phone) >= 9 else f"resident{resident.pk}"
    name, n = base, 1
    while User.objects.filter(username__iexact=name).exists():
        n += 1
        name = f"{base}-{n}"
    return name


def _check_resident(resident: Resident) -> None:
    if resident.status != ResidentStatus.ALIVE:
        raise ValidationError(_("Only a living resident of the town can have a sign-in."))
    if ResidentAccount.objects.filter(resident=resident).exists():
        raise ValidationError(
            _("This resident is already linked to a sign-in. Unlink it first to link another one.")
        )


def _log(actor: Actor, resident: Resident, action: str, user: User) -> None:
    ResidentLinkLog.objects.create(
        municipality=resident.municipality, resident=resident, action=action, user=user, by=actor.user
    )


def _grant_resident_role(user: User, resident: Resident) -> None:
    membership, created = Membership.objects.get_or_create(
        user=user, municipality=resident.municipality, role=Role.RESIDENT, defaults={"is_active": True}
    )
    if not created and not membership.is_active:
        membership.is_active = True
        membership.save(update_fields=["is_active"])


def _link(resident: Resident, user: User) -> ResidentAccount:
    try:
        with transaction.atomic():
            return ResidentAccount.objects.create(
                municipality=resident.municipality, user=user, resident=resident
            )
    except IntegrityError:  # somebody linked one of them a moment ago
        raise ValidationError(
            _("This resident or this user was linked a moment ago. Reload the page and check.")
        ) from None


@transaction.atomic
def resident_account_create(*, actor: Actor, resident: Resident, username: str) -> NewSignIn:
    """A new user for ``resident`` with the resident role here and a one-time initial password."""
    _require_manager(actor, resident)
    _check_resident(resident)
    username = username.strip()
    if not username:
        raise ValidationError({"username": _("Enter a username.")})
    try:
        UnicodeUsernameValidator()(username)
    except ValidationError:
        raise ValidationError(
            {"username": _("A username may contain only letters, digits and @ . + - _ (no spaces).")}
        ) from None
    if len(username) > 150:
        raise ValidationError({"username": _("A username has at most 150 characters.")})
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError(
            {
                "username": _("The username %(username)s is taken. Choose another one.")
                % {"username": username}
            }
        )
    password = _one_time_password()
    user = User(
        username=username,
        first_name=resident.first_name[:150],
        last_name=resident.last_name[:150],
        display_name=f"{resident.first_name} {resident.last_name}".strip()[:200],
        phone=resident.phone[:20],
        language="th",
        must_change_password=True,
    )
    user.set_password(password)
    user.save()
    _grant_resident_role(user, resident)
    account = _link(resident, user)
    _log(actor, resident, ResidentLinkAction.ACCOUNT_CREATED, user)
    return NewSignIn(account=account, password=password)


@transaction.atomic
def resident_account_link(*, actor: Actor, resident: Resident, username: str) -> ResidentAccount:
    """Link an existing user of this municipality (or one without any membership yet) to ``resident``."""
    _require_manager(actor, resident)
    _check_resident(resident)
    username = username.strip()
    user = User.objects.filter(username__iexact=username).first() if username else None
    if user is None:
        raise ValidationError({"username": _("There is no user %(username)s.") % {"username": username}})
    if not user.is_active:
        raise ValidationError(
            {"username": _("The user %(username)s is disabled.") % {"username": user.username}}
        )
    memberships = Membership.objects.filter(user=user)
    if memberships.exists() and not memberships.filter(municipality=resident.municipality).exists():
        raise ValidationError(
            {
                "username": _(
                    "The user %(username)s belongs to another municipality and cannot be linked here."
                )
                % {"username": user.username}
            }
        )
    other = ResidentAccount.objects.filter(user=user).select_related("resident").first()
    if other is not None:
        raise ValidationError(
            {
                "username": _("The user %(username)s is already linked to %(name)s.")
                % {"username": user.username, "name": other.resident.full_name}
            }
        )
    _grant_resident_role(user, resident)
    account = _link(resident, user)
    _log(actor, resident, ResidentLinkAction.ACCOUNT_LINKED, user)
    return account


@transaction.atomic
def resident_account_unlink(*, actor: Actor, resident: Resident) -> User:
    """Remove the link; the user keeps their sign-in but no longer holds the resident role here."""
    _require_manager(actor, resident)
    account = (
        ResidentAccount.objects.select_for_update().filter(resident=resident).select_related("user").first()
    )
    if account is None:
        raise ValidationError(_("This resident is not linked to a sign-in."))
    user = account.user
    account.delete()
    Membership.objects.filter(user=user, municipality=resident.municipality, role=Role.RESIDENT).update(
        is_active=False
    )
    _log(actor, resident, ResidentLinkAction.ACCOUNT_UNLINKED, user)
    return user


@transaction.atomic
def resident_account_new_password(*, actor: Actor, resident: Resident) -> NewSignIn:
    """A new one-time password for the linked user (a resident who forgot theirs), shown once."""
    _require_manager(actor, resident)
    account = account_of(resident)
    if account is None:
        raise ValidationError(_("This resident is not linked to a sign-in."))
    if account.user.memberships.exclude(role=Role.RESIDENT).exists():
        raise ValidationError(
            _("This user also works for the municipality; their password is changed by an administrator.")
        )
    password = _one_time_password()
    password_set_by_someone_else(user=account.user, password=password)
    _log(actor, resident, ResidentLinkAction.PASSWORD_RESET, account.user)
    return NewSignIn(account=account, password=password)
