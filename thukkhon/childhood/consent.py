"""Consent for photos of children, enforced wherever media leave the team.

Every decision looks at the children a file *shows* (``Media.children``, set by the teacher; all
of the observation's children unless they said otherwise), not at the observation's children:

* In a child's own portfolio, as a family sees it: one of the family's children must be in the
  file, each of them with PHOTO_PORTFOLIO, and every *other* child shown needs PHOTO_PANEL,
  otherwise the file is left out. A file showing nobody (a sound recording of the room, a
  document) is seen by the families the observation is shared with.
* In a group documentation panel: a photo showing a child without PHOTO_PANEL is blurred (Pillow
  GaussianBlur); a photo showing only consenting children is not, whoever else the observation
  mentions. Names and words of children without PHOTO_PANEL are anonymised.
* In a child's portfolio PDF: only the photos the child is in; blurred unless the child has
  PHOTO_PORTFOLIO and every other child shown has PHOTO_PANEL.
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


def shown_ids(media: Media) -> set[int]:
    """The children a file shows (uses a prefetched ``children`` when there is one)."""
    return {c.pk for c in media.children.all()}


def family_media_allowed(
    shown: set[int], own_child_ids: set[int], portfolio_ok: set[int], panel_ok: set[int]
) -> bool:
    """May a family with ``own_child_ids`` see a file showing ``shown``?"""
    if not shown:
        return True
    mine = shown & own_child_ids
    others = shown - own_child_ids
    return bool(mine) and mine <= portfolio_ok and others <= panel_ok


def family_visible_media(media: Iterable[Media], own_child_ids: set[int]) -> tuple[list[Media], int]:
    """The files a family may see among ``media`` and how many were withheld (two queries)."""
    items = [(m, shown_ids(m)) for m in media]
    everyone = {cid for _m, shown in items for cid in shown}
    portfolio_ok = consented(everyone & own_child_ids, ConsentPurpose.PHOTO_PORTFOLIO)
    panel_ok = consented(everyone - own_child_ids, ConsentPurpose.PHOTO_PANEL)
    seen = [m for m, shown in items if family_media_allowed(shown, own_child_ids, portfolio_ok, panel_ok)]
    return seen, len(items) - len(seen)


def family_may_see_media(media: Media, own_child_ids: set[int]) -> bool:
    seen, _withheld = family_visible_media([media], own_child_ids)
    return bool(seen)


def panel_blurs(shown: set[int], panel_ok: set[int]) -> bool:
    """Whether a photo must be blurred on a group panel: it shows a child without PHOTO_PANEL."""
    return not shown <= panel_ok


def portfolio_blurs(shown: set[int], child_id: int, portfolio_ok: set[int], panel_ok: set[int]) -> bool:
    """Whether a photo must be blurred in ``child_id``'s portfolio PDF."""
    return child_id not in portfolio_ok or not (shown - {child_id}) <= panel_ok
