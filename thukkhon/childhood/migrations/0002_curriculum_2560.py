from django.db import migrations


def seed(apps, schema_editor):
    from thukkhon.childhood.curriculum import seed_framework_2560

    seed_framework_2560(
        apps.get_model("childhood", "Framework"),
        apps.get_model("childhood", "Domain"),
        apps.get_model("childhood", "Standard"),
        apps.get_model("childhood", "Indicator"),
    )


class Migration(migrations.Migration):
    dependencies = [("childhood", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
