"""A three-round launch day in Chromium (CMP-5): entries on a phone with duplicates refused, each
round frozen, drawn and published by HQ in the console, every winner confirmed by the standalone
verifier, and a tampered entry list or seed makes the verifier fail."""

from __future__ import annotations

import datetime as dt
import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}


def test_a_three_round_day_drawn_and_verified(live_net, live_server, page: Page, browser: Any, log_in, shot,
                                              tmp_path: Path):
    from autodcc.campaigns import draw, drawrule, services
    from autodcc.campaigns.models import Campaign, DrawEntry, DrawRound
    from autodcc.core import memo

    net = live_net
    today = timezone.localdate()
    campaign = services.campaign_save(actor=net.hq_marketer.actor, campaign=Campaign(
        code="FLAGSHIP", name="旗舰店开业日", theme="launch", starts_on=today, ends_on=today))
    now = timezone.now()
    rounds = [draw.round_prepare(actor=net.hq_marketer.actor, campaign=campaign, number=n,
                                 opens_at=now + dt.timedelta(hours=n), closes_at=now + dt.timedelta(hours=n + 1),
                                 prize="澜川 S7 七日用车权") for n in (1, 2, 3)]
    phone_page = browser.new_page(locale="zh-CN", timezone_id="Asia/Shanghai")
    phone_page.set_viewport_size(PHONE)
    page.set_viewport_size(DESKTOP)
    log_in(net.hq_marketer)
    rule = Path(draw.__file__).with_name("drawrule.py")

    for r in rounds:
        # the round opens (the clock of the test is moved, not waited for)
        DrawRound.objects.filter(pk=r.pk).update(opens_at=timezone.now() - dt.timedelta(minutes=1))
        memo.forget(("draw-schedule", "FLAGSHIP"))  # a window never moves in life: the store remembers it
        phone_page.goto(f"{live_server.url}/store/draw/FLAGSHIP/")
        expect(phone_page.locator("#open-round h2")).to_contain_text(f"第 {r.number} 场")
        expect(phone_page.locator("#countdown")).to_have_text(re.compile(r"^\d+:\d\d(:\d\d)?$"))  # counting down
        for n in range(3):
            form = phone_page.locator("#entry-form")
            form.locator("input[name=name]").fill(f"参与者{r.number}{n}")
            form.locator("input[name=phone]").fill(f"138001{r.number:02d}{n:03d}")
            form.locator("input[name=city]").fill("上海")
            form.locator("input[name=consent]").check()
            if n == 0:  # a double tap sends one entry: the button waits for the answer
                form.locator("button[type=submit]").dblclick()
            else:
                form.locator("button[type=submit]").click()
            # the receipt shows in place (the page's script; no page load)
            expect(phone_page.locator("#entry-receipt")).to_contain_text("凭证码", timeout=15_000)
            receipt = DrawEntry.objects.filter(round=r).order_by("-pk").first().receipt
            expect(phone_page.locator("#entry-receipt")).to_contain_text(receipt)
            expect(form.locator("input[name=phone]")).to_have_value("")  # ready for the next person
            expect(form.locator("[data-live-error]")).to_have_count(0)
        form = phone_page.locator("#entry-form")  # the same person again: refused, clearly
        form.locator("input[name=name]").fill("参与者重复")
        first = f"138001{r.number:02d}000"
        form.locator("input[name=phone]").fill(f"{first[:3]} {first[3:7]} {first[7:]}")
        form.locator("input[name=city]").fill("上海")
        form.locator("input[name=consent]").check()
        form.locator("button[type=submit]").click()
        expect(phone_page.locator('#entry-form .field-error[data-field="phone"]')).to_contain_text("每人每场限参与一次")
        assert phone_page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        if r.number == 1:
            shot(phone_page, "draw-entry-390")
        assert DrawEntry.objects.filter(round=r).count() == 3

        # the round closes (and the minute's grace for requests still writing passes); HQ freezes the
        # list and draws it in the console
        gone = timezone.now() - draw.CLOSE_GRACE - dt.timedelta(seconds=1)
        DrawRound.objects.filter(pk=r.pk).update(opens_at=gone - dt.timedelta(minutes=5), closes_at=gone)
        memo.forget(("draw-schedule", "FLAGSHIP"))
        page.goto(f"{live_server.url}/console/campaigns/{campaign.pk}/?round={r.number}")  # a fresh load each time
        row = page.locator(f'#draw-rounds tr[data-round="{r.number}"]')
        expect(row.locator('[data-count="duplicates"]')).to_have_text("1")
        row.locator("button[value=close]").click()
        row = page.locator(f'#draw-rounds tr[data-round="{r.number}"]')
        row.locator("input[name=public]").fill(f"2026{r.number:02d}")
        row.locator("button[value=draw]").click()
        expect(page.locator(f'#draw-rounds tr[data-round="{r.number}"]')).to_contain_text("已开奖")

        # the public page, and the verifier on its data
        phone_page.goto(f"{live_server.url}/store/draw/FLAGSHIP/{r.number}/")
        expect(phone_page.locator("#winners li")).to_have_count(1)
        expect(phone_page.locator("[data-fact=seed]")).not_to_be_empty()
        data = json.loads(phone_page.request.get(f"{live_server.url}/store/draw/FLAGSHIP/{r.number}/?format=json").text())
        saved = tmp_path / f"round-{r.number}.json"
        saved.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
        ok = subprocess.run([sys.executable, str(rule), str(saved)], capture_output=True, text=True)
        assert ok.returncode == 0 and ok.stdout.startswith("OK"), ok.stdout
        assert drawrule.verify(data) == []
        winner = DrawEntry.objects.get(pk=data["winners"][0])
        assert winner.name[0] in phone_page.locator("#winners").inner_text()
        assert winner.phone[-4:] in phone_page.locator("#winners").inner_text()
        assert winner.name not in phone_page.locator("#winners").inner_text() or len(winner.name) == 1  # masked

        for tampered in ({**data, "seed": "f" * 64},
                         {**data, "entries": [{**e, "phone": re.sub(r"\d{4}$", "0000", e["phone"])}
                                              for e in data["entries"]]}):
            bad = tmp_path / f"bad-{r.number}.json"
            bad.write_text(json.dumps(tampered, ensure_ascii=False), encoding="utf-8")
            failed = subprocess.run([sys.executable, str(rule), str(bad)], capture_output=True, text=True)
            assert failed.returncode == 1 and "FAIL" in failed.stdout

    assert phone_page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]  # the hashes wrap
    shot(phone_page, "draw-round-public-390")
    assert DrawRound.objects.filter(campaign=campaign, drawn_at__isnull=False).count() == 3
    phone_page.close()
