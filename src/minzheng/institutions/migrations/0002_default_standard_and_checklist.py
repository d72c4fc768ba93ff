"""Seed the first rating standard (GB/T 37276-2018, thresholds per policy-research §4.2) and the first safety
checklist (§4.3). Later versions are published through the actions, never by editing these rows."""

from types import SimpleNamespace

from django.db import migrations


def forwards(apps, schema_editor):
    from minzheng.institutions import defaults

    names = ("RatingStandard", "RatingPart", "RatingLevel", "RatingPartMinimum", "ChecklistVersion", "ChecklistItem")
    m = SimpleNamespace(**{name: apps.get_model("institutions", name) for name in names})
    if not m.RatingStandard.objects.filter(code=defaults.STANDARD_CODE).exists():
        defaults.write_standard(m, defaults.DEFAULT_STANDARD, version=1)
    if not m.ChecklistVersion.objects.filter(code=defaults.CHECKLIST_CODE).exists():
        defaults.write_checklist(m, defaults.DEFAULT_CHECKLIST, version=1)


def backwards(apps, schema_editor):
    for name in ("ChecklistItem", "ChecklistVersion", "RatingPartMinimum", "RatingLevel", "RatingPart",
                 "RatingStandard"):
        apps.get_model("institutions", name).objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("institutions", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards)]
