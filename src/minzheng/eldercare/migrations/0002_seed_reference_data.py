"""Seed the configurable reference data: service categories, entitlement hours, the adaptation list and
policy, meal subsidies and the two assessment instruments (see ``minzheng.eldercare.seeds``)."""

from django.db import migrations


def forwards(apps, schema_editor):
    from minzheng.eldercare.seeds import ensure_seeds

    ensure_seeds(apps)


class Migration(migrations.Migration):
    dependencies = [("eldercare", "0001_initial")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
