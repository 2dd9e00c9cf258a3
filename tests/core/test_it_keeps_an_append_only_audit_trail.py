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


def test_the_admin_shows_business_rows_but_changes_none_of_them(net, client, enquiry):
    """Leads, customers, dealers, staff and messages change only through the console's audited
    services: even a superuser's admin can look, not add, edit or delete (NET-4)."""
    from django.contrib import admin
    from django.contrib.auth import get_user_model
    from django.urls import reverse

    from autodcc.leads.services import lead_capture

    lead = lead_capture(actor=SYSTEM, data=enquiry(name="管理员测试", phone="13799990000", dealer="SH-001")).lead
    root = get_user_model().objects.create_superuser("root", "root@example.com", "pw-long-enough-1")
    client.force_login(root, backend="django.contrib.auth.backends.ModelBackend")
    change = reverse("admin:leads_lead_change", args=[lead.pk])
    page = client.get(change)
    assert page.status_code == 200 and "管理员测试" in page.content.decode()  # readable
    assert 'name="_save"' not in page.content.decode()
    assert client.post(change, {"status": "invalid"}).status_code == 403
    lead.refresh_from_db()
    assert lead.status != "invalid"
    assert client.post(reverse("admin:network_dealer_delete", args=[net.dealer_a.pk]), {"post": "yes"}).status_code == 403
    assert client.get(reverse("admin:customers_customer_add")).status_code == 403
    for model, model_admin in admin.site._registry.items():
        if model._meta.app_label in {"leads", "customers", "network", "core"} and model._meta.model_name not in {
                "province", "city", "importjob", "outboxevent"}:
            assert not model_admin.has_change_permission(type("R", (), {"user": root})()), model
