"""Indicator-level end-of-term ratings: the rule a standard's rating follows, the class grid, the
child's sheet, and every reader seeing the same derived value."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from thukkhon.childhood import selectors, services
from thukkhon.childhood.models import IndicatorRating, Observation, ObservationChild, Rating, Standard

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("scores", "expected"),
    [
        ([], None),
        ([2], 2),
        ([3, 3, 1], 3),  # the mode
        ([1, 1, 3], 1),
        ([2, 2, 3, 1], 2),
        ([3, 1], 2),  # tie: mean of 3 and 1
        ([3, 2], 3),  # tie: 2.5 rounds up
        ([2, 1], 2),  # tie: 1.5 rounds up
        ([3, 2, 1], 2),
        ([3, 3, 1, 1], 2),
        ([3, 3, 2, 2, 1], 3),  # tie between 3 and 2 only: 2.5 → 3 (the single 1 is not a mode)
        ([1, 1, 2, 2, 3], 2),  # tie between 1 and 2: 1.5 → 2
    ],
)
def test_the_standard_follows_its_indicators(scores, expected):
    assert selectors.derive_standard_score(scores) == expected


def _std(number):  # type: ignore[no-untyped-def]
    return Standard.objects.get(framework__is_current=True, number=number)


def _term(school):  # type: ignore[no-untyped-def]
    today = date.today()
    terms = selectors.terms_of(school.room_a)
    return next((t for t in reversed(terms) if t.starts_on <= today), terms[0])


def _observe(school, children, indicators=(), standards=()):  # type: ignore[no-untyped-def]
    return services.observation_create(
        actor=school.actor(school.teacher),
        classroom=school.room_a,
        data=services.ObservationData(
            observed_on=date.today(),
            title="ปั้นดิน",
            children={c.pk: "" for c in children},
            standard_ids=[s.pk for s in standards],
            indicator_ids=[i.pk for i in indicators],
        ),
    )


def test_a_bad_value_in_the_grid_is_refused_in_thai_and_nothing_is_saved(client, school):
    client.force_login(school.teacher)
    std = _std(5)  # four indicators
    i1, i2, i3, i4 = std.indicators.order_by("id")
    url = reverse("childhood:ratings", args=[school.room_a.pk])
    term = client.get(url, {"standard": std.pk}).context["term"]
    with translation.override("th"):
        bad = client.post(
            url,
            {
                "term": term.pk,
                "standard": std.pk,
                f"i{school.a1.pk}_{i1.pk}": "3",
                f"i{school.a1.pk}_{i2.pk}": "2",
                f"i{school.a2.pk}_{i3.pk}": "5",  # not a rating
            },
            HTTP_ACCEPT_LANGUAGE="th",
        )
    assert bad.status_code == 400
    page = bad.content.decode()
    assert "ให้คะแนน 3 (ดี) 2 (พอใช้) หรือ 1 (ควรส่งเสริม)" in page
    assert not IndicatorRating.objects.exists() and not Rating.objects.exists()
    # what was typed stays on the page to be corrected
    assert f'name="i{school.a1.pk}_{i1.pk}" value="3" checked' in page
    with translation.override("th"):
        letters = client.post(
            url,
            {"term": term.pk, "standard": std.pk, f"i{school.a1.pk}_{i4.pk}": "ดี"},
            HTTP_ACCEPT_LANGUAGE="th",
        )
    assert letters.status_code == 400 and not IndicatorRating.objects.exists()
    # a child of another classroom cannot be slipped in
    other = client.post(url, {"term": term.pk, "standard": std.pk, f"i{school.b1.pk}_{i1.pk}": "3"})
    assert other.status_code == 302 and not IndicatorRating.objects.exists()


def test_clearing_a_cell_and_the_derived_value_on_every_page(client, school):
    client.force_login(school.teacher)
    term = _term(school)
    std = _std(10)  # 10.1, 10.2, 10.3
    i1, i2, i3 = std.indicators.order_by("id")
    url = reverse("childhood:ratings", args=[school.room_a.pk])
    cells = {
        f"i{school.a1.pk}_{i1.pk}": "3",
        f"i{school.a1.pk}_{i2.pk}": "1",
        f"i{school.a1.pk}_{i3.pk}": "1",
    }
    client.post(url, {"term": term.pk, "standard": std.pk, **cells})
    [score] = selectors.standard_scores([school.a1.pk])
    assert (score.standard.number, score.score, score.derived, score.indicators) == (
        10,
        1,
        True,
        {i1.pk: 3, i2.pk: 1, i3.pk: 1},
    )
    # 10.3 cleared: 3 and 1 tie → 2
    client.post(url, {"term": term.pk, "standard": std.pk, **cells, f"i{school.a1.pk}_{i3.pk}": ""})
    assert IndicatorRating.objects.count() == 2
    [score] = selectors.standard_scores([school.a1.pk])
    assert score.score == 2
    grid = client.get(url, {"term": term.pk, "standard": std.pk})
    row = next(r for r in grid.context["rows"] if r[0] == school.a1)
    assert row[2].score == 2 and row[3][9].score == 2  # the standard's cell and the term at a glance
    portfolio = client.get(reverse("childhood:child", args=[school.a1.pk]))
    [shown] = portfolio.context["ratings"]
    assert (shown.standard.number, shown.score, shown.derived) == (10, 2, True)
    sheet = client.get(reverse("childhood:child-ratings", args=[school.room_a.pk, school.a1.pk]))
    row10 = next(r for r in sheet.context["sheet"] if r.standard.number == 10)
    assert (row10.score, row10.derived, [r.score for r in row10.indicators]) == (2, True, [3, 1, None])


def test_a_standard_rated_as_a_whole_keeps_working_until_its_indicators_are_rated(school):
    actor = school.actor(school.teacher)
    term = _term(school)
    std = _std(3)
    i1, i2 = std.indicators.order_by("id")
    services.ratings_record(
        actor=actor,
        classroom=school.room_a,
        term=term,
        entries=[services.RatingEntry(child_id=school.a1.pk, standard_id=std.pk, score=1)],
    )
    [score] = selectors.standard_scores([school.a1.pk])
    assert (score.score, score.derived) == (1, False)
    services.indicator_ratings_record(
        actor=actor,
        classroom=school.room_a,
        term=term,
        entries=[
            services.IndicatorEntry(child_id=school.a1.pk, indicator_id=i1.pk, score=3),
            services.IndicatorEntry(child_id=school.a1.pk, indicator_id=i2.pk, score=3),
        ],
    )
    [score] = selectors.standard_scores([school.a1.pk])
    assert (score.score, score.derived) == (3, True)  # the indicators decide; the old row stays
    assert Rating.objects.get().score == 1
    # setting the standard directly now is refused, in Thai, and changes nothing
    with pytest.raises(ValidationError) as error, translation.override("th"):
        services.ratings_record(
            actor=actor,
            classroom=school.room_a,
            term=term,
            entries=[services.RatingEntry(child_id=school.a1.pk, standard_id=std.pk, score=2)],
        )
    assert error.value.message_dict["score"] == [
        "มาตรฐานที่ 3 คิดจากผลประเมินตัวบ่งชี้แล้ว: ให้ประเมินที่ตัวบ่งชี้ หรือล้างผลตัวบ่งชี้ก่อนจึงจะประเมินทั้งมาตรฐานได้"
    ]
    assert Rating.objects.get().score == 1
    # clearing the indicators and rating the whole standard in one save works
    services.term_ratings_record(
        actor=actor,
        classroom=school.room_a,
        term=term,
        indicators=[
            services.IndicatorEntry(child_id=school.a1.pk, indicator_id=i1.pk, score=None),
            services.IndicatorEntry(child_id=school.a1.pk, indicator_id=i2.pk, score=None),
        ],
        standards=[services.RatingEntry(child_id=school.a1.pk, standard_id=std.pk, score=2)],
    )
    [score] = selectors.standard_scores([school.a1.pk])
    assert (score.score, score.derived) == (2, False)


def test_equity_reads_the_derived_value(school):
    actor = school.actor(school.teacher)
    term = _term(school)
    s1, s2 = _std(1), _std(2)
    services.term_ratings_record(
        actor=actor,
        classroom=school.room_a,
        term=term,
        indicators=[
            services.IndicatorEntry(child_id=school.a1.pk, indicator_id=i.pk, score=v)
            for i, v in zip(s1.indicators.order_by("id"), (1, 1, 3), strict=True)
        ],
        standards=[
            services.RatingEntry(child_id=school.a1.pk, standard_id=s2.pk, score=2),
            services.RatingEntry(child_id=school.a2.pk, standard_id=s2.pk, score=3),
        ],
    )
    report = selectors.equity_report(school.muni, {school.room_a.pk}, term.starts_on, term.ends_on)
    everyone = next(g for g in report.groups if g.label == "all")
    # a1: standard 1 = mode of 1, 1, 3 = 1 and standard 2 = 2 → 1.5 (not the 5 / 4 indicator mean)
    assert sorted(everyone.ratings) == [1.5, 3.0]


def test_the_child_sheet_rates_indicators_with_their_evidence(client, school):
    client.force_login(school.teacher)
    std = _std(11)
    i1, i2 = std.indicators.order_by("id")
    tagged = _observe(school, [school.a1, school.a2], indicators=[i1])
    untagged = _observe(school, [school.a1])
    not_a1 = _observe(school, [school.a2], indicators=[i1])
    url = reverse("childhood:child-ratings", args=[school.room_a.pk, school.a1.pk])
    page = client.get(url)
    row = next(r for r in page.context["sheet"] if r.standard.number == 11)
    assert [o.pk for o in row.indicators[0].tagged] == [tagged.pk]
    assert row.indicators[1].tagged == []
    assert reverse("childhood:observation", args=[tagged.pk]) in page.content.decode()
    term = page.context["term"]
    with translation.override("th"):
        bad = client.post(
            url,
            {"term": term.pk, f"i{i1.pk}": "3", f"ie{i1.pk}": [str(not_a1.pk)]},
            HTTP_ACCEPT_LANGUAGE="th",
        )
    assert bad.status_code == 400 and "หลักฐาน" in bad.content.decode()
    assert not IndicatorRating.objects.exists()
    response = client.post(
        url,
        {
            "term": term.pk,
            f"i{i1.pk}": "3",
            f"ie{i1.pk}": [str(tagged.pk)],
            f"i{i2.pk}": "2",
            f"ie{i2.pk}": [str(untagged.pk)],
        },
    )
    assert response.status_code == 302
    got = {
        r.indicator.code: (r.score, sorted(r.evidence.values_list("id", flat=True)))
        for r in IndicatorRating.objects.all()
    }
    assert got == {"11.1": (3, [tagged.pk]), "11.2": (2, [untagged.pk])}
    # 3 and 2 tie → 2.5 → 3, with both observations as the standard's evidence on the portfolio
    [score] = selectors.standard_scores([school.a1.pk])
    assert score.score == 3 and {o.pk for o in score.evidence} == {tagged.pk, untagged.pk}
    portfolio = client.get(reverse("childhood:child", args=[school.a1.pk])).content.decode()
    assert reverse("childhood:observation", args=[untagged.pk]) in portfolio
    # the class grid counts the observations tagged with each indicator, per child
    grid = client.get(reverse("childhood:ratings", args=[school.room_a.pk]), {"standard": std.pk})
    tagged_counts = {r[0].pk: [c[2] for c in r[1]] for r in grid.context["rows"]}
    assert tagged_counts == {school.a1.pk: [1, 0], school.a2.pk: [2, 0], school.a3.pk: [0, 0]}
    assert ObservationChild.objects.filter(child=school.a2).count() == 2
    assert Observation.objects.count() == 3


def test_the_observation_form_tags_indicators(client, school):
    client.force_login(school.teacher)
    i111 = _std(11).indicators.order_by("id").first()
    url = reverse("childhood:observation-create", args=[school.room_a.pk])
    page = client.get(url).content.decode()
    assert "11.1 ทำงานศิลปะตามจินตนาการและความคิดสร้างสรรค์" in page
    response = client.post(
        url,
        {
            "observed_on": date.today().strftime("%d/%m/") + str(date.today().year + 543),
            "title": "วาดฝัน",
            "children": [str(school.a1.pk)],
            "visibility": "team",
            "indicators": [str(i111.pk)],
        },
    )
    assert response.status_code == 302
    obs = Observation.objects.get(title="วาดฝัน")
    assert list(obs.indicators.values_list("code", flat=True)) == ["11.1"]
    bad = client.post(
        url,
        {
            "observed_on": "01/06/2568",
            "title": "x",
            "children": [str(school.a1.pk)],
            "visibility": "team",
            "indicators": ["999999"],
        },
    )
    assert bad.status_code == 400 and Observation.objects.count() == 1


def test_the_transition_summary_reads_the_derived_value_and_its_newest_evidence(school):
    from thukkhon.childhood.pdf import standard_lines

    actor = school.actor(school.teacher)
    term = _term(school)
    std = _std(10)
    i1, i2, i3 = std.indicators.order_by("id")
    evidence = _observe(school, [school.a1], indicators=[i1])
    evidence.interpretation = "นับก้อนดินได้ถึงสิบ แล้วแบ่งให้เพื่อน. ครูถามต่อ"
    evidence.save(update_fields=["interpretation"])
    services.indicator_ratings_record(
        actor=actor,
        classroom=school.room_a,
        term=term,
        entries=[
            services.IndicatorEntry(
                child_id=school.a1.pk, indicator_id=i1.pk, score=3, evidence_ids=[evidence.pk]
            ),
            services.IndicatorEntry(child_id=school.a1.pk, indicator_id=i2.pk, score=3),
            services.IndicatorEntry(child_id=school.a1.pk, indicator_id=i3.pk, score=1),
        ],
    )
    lines = {line.number: line for line in standard_lines(school.a1)}
    assert len(lines) == 12
    assert (lines[10].score, lines[10].score_label) == (3, "ดี")
    assert lines[10].evidence.startswith("ปั้นดิน (") and lines[10].evidence.endswith(
        ": นับก้อนดินได้ถึงสิบ แล้วแบ่งให้เพื่อน."
    )
    assert (lines[3].score, lines[3].evidence) == (None, "")
