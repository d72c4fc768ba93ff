from django.db import migrations


def seed(apps, schema_editor):
    from minzheng.core.shenyang import CITY, DISTRICTS

    Area = apps.get_model("core", "Area")
    city, _ = Area.objects.get_or_create(code=CITY[0], defaults={"name": CITY[1], "level": "city"})
    for code6, name in DISTRICTS:
        Area.objects.get_or_create(
            code=code6 + "000000", defaults={"name": name, "level": "district", "parent": city}
        )


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
