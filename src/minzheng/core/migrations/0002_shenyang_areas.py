from django.db import migrations


def seed(apps, schema_editor):
    from minzheng.core.shenyang import seed_top

    seed_top(apps.get_model("core", "Area"))


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
