"""Consent for photos of children, enforced wherever media leave the team.

* In a child's own portfolio, as a family sees it: the child needs PHOTO_PORTFOLIO and every
  *other* child of the observation needs PHOTO_PANEL, otherwise the file is left out.
* In a group documentation panel: a photo with any child lacking PHOTO_PANEL is blurred (Pillow
  GaussianBlur) and that child's name and words are anonymised.

A media file of an observation is taken to show all the observation's children (audio and video
carry voices and faces too), which errs on the side of the child.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.contrib.contenttypes.models import ContentType
from django.db.models import Q
from django.utils import timezone

from thukkhon.childhood.models import Media
from thukkhon.core.models import Consent, ConsentPurpose
from thukkhon.people.models import Resident


def consented(child_ids: Iterable[int], purpose: str, at: datetime | None = None) -> set[int]:
    """The children among ``child_ids`` with an active consent for ``purpose`` (one query)."""
    ids = list(set(child_ids))
    if not ids:
        return set()
    moment = at or timezone.now()
    return set(
        Consent.objects.filter(
            subject_type=ContentType.objects.get_for_model(Resident),
            subject_id__in=ids,
            purpose=purpose,
            given_at__lte=moment,
        )
        .filter(Q(withdrawn_at__isnull=True) | Q(withdrawn_at__gt=moment))
        .filter(Q(expires_at__isnull=True) | Q(expires_at__gt=moment))
        .values_list("subject_id", flat=True)
    )


def family_media_allowed(
    observation_child_ids: set[int], own_child_ids: set[int], portfolio_ok: set[int], panel_ok: set[int]
) -> bool:
    mine = observation_child_ids & own_child_ids
    others = observation_child_ids - own_child_ids
    return bool(mine) and mine <= portfolio_ok and others <= panel_ok


def family_may_see_media(media: Media, own_child_ids: set[int]) -> bool:
    in_obs = set(media.observation.children.values_list("child_id", flat=True))
    return family_media_allowed(
        in_obs,
        own_child_ids,
        consented(in_obs & own_child_ids, ConsentPurpose.PHOTO_PORTFOLIO),
        consented(in_obs - own_child_ids, ConsentPurpose.PHOTO_PANEL),
    )
