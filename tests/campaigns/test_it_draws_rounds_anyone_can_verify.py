"""Launch-day draws (CMP-5): a commitment before the round, valid entries only (one per mobile per
round, complete details), the list frozen with its digest at the close, the seed revealed and the
winner derived by the published rule; the standalone verifier confirms it and fails on tampering;
a round is drawn once; an unreachable winner gives way to the rule's next draw."""

import datetime as dt
import json
import subprocess
import sys
from collections import Counter
from decimal import Decimal
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from autodcc.campaigns import draw, drawrule, services
from autodcc.campaigns.models import Campaign, DrawEntry
from autodcc.core.errors import Conflict, DomainError, Invalid
from autodcc.core.models import AuditLog
from autodcc.leads.models import Lead

RULE = Path(draw.__file__).with_name("drawrule.py")


@pytest.fixture
def launch_day(net):
    today = timezone.localdate()
    campaign = services.campaign_save(actor=net.hq_marketer.actor, campaign=Campaign(
        code="LAUNCH-DAY", name="旗舰店开业日", theme="launch", starts_on=today, ends_on=today))
    now = timezone.now()
    rounds = [draw.round_prepare(actor=net.hq_marketer.actor, campaign=campaign, number=n,
                                 opens_at=now + dt.timedelta(hours=n - 2), closes_at=now + dt.timedelta(hours=n - 1),
                                 prize="澜川 S7 七日用车权") for n in (1, 2, 3)]
    return campaign, rounds


def enter(draw_round, n, *, when=None, **kw):
    values = {"name": f"参与者{n}", "raw_phone": f"1380013{n:04d}", "city": "上海", "consent": True, **kw}
    return draw.entry_submit(draw_round=draw_round, now=when or draw_round.opens_at + dt.timedelta(minutes=1), **values)


def test_the_rule_is_uniform_and_without_modulo_bias():
    counts = Counter(drawrule.position(f"{i:064x}", "d" * 64, "", 3, 0) for i in range(3000))
    assert set(counts) == {0, 1, 2} and all(900 < c < 1100 for c in counts.values())
    order = drawrule.winners("a" * 64, "b" * 64, "", 5, 5)
    assert sorted(order) == [0, 1, 2, 3, 4]  # distinct positions: every entrant drawn once at most
    assert drawrule.winners("a" * 64, "b" * 64, "", 5, 2) == order[:2]  # replacements extend, never reshuffle
    assert drawrule.winners("a" * 64, "b" * 64, "7", 5, 5) != order  # the public value changes the outcome
    with pytest.raises(ValueError):
        drawrule.position("a" * 64, "b" * 64, "", 0, 0)


def test_a_round_from_commitment_to_a_verified_winner(net, launch_day, tmp_path):
    campaign, (first, second, _third) = launch_day
    assert first.commitment == drawrule.commitment(first.seed) and "seed" not in draw.public(first)
    entries = [enter(first, n) for n in range(1, 8)]
    with pytest.raises(Conflict):  # one entry per mobile per round
        enter(first, 1)
    with pytest.raises(Invalid) as incomplete:
        enter(first, 99, name="", city="火星", consent=False)
    assert {e.field for e in incomplete.value.errors} == {"name", "city", "consent"}
    with pytest.raises(DomainError):  # round 2 has not opened yet
        enter(second, 1, when=first.opens_at + dt.timedelta(minutes=1))
    first.refresh_from_db()
    assert first.duplicates_refused == 1 and DrawEntry.objects.filter(round=first).count() == 7
    assert draw.entries_follow_up() == 7 and draw.entries_follow_up() == 0
    assert Lead.objects.filter(campaign=campaign).count() == 7  # every entrant is a lead of the campaign
    with pytest.raises(DomainError):
        draw.round_close(first, now=first.closes_at + draw.CLOSE_GRACE - dt.timedelta(seconds=1))
    draw.round_close(first, now=first.closes_at + draw.CLOSE_GRACE)
    first.refresh_from_db()
    assert first.entry_count == 7 and len(first.digest) == 64
    drawn = draw.round_draw(actor=net.hq_marketer.actor, draw_round=first, public_value="2026120512345")
    assert drawn.winners[0] in {e.pk for e in entries}
    with pytest.raises(Conflict):
        draw.round_draw(actor=net.hq_marketer.actor, draw_round=first)  # never drawn again
    data = draw.public(drawn)
    assert drawrule.verify(data) == []
    path = tmp_path / "round.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    ok = subprocess.run([sys.executable, str(RULE), str(path)], capture_output=True, text=True)
    assert ok.returncode == 0 and ok.stdout.startswith("OK")
    for tamper in ({"seed": "0" * 64}, {"entries": data["entries"][:-1]}, {"winners": [data["entries"][0]["number"]
                                                                                       if data["entries"][0]["number"]
                                                                                       != data["winners"][0]
                                                                                       else data["entries"][1]["number"]]}):
        path.write_text(json.dumps({**data, **tamper}, ensure_ascii=False), encoding="utf-8")
        failed = subprocess.run([sys.executable, str(RULE), str(path)], capture_output=True, text=True)
        assert failed.returncode == 1 and "FAIL" in failed.stdout, tamper
    replaced = draw.winner_replace(actor=net.hq_marketer.actor, draw_round=drawn, reason="三次致电未接通")
    assert len(replaced.winners) == 2 and replaced.winners[1] != replaced.winners[0]
    assert drawrule.verify(draw.public(replaced)) == []
    assert AuditLog.objects.filter(action="draw.replace", note="三次致电未接通").count() == 1


def test_the_store_takes_entries_and_publishes_the_round(net, launch_day, client, settings):
    campaign, (first, _second, _third) = launch_day
    first.opens_at = timezone.now() - dt.timedelta(minutes=5)
    first.closes_at = timezone.now() + dt.timedelta(minutes=55)
    first.save()
    url = reverse("store:draw", args=[campaign.code])
    page = client.get(url).content.decode()
    assert 'id="entry-form"' in page
    sent = client.post(url, {"name": "王芳", "phone": "13912345678", "city": "上海", "consent": "on"}, follow=True)
    entry = DrawEntry.objects.get(round=first)
    assert entry.receipt in sent.content.decode()
    again = client.post(url, {"name": "王芳", "phone": "139 1234 5678", "city": "上海", "consent": "on"})
    with translation.override("zh-hans"):
        refusal = DomainError("draw.duplicate", number=1).message
    assert again.status_code == 200 and refusal in again.content.decode() and "一" in refusal  # said in Chinese
    public = client.get(reverse("store:draw_round", args=[campaign.code, 1])).content.decode()
    assert first.commitment in public and first.seed not in public  # the seed stays secret until the draw
    assert client.get(reverse("store:draw_round", args=[campaign.code, 1]) + "?format=json").json()["commitment"] \
        == first.commitment
    assert client.get(reverse("store:draw", args=["NO-SUCH"])).status_code == 404


def test_the_manage_command_checks_a_round(net, launch_day, capsys):
    from django.core.management import call_command

    _campaign, (first, _second, _third) = launch_day
    for n in range(3):
        enter(first, n)
    draw.round_close(first, now=first.closes_at + draw.CLOSE_GRACE)
    draw.round_draw(actor=net.hq_marketer.actor, draw_round=first)
    call_command("verify_draw", "launch-day", "1")
    assert "OK" in capsys.readouterr().out


def test_customer_service_takes_the_prize_to_the_winner(net, launch_day, login):
    from autodcc.campaigns.models import DrawPrize

    _campaign, (first, _second, _third) = launch_day
    for n in range(4):
        enter(first, n)
    draw.round_close(first, now=first.closes_at + draw.CLOSE_GRACE)
    drawn = draw.round_draw(actor=net.hq_marketer.actor, draw_round=first)
    prize = DrawPrize.objects.get(round=first)
    assert prize.entry_id == drawn.winners[0]
    client = login(net.hq_service)
    assert str(prize.entry.name) in client.get(reverse("console:prizes")).content.decode()
    early = client.post(reverse("console:prizes"), {"prize": prize.pk, "step": "returned", "usage_report": "x"})
    assert early.status_code == 302 and DrawPrize.objects.get(pk=prize.pk).returned_at is None  # steps in order
    client.post(reverse("console:prizes"), {"prize": prize.pk, "step": "contacted", "note": "周六上午取车"})
    today = timezone.localdate()
    pickup = {"prize": prize.pk, "step": "pickup", "partner": "一嗨租车", "agreement_no": "EH-2026-001",
              "pickup_on": today.isoformat(), "return_on": (today + dt.timedelta(days=7)).isoformat()}
    for cost in ("", "-1", "99999999"):  # HQ's cost is part of the pickup: missing or absurd, refused
        client.post(reverse("console:prizes"), {**pickup, "cost": cost})
        assert DrawPrize.objects.get(pk=prize.pk).agreement_no == ""
    client.post(reverse("console:prizes"), {**pickup, "cost": "2450.00"})
    client.post(reverse("console:prizes"), {"prize": prize.pk, "step": "returned", "usage_report": "行驶 820 公里，无损伤"})
    prize.refresh_from_db()
    assert prize.contacted_at and prize.agreement_no == "EH-2026-001" and prize.returned_at
    assert prize.usage_report.startswith("行驶 820") and prize.cost == Decimal("2450.00")
    page = login(net.hq_marketer).get(reverse("console:campaign_detail", args=[first.campaign_id])).content.decode()
    row = page.split('data-round="1"')[1].split("</tr>")[0]
    assert "¥2450.00" in row  # the round's prize cost for HQ
    draw.winner_replace(actor=net.hq_marketer.actor, draw_round=drawn, reason="联系不上")
    assert DrawPrize.objects.get(pk=prize.pk).unreachable and DrawPrize.objects.filter(round=first).count() == 2
    assert login(net.a_manager).get(reverse("console:prizes")).status_code == 403


def test_entries_become_leads_in_batches_once_each(net, launch_day):
    campaign, (first, second, _third) = launch_day
    for n in range(1, 4):
        enter(first, n)
    assert not Lead.objects.filter(campaign=campaign).exists()  # the entry itself writes one row
    assert draw.entries_follow_up() == 3
    later = second.opens_at + dt.timedelta(minutes=1)
    enter(second, 1, when=later)  # the same mobile in the next round joins its open lead
    enter(second, 4, when=later)
    assert draw.entries_follow_up() == 2 and draw.entries_follow_up() == 0
    leads = Lead.objects.filter(campaign=campaign)
    assert leads.count() == 4
    entries = DrawEntry.objects.filter(round__campaign=campaign)
    assert not entries.filter(followed_at__isnull=True).exists()
    assert entries.get(round=first, phone="+8613800130001").lead_id == entries.get(round=second, phone="+8613800130001").lead_id
    assert {e.lead.customer.phone for e in entries.select_related("lead__customer")} == {e.phone for e in entries}


def test_the_scheduled_task_freezes_and_draws_each_round_at_its_close(net, launch_day):
    campaign, (first, second, _third) = launch_day
    for n in range(1, 6):
        enter(first, n)
    waiting = draw.round_prepare(actor=net.hq_marketer.actor, campaign=campaign, number=4, prize="T 恤",
                                 opens_at=first.opens_at, closes_at=first.closes_at, awaits_public_value=True)
    enter(waiting, 1)
    assert draw.close_due(now=first.closes_at + dt.timedelta(seconds=30)) == 0  # requests may still be writing
    assert draw.close_due(now=first.closes_at + draw.CLOSE_GRACE + dt.timedelta(seconds=1)) == 2
    first.refresh_from_db()
    waiting.refresh_from_db()
    assert first.drawn_at is not None and first.drawn_at - first.closes_at < dt.timedelta(minutes=30)
    assert len(first.winners) == 1 and drawrule.verify(draw.public(first)) == []
    assert first.prizes.count() == 1  # customer service's contact task
    assert AuditLog.objects.filter(action="draw.draw", actor_label="system").exists()
    # a round that mixes in a public value waits for HQ to enter it
    assert waiting.closed_at is not None and waiting.drawn_at is None
    draw.close_due(now=first.closes_at + dt.timedelta(minutes=5))
    waiting.refresh_from_db()
    assert waiting.drawn_at is None
    draw.round_draw(actor=net.hq_marketer.actor, draw_round=waiting, public_value="26139")
    waiting.refresh_from_db()
    assert waiting.public_value == "26139" and drawrule.verify(draw.public(waiting)) == []
    second.refresh_from_db()
    assert second.closed_at is None and second.drawn_at is None  # its time is not up
