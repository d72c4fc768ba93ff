"""The service taxonomy (服务类社会救助清单) and the first needs-assessment instrument, active from 2025-01-01.

Both are data the code relies on. The instrument is read from ``instruments/needs-v1.json``, a file that is
never edited (a new version is a new file, loaded with ``minzheng services instrument load``).
"""

import json
import uuid
from decimal import Decimal
from pathlib import Path

from django.db import migrations

from minzheng.services.taxonomy import ITEMS

NAMESPACE = uuid.UUID("6f1d2a4e-8c37-5b0e-9d5a-2101000006a1")
V1 = Path(__file__).resolve().parent.parent / "instruments" / "needs-v1.json"


def forwards(apps, schema_editor):
    ServiceItem = apps.get_model("services", "ServiceItem")
    for order, (code, group, name, kind) in enumerate(ITEMS):
        ServiceItem.objects.update_or_create(
            code=code,
            defaults={"group": group, "name": name, "kind": kind, "order": order,
                      "uid": uuid.uuid5(NAMESPACE, f"item/{code}")},
        )
    Instrument = apps.get_model("services", "Instrument")
    InstrumentVersion = apps.get_model("services", "InstrumentVersion")
    InstrumentItem = apps.get_model("services", "InstrumentItem")
    data = json.loads(V1.read_text(encoding="utf-8"))
    meta = data["instrument"]
    instrument, _ = Instrument.objects.get_or_create(
        code=meta["code"], defaults={"name": meta["name"], "description": meta["description"]}
    )
    if InstrumentVersion.objects.filter(instrument=instrument, version=data["version"]).exists():
        return
    version = InstrumentVersion.objects.create(
        instrument=instrument, version=data["version"], status="active", valid_from=data["valid_from"],
        dimension_weights=data["dimension_weights"], thresholds=data["thresholds"], note=data["note"],
    )
    for row in data["items"]:
        InstrumentItem.objects.create(
            version=version, code=row["code"], dimension=row["dimension"], question=row["question"],
            help_text=row["help_text"], options=row["options"], weight=Decimal(row["weight"]),
            derive=row["derive"], tag_rules=row["tag_rules"], red_flag=row["red_flag"], order=row["order"],
        )


class Migration(migrations.Migration):
    dependencies = [("services", "0001_initial")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
