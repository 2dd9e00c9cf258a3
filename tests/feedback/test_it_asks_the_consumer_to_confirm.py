"""Resolution confirmed with the consumer: resolving sends an SMS with a link to a store page where
the consumer confirms (→ confirmed) or reopens with a comment (→ reopened, the clock starts
again). The link answers once, expires, and only its hash is kept."""

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from autodcc.core.models import AuditLog
from autodcc.feedback import services
from autodcc.feedback.models import Complaint, ComplaintEntry, Status
from autodcc.messaging.models import Message


@pytest.fixture
def resolved(net, file_complaint):
    complaint = file_complaint("sales_service", dealer="SH-001", phone="13655550001")
    services.complaint_assign(actor=net.a_manager.actor, complaint=complaint, assignee=net.a_supervisor.staff)
    services.complaint_resolve(actor=net.a_supervisor.actor, complaint=complaint, resolution="赠品已补发，向您致歉。")
    sms = Message.objects.get(event="complaint_resolved", related_id=str(complaint.pk))
    token = re.search(r"/store/feedback/c/([^/]+)/", sms.body).group(1)
    return Complaint.objects.get(pk=complaint.pk), token, sms


def test_resolving_texts_the_consumer_a_link(net, resolved):
    complaint, token, sms = resolved
    assert sms.recipient_phone == "+8613655550001" and complaint.number in sms.body
    assert complaint.status == Status.RESOLVED and complaint.resolved_in_time is True
    assert complaint.token_hash == services.hash_token(token) != token
    assert token not in sms.display_body  # staff reading the outbox cannot act as the consumer
    assert not any("token_hash" in (e.after or {}) for e in AuditLog.objects.filter(object_id=str(complaint.pk),
                                                                                      object_type="feedback.complaint"))


def test_the_consumer_confirms_through_the_link_once(client, resolved):
    complaint, token, _sms = resolved
    url = reverse("store:complaint_confirm", args=[token])
    page = client.get(url).content.decode()
    assert "赠品已补发" in page and 'data-state="open"' in page
    response = client.post(url, {"decision": "accept"})
    assert response.status_code == 302
    complaint.refresh_from_db()
    assert complaint.status == Status.CONFIRMED and complaint.confirmed_at and complaint.token_used_at
    assert AuditLog.objects.filter(action="complaint.confirm", object_id=str(complaint.pk)).count() == 1
    # the same link again: said plainly, nothing changes
    client.post(url, {"decision": "reopen", "comment": "还是不行"})
    complaint.refresh_from_db()
    assert complaint.status == Status.CONFIRMED
    page = client.get(url).content.decode()
    assert 'data-state="used"' in page and "您已确认" in page
    assert ComplaintEntry.objects.filter(complaint=complaint, kind__in=["confirmed", "reopened"]).count() == 1


def test_the_consumer_reopens_with_a_comment(net, client, resolved):
    complaint, token, _sms = resolved
    url = reverse("store:complaint_confirm", args=[token])
    response = client.post(url, {"decision": "reopen", "comment": ""})
    assert response.status_code == 400 and "请告诉我们" in response.content.decode()
    assert Complaint.objects.get(pk=complaint.pk).status == Status.RESOLVED
    client.post(url, {"decision": "reopen", "comment": "赠品还没收到。"})
    complaint.refresh_from_db()
    assert complaint.status == Status.REOPENED and complaint.reopen_count == 1
    assert complaint.resolve_by > timezone.now() and complaint.escalation_level == 0
    assert complaint.escalate_at == complaint.resolve_by and complaint.resolved_at is None
    entry = ComplaintEntry.objects.get(complaint=complaint, kind="reopened")
    assert entry.note == "赠品还没收到。"
    # the person handling it is told
    assert Message.objects.filter(event="complaint_new", related_id=str(complaint.pk),
                                  recipient_staff_id=net.a_supervisor.staff.pk).count() == 2
    # and it can be resolved again, with a new link; the old one no longer opens anything
    services.complaint_resolve(actor=net.a_supervisor.actor, complaint=complaint, resolution="已快递补发。")
    assert client.get(url).status_code == 404


def test_an_expired_link_says_so_and_changes_nothing(client, resolved):
    complaint, token, _sms = resolved
    Complaint.objects.filter(pk=complaint.pk).update(token_expires_at=timezone.now() - dt.timedelta(minutes=1))
    url = reverse("store:complaint_confirm", args=[token])
    assert 'data-state="expired"' in client.get(url).content.decode()
    client.post(url, {"decision": "accept"})
    assert Complaint.objects.get(pk=complaint.pk).status == Status.RESOLVED


def test_a_made_up_link_is_not_found(client, resolved):
    assert client.get(reverse("store:complaint_confirm", args=["x" * 32])).status_code == 404
    assert client.post(reverse("store:complaint_confirm", args=["x" * 32]), {"decision": "accept"}).status_code == 404
