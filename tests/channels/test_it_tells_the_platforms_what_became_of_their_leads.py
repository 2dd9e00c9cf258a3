"""Status feedback: contacted, invalid, arrived — told once to the platform the lead came from,
where the platform takes that status, through the outbox."""

from __future__ import annotations

import pytest

from autodcc.channels.feedback import feedback_sweep, use_transport
from autodcc.channels.models import Feedback, FeedbackState
from autodcc.core import outbox
from autodcc.core.models import OutboxEvent
from autodcc.leads.models import Lead, Status
from autodcc.leads.services import lead_follow_up, lead_register_arrival
from tests.channels import fakes


@pytest.fixture
def platforms():
    made = {n: fakes.FakePlatform(n, []) for n in ("autohome", "yiche", "dongchedi")}

    made["tmall"] = fakes.FakeTop([])

    def route(call):
        if call.url.startswith("https://eco.taobao.test"):
            return made["tmall"](call)
        return next(p for n, p in made.items() if n != "tmall" and call.url.startswith(fakes.API_BASE[n]))(call)

    use_transport(route)
    yield made
    use_transport(None)


def test_a_contact_and_an_arrival_reach_autohome_once_each(net, client, platforms):
    fakes.signed_push(client, "autohome", fakes.PLATFORM_LEADS["autohome"](1))
    lead = Lead.objects.get()
    assert feedback_sweep() == 0  # nothing happened yet
    agent = net.b_agent.actor
    lead_follow_up(actor=agent, lead=lead, kind="call_out", result="reached")
    assert feedback_sweep() == 1
    assert OutboxEvent.objects.filter(topic="channels.feedback").count() == 1
    outbox.dispatch_due()
    assert platforms["autohome"].feedback == [
        {"clueId": "AH00000001", "status": 1, "time": platforms["autohome"].feedback[0]["time"]}]
    assert Feedback.objects.get().state == FeedbackState.SENT
    lead_follow_up(actor=agent, lead=lead, kind="call_out", result="reached")  # a second contact: told already
    assert feedback_sweep() == 0
    lead_register_arrival(actor=agent, lead=Lead.objects.get())
    assert feedback_sweep() == 1
    outbox.dispatch_due()
    assert [f["status"] for f in platforms["autohome"].feedback] == [1, 3]


def test_yiche_takes_no_arrival_and_an_invalid_lead_reaches_dongchedi(net, client, platforms):
    fakes.signed_push(client, "yiche", fakes.PLATFORM_LEADS["yiche"](1))
    fakes.signed_push(client, "dongchedi", fakes.PLATFORM_LEADS["dongchedi"](1))
    yiche = Lead.objects.get(channel="yiche")
    lead_register_arrival(actor=net.a_agent.actor, lead=yiche)  # arrived, never called: Yiche takes no arrival
    Lead.objects.filter(channel="dongchedi").update(status=Status.INVALID)
    assert feedback_sweep() == 1
    outbox.dispatch_due()
    assert platforms["yiche"].feedback == []
    assert platforms["dongchedi"].feedback[0]["clue_id"] == "DCD0000000001"
    assert platforms["dongchedi"].feedback[0]["status"] == "invalid"


def test_a_platform_that_refuses_is_retried_then_marked_failed(net, client, platforms, settings):
    settings.OUTBOX_MAX_ATTEMPTS = 1
    fakes.signed_push(client, "autohome", fakes.PLATFORM_LEADS["autohome"](2))
    lead_follow_up(actor=net.b_agent.actor, lead=Lead.objects.get(), kind="call_out", result="no_answer")
    platforms["autohome"].fail = True
    feedback_sweep()
    outbox.dispatch_due()
    row = Feedback.objects.get()
    assert row.state == FeedbackState.FAILED and "502" in row.error


def test_tmall_hears_of_the_first_touch_of_the_leads_it_numbered(net, client, platforms):
    fakes.qimen_push(client, fakes.tmall_lead(attr="{store_code:'HZ-001',lead_no:'1851125030483093545'}"))
    fakes.qimen_push(client, fakes.tmall_lead(mobile="13911113333", attr="{store_code:'HZ-001'}"))  # no lead number
    for lead in Lead.objects.all():
        lead_follow_up(actor=net.b_agent.actor, lead=lead, kind="call_out", result="reached")
        lead_register_arrival(actor=net.b_agent.actor, lead=Lead.objects.get(pk=lead.pk))
    assert feedback_sweep() == 1  # Tmall takes the first touch of a lead it numbered, nothing else
    outbox.dispatch_due()
    assert platforms["tmall"].feedback == [{"lead_no": 1851125030483093545, "first_touch": True,
                                            "call_status": "CONNECTED"}]
    assert platforms["tmall"].calls[0]["sign_method"] == "hmac-sha256"  # checked by the fake against the secret
    assert Feedback.objects.get().state == FeedbackState.SENT
