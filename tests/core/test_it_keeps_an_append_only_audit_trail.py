import pytest
from django.db import connection, transaction

from autodcc.core import audit
from autodcc.core.actors import SYSTEM
from autodcc.core.models import AuditLog


def test_it_refuses_to_change_or_delete_audit_rows(net):
    entry = AuditLog.objects.filter(action="dealer.create").first()
    assert entry is not None
    entry.note = "tampered"
    with pytest.raises(PermissionError):
        entry.save()
    with pytest.raises(PermissionError):
        entry.delete()
    with pytest.raises(PermissionError):
        AuditLog.objects.filter(pk=entry.pk).update(note="x")
    with pytest.raises(PermissionError):
        AuditLog.objects.all().delete()
    assert AuditLog.objects.get(pk=entry.pk).note == ""


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger exists on PostgreSQL")
def test_the_database_refuses_raw_updates_on_postgresql(net):
    from django.db.utils import DatabaseError

    entry = AuditLog.objects.first()
    for sql in ("UPDATE core_auditlog SET note = 'x' WHERE id = %s", "DELETE FROM core_auditlog WHERE id = %s"):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cur:
            cur.execute(sql, [entry.pk])
    assert AuditLog.objects.get(pk=entry.pk).note == ""


def test_it_records_before_and_after(net):
    dealer = net.dealer_a
    before = audit.snapshot(dealer)
    entry = audit.record(actor=SYSTEM, action="test.touch", obj=dealer, before=before, after={**before, "name": "新"})
    assert entry.dealer_id == dealer.pk
    assert entry.changes == {"name": (dealer.name, "新")}
    assert entry.object_type == "network.dealer"
