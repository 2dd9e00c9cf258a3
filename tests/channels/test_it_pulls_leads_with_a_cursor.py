"""The scheduled pull of each car platform: signed calls, pages followed, the cursor kept, every
lead captured once (also one that was pushed before)."""

from __future__ import annotations

import pytest

from autodcc.channels import connectors
from autodcc.channels.models import Delivery, Outcome, PullCursor, Via
from autodcc.channels.services import leads_pull, pull_all
from autodcc.leads.models import Capture, Lead
from tests.channels import fakes


@pytest.mark.parametrize("name", ["autohome", "yiche", "dongchedi"])
def test_a_pull_follows_the_pages_and_keeps_its_cursor(net, client, name):
    leads = [fakes.PLATFORM_LEADS[name](n) for n in range(1, 6)]
    fakes.signed_push(client, name, leads[0])  # pushed first: the pull finds it again
    platform = fakes.FakePlatform(name, leads)
    assert leads_pull(connector=connectors.get(name), transport=platform) == 5
    assert len(platform.calls) == 3  # pages of two
    assert Lead.objects.filter(channel=name).count() == 5 and Capture.objects.count() == 5
    cursor = PullCursor.objects.get(connector=name, stream="lead")
    assert cursor.cursor == "5" and cursor.last_error == "" and cursor.last_ok_at is not None
    assert Delivery.objects.filter(connector=name, via=Via.PULL).count() == 4
    assert Delivery.objects.get(platform_id=leads[0][{"autohome": "clueId", "yiche": "leadId",
                                                      "dongchedi": "clue_id"}[name]]).times_received == 2

    leads.append(fakes.PLATFORM_LEADS[name](6))
    assert leads_pull(connector=connectors.get(name), transport=platform) == 1  # from the cursor on
    assert "cursor=5" in platform.calls[3].url
    assert Lead.objects.filter(channel=name).count() == 6


def test_a_platform_that_fails_leaves_the_cursor_and_says_why(net):
    platform = fakes.FakePlatform("yiche", [fakes.PLATFORM_LEADS["yiche"](1)])
    platform.fail = True
    assert leads_pull(connector=connectors.get("yiche"), transport=platform) == 0
    cursor = PullCursor.objects.get(connector="yiche")
    assert cursor.cursor == "" and "HTTP 502" in cursor.last_error and not Lead.objects.exists()


def test_a_bad_lead_in_a_page_is_kept_as_refused_and_the_rest_captured(net):
    leads = [fakes.PLATFORM_LEADS["autohome"](1, mobile="123"), fakes.PLATFORM_LEADS["autohome"](2)]
    leads.append({k: v for k, v in fakes.PLATFORM_LEADS["autohome"](3).items() if k != "clueId"})  # no id at all
    assert leads_pull(connector=connectors.get("autohome"), transport=fakes.FakePlatform("autohome", leads)) == 2
    outcomes = dict(Delivery.objects.values_list("platform_id", "outcome"))
    assert outcomes == {"AH00000001": Outcome.REJECTED, "AH00000002": Outcome.CAPTURED}
    assert Lead.objects.count() == 1


def test_the_schedule_pulls_every_configured_platform(net, settings):
    platforms = {n: fakes.FakePlatform(n, [fakes.PLATFORM_LEADS[n](1)]) for n in ("autohome", "yiche", "dongchedi")}
    settings.CHANNELS["tmall"] = {**settings.CHANNELS["tmall"], "session": ""}  # no order pull without a session

    def route(call):
        for name, platform in platforms.items():
            if call.url.startswith(fakes.API_BASE[name]):
                return platform(call)
        raise AssertionError(call.url)

    assert pull_all(transport=route) == {"autohome:lead": 1, "yiche:lead": 1, "dongchedi:lead": 1}
