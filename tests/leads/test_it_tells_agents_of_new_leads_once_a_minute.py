"""An agent is told of new leads at once, then at most once a minute: what arrives meanwhile is
summed into the next message, sent when the minute is up."""

import datetime as dt

from django.utils import timezone

from autodcc.core import outbox
from autodcc.core.actors import SYSTEM
from autodcc.core.models import OutboxEvent, OutboxStatus
from autodcc.leads.services import lead_capture
from autodcc.leads.services.notices import TOPIC
from autodcc.messaging.models import Event, Message


def told(agent):
    return list(Message.objects.filter(event=Event.LEAD_ASSIGNED, recipient_staff_id=agent.pk).order_by("pk"))


def test_a_burst_makes_one_message_a_minute(net, enquiry, django_capture_on_commit_callbacks, settings):
    settings.LEAD_NOTICE_INTERVAL = 60
    agent = net.a_agent.staff
    with django_capture_on_commit_callbacks(execute=True):
        first = lead_capture(actor=SYSTEM, data=enquiry(dealer="SH-001", name="赵一")).lead
    assert len(told(agent)) == 1 and "赵一" in told(agent)[0].body
    with django_capture_on_commit_callbacks(execute=True):
        for name in ("钱二", "孙三"):
            lead_capture(actor=SYSTEM, data=enquiry(dealer="SH-001", name=name))
    assert len(told(agent)) == 1  # told a moment ago: not again yet
    later = OutboxEvent.objects.get(topic=TOPIC, status=OutboxStatus.PENDING)
    sent_at = told(agent)[0].created_at
    assert later.next_attempt_at == sent_at + dt.timedelta(seconds=60)
    outbox.dispatch_due(now=later.next_attempt_at + dt.timedelta(seconds=1))
    messages = told(agent)
    assert len(messages) == 2 and "钱二" in messages[1].body and "2" in messages[1].body
    assert first.pk  # the first lead's message was its own
    # notices done are not kept (their messages are); nothing is left waiting
    assert not OutboxEvent.objects.filter(topic=TOPIC).exists()


def test_without_an_interval_every_batch_is_told(net, enquiry, django_capture_on_commit_callbacks, settings):
    settings.LEAD_NOTICE_INTERVAL = 0
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            lead_capture(actor=SYSTEM, data=enquiry(dealer="SH-001"))
    assert len(told(net.a_agent.staff)) == 2
    assert timezone.now()
