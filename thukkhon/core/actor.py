"""Who is acting: a signed-in user, in one municipality, with the roles they hold there."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.http import HttpRequest

from thukkhon.core.models import Membership, Municipality, User
from thukkhon.core.roles import Role

SESSION_KEY = "thukkhon_municipality"


@dataclass(frozen=True)
class Actor:
    user: User
    municipality: Municipality
    memberships: tuple[Membership, ...] = field(default_factory=tuple)

    @property
    def roles(self) -> frozenset[str]:
        return frozenset(m.role for m in self.memberships)

    def has_role(self, *roles: str) -> bool:
        return bool(self.roles.intersection(roles))

    def membership_for(self, *roles: str) -> Membership | None:
        return next((m for m in self.memberships if m.role in roles), None)

    @property
    def primary_role(self) -> str:
        order = list(Role.values)
        return min(self.roles, key=order.index) if self.roles else Role.RESIDENT


def actor_for(user: User, municipality_id: int | None = None) -> Actor | None:
    """The actor for a user: in the given municipality, or their first one."""
    memberships = list(
        Membership.objects.filter(user=user, is_active=True).select_related("municipality").order_by("id")
    )
    if not memberships:
        return None
    chosen = next((m.municipality for m in memberships if m.municipality_id == municipality_id), None)
    municipality = chosen or memberships[0].municipality
    return Actor(
        user=user,
        municipality=municipality,
        memberships=tuple(m for m in memberships if m.municipality_id == municipality.pk),
    )


def actor_from_request(request: HttpRequest) -> Actor | None:
    user = request.user
    if not user.is_authenticated:
        return None
    return actor_for(user, request.session.get(SESSION_KEY))  # type: ignore[arg-type]


def request_actor(request: HttpRequest) -> Actor | None:
    """The request's actor, as set by :class:`thukkhon.core.middleware.ActorMiddleware`."""
    actor: Actor | None = getattr(request, "actor", None)
    return actor
