"""Chinese pages show people's words, not the codes stored underneath: every audited action has a
label, actors that are not people are named in Chinese, consent purposes and payment providers
read as words, objects in the audit trail read as names."""

import re
from pathlib import Path

from django.urls import reverse

from autodcc.console.auditing import ACTION_LABELS, action_label, actor_display
from autodcc.core.actors import SYSTEM
from autodcc.leads import services as leads

SRC = Path(__file__).resolve().parents[2] / "src" / "autodcc"
WRITTEN = re.compile(r'(?:action=|common\.record\(actor, )"([a-z_]+\.[a-z_]+)"')
FORMATTED = {"order.{step}": ("order.visited", "order.contracted", "order.delivered"),
             "lead.{step}": ("lead.presented", "lead.test_driven", "lead.negotiated", "lead.ordered", "lead.delivered"),
             "appointment.{outcome}": ("appointment.confirmed", "appointment.cancelled"),
             # the catalogue's one save, publish and delete (catalog.services)
             "{_name(obj)}.{verb}": tuple(f"{kind}.{verb}" for kind in ("series", "carmodel", "trim", "colour", "edition",
                                                                         "accessorypackage") for verb in ("create", "update"))
             + tuple(f"{kind}.{verb}" for kind in ("series", "trim", "edition") for verb in ("publish", "withdraw")),
             "campaign.{name}": ("campaign.budgetline", "campaign.task"),
             "prize.{step}": ("prize.contacted", "prize.pickup", "prize.returned"),
             "{_name(obj)}.delete": tuple(f"{kind}.delete" for kind in ("series", "carmodel", "trim", "colour", "photo",
                                                                      "edition", "accessorypackage"))}


def test_every_action_the_code_writes_has_a_label():
    written = set()
    for path in SRC.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        written |= set(WRITTEN.findall(text))
        for pattern, actions in FORMATTED.items():
            if f'f"{pattern}"' in text:
                written |= set(actions)
    assert len(written) > 40  # the scan finds the audit calls
    assert sorted(written - set(ACTION_LABELS)) == []


def test_actors_that_are_not_people_read_in_chinese():
    assert actor_display("system") == "系统"
    assert actor_display("storefront 139****5678") == "线上商城 139****5678"
    assert actor_display("王敏") == "王敏"
    assert action_label("refund.succeeded") == "退款已到账"


def test_the_lead_and_customer_pages_show_words(net, login, enquiry):
    lead = leads.lead_capture(actor=SYSTEM, data=enquiry(dealer="SH-001")).lead
    client = login(net.a_agent)
    page = client.get(reverse("console:lead_detail", args=[lead.pk])).content.decode()
    timeline = page[page.index('id="timeline"'):page.index('id="contacts"')]
    assert "系统" in timeline and "system" not in timeline
    page = client.get(reverse("console:customer_detail", args=[lead.customer_id])).content.decode()
    assert "联系购车事宜" in page and "contact_about_purchase" not in page


def test_the_audit_trail_shows_a_contacts_details_as_words(net, login, enquiry):
    lead = leads.lead_capture(actor=SYSTEM, data=enquiry(dealer="SH-001")).lead
    leads.lead_follow_up(actor=net.a_agent.actor, lead=lead, kind="call_out", result="no_answer")
    page = login(net.a_manager).get(reverse("console:audit_list")).content.decode()
    assert "呼出电话、无人接听" in page and "call_out" not in page and "{'kind'" not in page
