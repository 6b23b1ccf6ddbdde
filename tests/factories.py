"""factory_boy factories for the core and registry models, shared by every app's tests.

Typical use::

    muni = MunicipalityFactory()
    actor_user = member(muni, "welfare")               # a user with one membership
    resident = ResidentFactory(municipality=muni)      # community and household in the same town
    VulnerabilityFactory(resident=resident, barthel_score=3)

Names are Thai (Faker ``th_TH``); national IDs are valid 13-digit Thai IDs with a correct check digit.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import factory
from factory.django import DjangoModelFactory

from thukkhon.core.models import Membership, Municipality, User
from thukkhon.core.roles import Role
from thukkhon.people.models import (
    Community,
    CommunityScope,
    Household,
    IdKind,
    Place,
    PlaceKind,
    Relation,
    Resident,
    ResidentStatus,
    Vulnerability,
)

PASSWORD = "thukkhon-test-pass"


def thai_id_check_digit(first12: str) -> int:
    total = sum(int(d) * (13 - i) for i, d in enumerate(first12))
    return (11 - total % 11) % 10


def make_thai_id(n: int) -> str:
    """A valid 13-digit Thai national ID derived from ``n`` (distinct for distinct n < 10**11)."""
    first12 = f"1{n:011d}"
    return first12 + str(thai_id_check_digit(first12))


class MunicipalityFactory(DjangoModelFactory):
    class Meta:
        model = Municipality
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"muni-{n}")
    name_th = factory.Sequence(lambda n: f"เทศบาลเมืองทดสอบ {n}")
    name_en = factory.Sequence(lambda n: f"Test Town Municipality {n}")
    latitude = Decimal("18.580000")
    longitude = Decimal("99.010000")


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name", locale="th_TH")
    last_name = factory.Faker("last_name", locale="th_TH")
    display_name = factory.LazyAttribute(lambda o: f"{o.first_name} {o.last_name}")
    language = "th"

    @factory.post_generation
    def password(self, create: bool, extracted: str | None, **kwargs: Any) -> None:
        self.set_password(extracted or PASSWORD)
        if create:
            self.save(update_fields=["password"])


class MembershipFactory(DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    municipality = factory.SubFactory(MunicipalityFactory)
    role = Role.WELFARE
    is_active = True


class CommunityFactory(DjangoModelFactory):
    class Meta:
        model = Community

    municipality = factory.SubFactory(MunicipalityFactory)
    code = factory.Sequence(lambda n: f"C{n:02d}")
    name_th = factory.Sequence(lambda n: f"ชุมชนทดสอบ {n}")
    name_en = factory.Sequence(lambda n: f"Test community {n}")
    latitude = Decimal("18.580000")
    longitude = Decimal("99.010000")


class CommunityScopeFactory(DjangoModelFactory):
    class Meta:
        model = CommunityScope

    membership = factory.SubFactory(MembershipFactory, role=Role.VOLUNTEER)
    community = factory.SubFactory(
        CommunityFactory, municipality=factory.SelfAttribute("..membership.municipality")
    )


class HouseholdFactory(DjangoModelFactory):
    class Meta:
        model = Household

    municipality = factory.SubFactory(MunicipalityFactory)
    community = factory.SubFactory(CommunityFactory, municipality=factory.SelfAttribute("..municipality"))
    registration_no = factory.Sequence(lambda n: f"5101{n:07d}")
    house_no = factory.Sequence(lambda n: f"{n + 1}/1")
    moo = ""
    road = "อินทยงยศ"
    tambon = "ในเมือง"
    amphoe = "เมืองลำพูน"
    changwat = "ลำพูน"
    postcode = "51000"
    latitude = Decimal("18.578000")
    longitude = Decimal("99.008000")


class ResidentFactory(DjangoModelFactory):
    """A living resident with a valid Thai ID, in a household of their community (as its owner)."""

    class Meta:
        model = Resident

    municipality = factory.SubFactory(MunicipalityFactory)
    community = factory.SubFactory(CommunityFactory, municipality=factory.SelfAttribute("..municipality"))
    household = factory.SubFactory(
        HouseholdFactory,
        municipality=factory.SelfAttribute("..municipality"),
        community=factory.SelfAttribute("..community"),
    )
    relation_to_owner = factory.LazyAttribute(lambda o: Relation.OWNER if o.household else "")
    id_kind = IdKind.THAI
    national_id = factory.Sequence(lambda n: make_thai_id(n + 1))
    title = "นาย"
    first_name = factory.Faker("first_name_male", locale="th_TH")
    last_name = factory.Faker("last_name", locale="th_TH")
    sex = "male"
    birth_date = date(1960, 5, 12)
    phone = factory.Sequence(lambda n: f"08{n:08d}")
    status = ResidentStatus.ALIVE


class VulnerabilityFactory(DjangoModelFactory):
    class Meta:
        model = Vulnerability

    resident = factory.SubFactory(ResidentFactory)
    disability_type = ""
    barthel_score = None
    chronic_conditions = factory.LazyFunction(list)
    welfare_card = False
    lives_alone = False


class PlaceFactory(DjangoModelFactory):
    class Meta:
        model = Place

    municipality = factory.SubFactory(MunicipalityFactory)
    kind = PlaceKind.HOSPITAL
    name_th = factory.Sequence(lambda n: f"โรงพยาบาลทดสอบ {n}")
    name_en = factory.Sequence(lambda n: f"Test hospital {n}")
    latitude = Decimal("18.577000")
    longitude = Decimal("99.009000")


def member(
    municipality: Municipality,
    role: str,
    *,
    communities: list[Community] | tuple[Community, ...] = (),
    username: str | None = None,
) -> User:
    """A user holding ``role`` in ``municipality`` (a volunteer scoped to ``communities``)."""
    extra = {"username": username} if username else {}
    user = UserFactory(**extra)
    membership = MembershipFactory(user=user, municipality=municipality, role=role)
    for community in communities:
        CommunityScopeFactory(membership=membership, community=community)
    return user
