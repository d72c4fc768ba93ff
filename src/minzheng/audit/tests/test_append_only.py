import pytest
from django.db import DatabaseError, connection, transaction

from minzheng.audit.log import record
from minzheng.audit.models import AppendOnlyError, AuditEvent


@pytest.mark.django_db
def test_events_cannot_be_changed_or_deleted() -> None:
    ev = record(None, "import", object_type="intake.file", object_id="1", summary="导入")
    assert ev.actor_username == "system"
    ev.summary = "篡改"
    with pytest.raises(AppendOnlyError):
        ev.save()
    with pytest.raises(AppendOnlyError):
        ev.delete()
    for sql in ("UPDATE audit_auditevent SET summary = 'x'", "DELETE FROM audit_auditevent"):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cur:
            cur.execute(sql)
    assert AuditEvent.objects.get().summary == "导入"
