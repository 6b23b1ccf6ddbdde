"""Who is in each photo or recording, and consent judged by the children a file shows."""

from __future__ import annotations

import importlib
from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests.childhood.conftest import photo
from thukkhon.childhood import pdf, services
from thukkhon.childhood.models import Media, Observation
from thukkhon.childhood.selectors import family_feed
from thukkhon.core.models import ConsentPurpose
from thukkhon.core.services import consent_give
from thukkhon.core.thai import format_thai_date

pytestmark = pytest.mark.django_db


def observe(school, children, *, files=(), shown=None, visibility="family", quotes=None):  # type: ignore[no-untyped-def]
    quotes = quotes or {}
    return services.observation_create(
        actor=school.actor(school.teacher),
        classroom=school.room_a,
        data=services.ObservationData(
            observed_on=date.today(),
            title="สะพานไม้",
            children={c.pk: quotes.get(c.pk, "") for c in children},
            visibility=visibility,
        ),
        files=list(files),
        shown=shown,
    )


def shown(media: Media) -> set[int]:
    return set(media.children.values_list("pk", flat=True))


def give(school, child, purpose):  # type: ignore[no-untyped-def]
    consent_give(actor=school.actor(school.admin), subject=child, purpose=purpose, given_by_name="แม่")


def sound() -> SimpleUploadedFile:
    return SimpleUploadedFile("voice.mp3", b"ID3" + b"\x00" * 64, content_type="audio/mpeg")


def test_a_file_shows_all_the_observation_children_unless_the_teacher_says_otherwise(school):
    obs = observe(
        school, [school.a1, school.a2], files=[photo(), photo(color="blue")], shown=[None, [school.a2.pk]]
    )
    first, second = obs.media.order_by("id")
    assert shown(first) == {school.a1.pk, school.a2.pk}
    assert shown(second) == {school.a2.pk}


def test_bad_tags_at_capture_get_a_clear_message_and_nothing_is_saved(school):
    with pytest.raises(ValidationError) as error:
        observe(school, [school.a1], files=[photo("a.jpg")], shown=[[school.a1.pk, school.a3.pk]])
    assert error.value.message_dict["files"] == ["“a.jpg” อาจแสดงได้เฉพาะเด็กในบันทึกนี้"]
    with pytest.raises(ValidationError) as error:
        observe(school, [school.a1], files=[photo("b.jpg")], shown=[[]])
    assert error.value.message_dict["files"] == ["“b.jpg”: เลือกเด็กที่อยู่ในภาพหรือวิดีโออย่างน้อยหนึ่งคน"]
    assert Observation.objects.count() == 0 and Media.objects.count() == 0
    # a sound recording may show nobody
    obs = observe(school, [school.a1], files=[sound()], shown=[[]])
    assert shown(obs.media.get()) == set()


def test_teacher_changes_who_is_in_a_photo(client, school):
    obs = observe(school, [school.a1, school.a2], files=[photo()])
    media = obs.media.get()
    url = reverse("childhood:media-children", args=[media.pk])
    client.force_login(school.teacher)
    page = client.get(reverse("childhood:observation", args=[obs.pk])).content.decode()
    assert f'action="{url}"' in page
    r = client.post(url, {"children": [school.a1.pk]})
    assert r.status_code == 302 and r["Location"].endswith(
        f"/childhood/observations/{obs.pk}/#media-{media.pk}"
    )
    assert shown(media) == {school.a1.pk}
    # a child who is not in the observation, or nobody in a photo: refused, nothing changes
    client.post(url, {"children": [school.a3.pk]})
    assert shown(media) == {school.a1.pk}
    r = client.post(url, {})
    assert r["Location"] == f"/childhood/observations/{obs.pk}/"
    r = client.get(r["Location"])
    assert "เลือกเด็กที่อยู่ในภาพหรือวิดีโออย่างน้อยหนึ่งคน" in r.content.decode()
    assert shown(media) == {school.a1.pk}
    # only the classroom's teachers
    for user in (school.other_teacher, school.parent):
        client.force_login(user)
        assert client.post(url, {"children": [school.a2.pk]}).status_code == 404
    assert shown(media) == {school.a1.pk}


def test_capture_page_sends_ticks_under_each_file(client, school):
    client.force_login(school.teacher)
    url = reverse("childhood:observation-create", args=[school.room_a.pk])
    r = client.post(
        url,
        {
            "observed_on": format_thai_date(date.today(), "numeric"),
            "title": "ต่อบล็อก",
            "children": [school.a1.pk, school.a2.pk],
            "visibility": "family",
            "attachments": [photo("one.jpg"), photo("two.jpg")],
            "tagged": "1",
            "shown_0": [school.a2.pk],
            "shown_1": [school.a1.pk, school.a2.pk],
        },
    )
    assert r.status_code == 302
    one, two = Media.objects.order_by("id")
    assert (one.name, shown(one)) == ("one.jpg", {school.a2.pk})
    assert (two.name, shown(two)) == ("two.jpg", {school.a1.pk, school.a2.pk})
    # without the ticks (no JavaScript) every file shows all the observation's children
    r = client.post(
        url,
        {
            "observed_on": format_thai_date(date.today(), "numeric"),
            "title": "ต่อบล็อก 2",
            "children": [school.a1.pk, school.a3.pk],
            "visibility": "team",
            "attachments": [photo("three.jpg")],
        },
    )
    assert r.status_code == 302
    assert shown(Media.objects.get(name="three.jpg")) == {school.a1.pk, school.a3.pk}


def test_a_family_never_sees_a_photo_of_another_child_without_consent(client, school):
    give(school, school.a1, ConsentPurpose.PHOTO_PORTFOLIO)
    obs = observe(
        school,
        [school.a1, school.a2],
        files=[photo("a1.jpg"), photo("a2.jpg"), photo("both.jpg")],
        shown=[[school.a1.pk], [school.a2.pk], [school.a1.pk, school.a2.pk]],
    )
    only_a1, only_a2, both = obs.media.order_by("id")
    client.force_login(school.parent)
    status = {
        m.name: client.get(reverse("childhood:media", args=[m.pk, "web"])).status_code
        for m in (only_a1, only_a2, both)
    }
    assert status == {"a1.jpg": 200, "a2.jpg": 404, "both.jpg": 404}
    feed = family_feed(school.actor(school.parent), school.a1)
    assert [m.name for m in feed[0].media] == ["a1.jpg"] and feed[0].withheld == 2
    page = client.get(reverse("childhood:observation", args=[obs.pk])).content.decode()
    assert f"/childhood/media/{only_a1.pk}/web/" in page
    assert f"/childhood/media/{only_a2.pk}/" not in page and f"/childhood/media/{both.pk}/" not in page
    assert "media-children" not in page and "ทำสิ่งนี้" not in page
    # a2's family consents to group use: the photo of both is seen, a photo of a2 alone is not
    # part of a1's portfolio
    give(school, school.a2, ConsentPurpose.PHOTO_PANEL)
    status = {
        m.name: client.get(reverse("childhood:media", args=[m.pk, "web"])).status_code
        for m in (only_a1, only_a2, both)
    }
    assert status == {"a1.jpg": 200, "a2.jpg": 404, "both.jpg": 200}


def test_a_photo_of_only_consenting_children_is_seen_whoever_else_the_observation_names(client, school):
    """Before, a2's missing consent hid every file of the observation from a1's family."""
    give(school, school.a1, ConsentPurpose.PHOTO_PORTFOLIO)
    obs = observe(school, [school.a1, school.a2], files=[photo("a1.jpg")], shown=[[school.a1.pk]])
    client.force_login(school.parent)
    assert client.get(reverse("childhood:media", args=[obs.media.get().pk, "web"])).status_code == 200
    # the other family sees nothing: their child is not in the photo
    client.force_login(school.other_parent)
    assert client.get(reverse("childhood:media", args=[obs.media.get().pk, "web"])).status_code == 404
    feed = family_feed(school.actor(school.other_parent), school.a2)
    assert feed[0].media == [] and feed[0].withheld == 1


def test_a_recording_showing_nobody_is_heard_by_the_families_it_is_shared_with(client, school):
    obs = observe(school, [school.a1, school.a2], files=[sound()], shown=[[]])
    client.force_login(school.parent)
    assert client.get(reverse("childhood:media", args=[obs.media.get().pk, "original"])).status_code == 200
    team = observe(school, [school.a1], files=[sound()], shown=[[]], visibility="team")
    assert client.get(reverse("childhood:media", args=[team.media.get().pk, "original"])).status_code == 404


def _project(school):  # type: ignore[no-untyped-def]
    return services.project_create(
        actor=school.actor(school.teacher),
        classroom=school.room_a,
        title="สะพาน",
        provocation="สะพานยืนได้อย่างไร",
        started_on=date.today(),
    )


def test_panel_blurs_only_the_photos_of_a_child_without_panel_consent(school):
    give(school, school.a1, ConsentPurpose.PHOTO_PANEL)
    project = _project(school)
    obs = observe(
        school,
        [school.a1, school.a2],
        files=[photo(color="red"), photo(color="blue")],
        shown=[[school.a1.pk], [school.a1.pk, school.a2.pk]],
        quotes={school.a2.pk: "สะพานล้ม"},
    )
    Observation.objects.filter(pk=obs.pk).update(project=project)
    observations = list(project.observations.prefetch_related("children__child", "media__children"))
    items, blurred = pdf.panel_items(observations)
    assert blurred == 1
    assert [p.blurred for p in items[0].photos] == [False, True]
    # a2 has no panel consent: name and words anonymised, whatever the photos show
    a1_name = school.a1.nickname or school.a1.first_name
    assert items[0].names == [a1_name, "เด็ก"] and items[0].quotes == [("เด็ก", "สะพานล้ม")]
    data, n = pdf.project_panel_pdf(project, size="A4", media_url="https://example.test/p/1")
    assert data.startswith(b"%PDF") and n == 1


def test_portfolio_pdf_shows_the_photos_the_child_is_in(client, school):
    give(school, school.a1, ConsentPurpose.PHOTO_PORTFOLIO)
    give(school, school.a2, ConsentPurpose.PHOTO_PANEL)
    observe(
        school,
        [school.a1, school.a2, school.a3],
        files=[photo(color="red"), photo(color="blue"), photo(color="green")],
        shown=[[school.a2.pk], [school.a1.pk, school.a2.pk], [school.a1.pk, school.a3.pk]],
    )
    observations = list(Observation.objects.prefetch_related("children__child", "media__children"))
    items, blurred = pdf.panel_items(observations, max_photos=3, child=school.a1)
    # the photo of a2 alone is left out; a3 (no panel consent) is in the third: blurred
    assert [p.blurred for p in items[0].photos] == [False, True] and blurred == 1
    items, blurred = pdf.panel_items(observations, max_photos=3, child=school.a3)
    # a3 has no portfolio consent: their own photo is blurred in their portfolio too
    assert [p.blurred for p in items[0].photos] == [True] and blurred == 1
    client.force_login(school.teacher)
    r = client.get(reverse("childhood:child-pdf", args=[school.a1.pk]))
    assert r.status_code == 200 and r.content.startswith(b"%PDF")


def test_data_migration_gives_existing_files_all_their_observation_children(school):
    from django.apps import apps

    migration = importlib.import_module("thukkhon.childhood.migrations.0004_media_children")
    one = observe(school, [school.a1, school.a2], files=[photo(), photo()])
    two = observe(school, [school.a3], files=[photo()])
    observe(school, [school.a1])  # no files
    Media.children.through.objects.all().delete()
    migration.tag_existing_media(apps, None)
    assert sorted((m.observation_id, sorted(shown(m))) for m in Media.objects.all()) == sorted(
        [
            (one.pk, sorted([school.a1.pk, school.a2.pk])),
            (one.pk, sorted([school.a1.pk, school.a2.pk])),
            (two.pk, [school.a3.pk]),
        ]
    )
    assert Media.children.through.objects.count() == 5
    # media made in bulk (the demo town) are tagged the same way, and only once
    assert services.media_tag_all(Media.objects.values_list("pk", flat=True)) == 0


def test_a_refused_file_does_not_shift_the_ticks_of_the_others(school):
    bad = SimpleUploadedFile("bad.jpg", b"not a picture at all", content_type="image/jpeg")
    with pytest.raises(ValidationError) as error:
        observe(school, [school.a1, school.a2], files=[bad, photo("ok.jpg")], shown=[[], [school.a2.pk]])
    assert len(error.value.message_dict["files"]) == 1
    assert error.value.message_dict["files"][0].startswith("“bad.jpg”")
    assert Media.objects.count() == 0
