"""Who is in each photo or recording: existing files show all of their observation's children
(what was assumed until now), and a transition summary gets strengths and the family's words."""

from django.db import migrations, models


def tag_existing_media(apps, schema_editor):
    Media = apps.get_model("childhood", "Media")
    ObservationChild = apps.get_model("childhood", "ObservationChild")
    Through = Media.children.through
    batch = []
    for media_id, child_id in (
        ObservationChild.objects.filter(observation__media__isnull=False)
        .values_list("observation__media__id", "child_id")
        .iterator(chunk_size=5000)
    ):
        batch.append(Through(media_id=media_id, resident_id=child_id))
        if len(batch) >= 5000:
            Through.objects.bulk_create(batch, ignore_conflicts=True)
            batch = []
    Through.objects.bulk_create(batch, ignore_conflicts=True)


class Migration(migrations.Migration):
    dependencies = [
        ("childhood", "0003_indicator_ratings"),
        ("people", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="media",
            name="children",
            field=models.ManyToManyField(
                blank=True,
                related_name="+",
                to="people.resident",
                verbose_name="children in the photo or recording",
            ),
        ),
        migrations.AddField(
            model_name="transitionsummary",
            name="family_words",
            field=models.TextField(blank=True, verbose_name="the family's words"),
        ),
        migrations.AddField(
            model_name="transitionsummary",
            name="strengths",
            field=models.TextField(blank=True, verbose_name="strengths and interests"),
        ),
        migrations.RunPython(tag_existing_media, migrations.RunPython.noop),
    ]
