"""Reaching a campaign's audience (CMP-3, CMP-4): an SMS wave that skips whoever may not get it
and counts each, never sends in the quiet hours, goes out at its rate through the outbox; call
tasks spread evenly over two agents' work lists with the script beside the lead, done by the call;
call scripts searched, edited as versions and deleted with their history."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from autodcc.campaigns import outreach, services
from autodcc.campaigns.models import CallScript, Campaign
from autodcc.core.actors import SYSTEM
from autodcc.core.errors import DomainError, Forbidden
from autodcc.core.models import AuditLog, OutboxEvent
from autodcc.customers.models import CustomerGroup
from autodcc.leads import services as leads
from autodcc.leads.models import CareTask
from autodcc.messaging import services as messaging
from autodcc.messaging.models import Event, Message, MessageStatus


@pytest.fixture
def launch(net):
    today = timezone.localdate()
    return services.campaign_save(actor=net.a_manager.actor, campaign=Campaign(
        code="SH-WEEKEND", name="S7 上市周末", theme="launch", dealer=net.dealer_a,
        starts_on=today + dt.timedelta(days=40), ends_on=today + dt.timedelta(days=41)))


def group_of(net, customers, dealer=None):
    group = CustomerGroup.objects.create(name="S7 意向客户", dealer=dealer or net.dealer_a, criteria={},
                                         created_by_label="test", member_count=len(customers))
    group.members.add(*customers)
    return group


def at(hour, minute=0, second=0):
    day = timezone.localdate() + dt.timedelta(days=1)
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute, second)))


def customer(enquiry, **kw):
    return leads.lead_capture(actor=SYSTEM, data=enquiry(dealer="SH-001", **kw)).lead.customer


def test_a_wave_skips_and_counts_who_may_not_get_it(net, launch, enquiry, django_capture_on_commit_callbacks):
    ok, ok2 = customer(enquiry, consent_marketing=True), customer(enquiry, consent_marketing=True)
    opted = customer(enquiry, consent_marketing=True)
    messaging.optout_add(actor=SYSTEM, raw_phone=opted.phone, scope="marketing", source="sms")
    no_consent = customer(enquiry)
    busy = customer(enquiry, consent_marketing=True)
    for _ in range(outreach.weekly_cap()):
        messaging.message_send(event=Event.CAMPAIGN, context={"name": "x", "campaign": "y", "content": "z",
                                                              "dealer": "d"}, to_phone=busy.phone)
    before = Message.objects.count()
    with django_capture_on_commit_callbacks(execute=False):
        wave = outreach.wave_send(actor=net.a_manager.actor, campaign=launch, content="周末到店试驾送好礼",
                                  group=group_of(net, [ok, ok2, opted, no_consent, busy]), now=at(10))
    assert (wave.audience, wave.queued, wave.held) == (5, 2, 0)
    assert (wave.skipped_consent, wave.skipped_optout, wave.skipped_cap) == (1, 1, 1)
    made = Message.objects.filter(related_type="campaigns.outreach", related_id=str(wave.pk))
    assert made.count() == 3 and Message.objects.count() == before + 3  # the opted-out one is kept, not sent
    assert made.get(recipient_phone=opted.phone).status == MessageStatus.SUPPRESSED
    assert "周末到店试驾送好礼" in made.get(recipient_phone=ok.phone).body
    assert outreach.progress(wave) == {"queued": 2, "suppressed": 1}
    assert AuditLog.objects.filter(action="campaign.outreach").count() == 1


def test_no_marketing_message_is_due_in_the_quiet_hours(net, launch, enquiry):
    people = [customer(enquiry, consent_marketing=True) for _ in range(3)]
    wave = outreach.wave_send(actor=net.a_manager.actor, campaign=launch, content="今晚直播", per_minute=1,
                              group=group_of(net, people), now=at(20, 59, 30))
    assert (wave.queued, wave.held) == (3, 2)  # 20:59:30; 21:00:30 is quiet → the next morning
    due = sorted(e.next_attempt_at for e in OutboxEvent.objects.filter(topic="messaging.deliver",
                                                                       payload__message_id__isnull=False)
                 if Message.objects.filter(pk=e.payload["message_id"], related_id=str(wave.pk)).exists())
    local = [timezone.localtime(d) for d in due]
    assert local[0].time() == dt.time(20, 59, 30)
    assert local[1].time() == dt.time(8, 0) and local[1].date() == local[0].date() + dt.timedelta(days=1)
    assert local[2] - local[1] == dt.timedelta(minutes=1)  # at the wave's rate
    times, held = outreach.schedule(3, at(23), 60)
    assert held == 3 and timezone.localtime(times[0]).time() == dt.time(8, 0)


def test_a_wave_is_the_campaigns_managers_to_send(net, launch, enquiry):
    group = group_of(net, [customer(enquiry, consent_marketing=True)])
    with pytest.raises(Forbidden):
        outreach.wave_send(actor=net.b_manager.actor, campaign=launch, content="x", group=group)
    with pytest.raises(DomainError):  # another dealer's group is no audience of A's
        outreach.wave_send(actor=net.a_manager.actor, campaign=launch, content="x",
                           group=group_of(net, [], dealer=net.dealer_b))
    with pytest.raises(DomainError):
        outreach.wave_send(actor=net.a_manager.actor, campaign=launch, content="  ", group=group)


def test_call_tasks_go_evenly_to_two_agents_with_the_script(net, launch, enquiry, login):
    script = outreach.script_save(actor=net.a_manager.actor, title="上市周末邀约", situation="campaign",
                                  dealer=net.dealer_a, body="您好，我是澜川汽车浦东店的顾问，本周末 S7 上市……")
    people = [customer(enquiry) for _ in range(4)]
    elsewhere = leads.lead_capture(actor=SYSTEM, data=enquiry(dealer="HZ-001")).lead.customer
    group = group_of(net, [*people, elsewhere])
    agents = [net.a_agent.staff, net.a_supervisor.staff]
    made = outreach.call_tasks_create(actor=net.a_manager.actor, campaign=launch, group=group, agents=agents,
                                      due_on=timezone.localdate(), script=script)
    assert made == 4  # the lead at another dealer is not this campaign's to call
    per_agent = sorted(CareTask.objects.filter(campaign=launch).values_list("assignee_id", flat=True))
    assert per_agent.count(agents[0].pk) == per_agent.count(agents[1].pk) == 2
    assert outreach.call_tasks_create(actor=net.a_manager.actor, campaign=launch, group=group, agents=agents,
                                      due_on=timezone.localdate()) == 0  # once per lead and campaign
    client = login(net.a_agent)
    worklist = client.get(reverse("console:worklist")).content.decode()
    mine = CareTask.objects.filter(campaign=launch, assignee=agents[0])
    for task in mine:
        assert task.lead.number in worklist
    task = mine.first()
    page = client.get(reverse("console:lead_detail", args=[task.lead_id])).content.decode()
    assert f'id="call-script-{task.pk}"' in page and "本周末 S7 上市" in page
    leads.lead_follow_up(actor=net.a_agent.actor, lead=task.lead, kind="call_out", result="reached", note="周六上午到店")
    task.refresh_from_db()
    assert task.done_at is not None and "周六上午到店" in task.note and task.done_by == agents[0]
    with pytest.raises(DomainError):  # an agent of another dealer cannot be given A's calls
        outreach.call_tasks_create(actor=net.a_manager.actor, campaign=launch, group=group,
                                   agents=[net.b_agent.staff], due_on=timezone.localdate())


def test_call_scripts_are_searched_versioned_and_deleted_with_history(net, login):
    manager = net.a_manager.actor
    v1 = outreach.script_save(actor=manager, title="首次来电", situation="first_call", dealer=net.dealer_a,
                              body="您好，感谢您关注澜川 S7。")
    v2 = outreach.script_save(actor=manager, title="首次来电", situation="first_call", body="您好，我是浦东店顾问。",
                              previous=v1)
    v1.refresh_from_db()
    assert (v2.family, v2.version) == (v1.family, 2) and v1.replaced_at is not None
    with pytest.raises(DomainError):
        outreach.script_save(actor=manager, title="x", situation="first_call", body="y", previous=v1)
    assert list(outreach.scripts_search(manager, q="浦东")) == [v2]
    assert list(outreach.scripts_search(manager, q="感谢")) == []  # the old text is history
    assert list(outreach.scripts_search(net.b_manager.actor, q="浦东")) == []  # dealer A's own
    with pytest.raises(Forbidden):
        outreach.script_delete(actor=net.b_manager.actor, script=v2)
    client = login(net.a_manager)
    page = client.get(reverse("console:script_edit", args=[v2.pk])).content.decode()
    assert "v1" in page and "v2" in page
    assert client.post(reverse("console:script_edit", args=[v2.pk]), {"action": "delete"}).status_code == 302
    assert not outreach.scripts_search(manager).exists() and CallScript.objects.count() == 2
    assert login(net.b_manager).get(reverse("console:script_edit", args=[v2.pk])).status_code == 404


def test_a_wechat_wave_reaches_followers_and_counts_the_others(net, launch, enquiry):
    follower, other = customer(enquiry, consent_marketing=True), customer(enquiry, consent_marketing=True)
    follower.wechat_openid = "o6_bmjrPTlm6_2sgVt7hMZOPfL2M"
    follower.save(update_fields=["wechat_openid"])
    wave = outreach.wave_send(actor=net.a_manager.actor, campaign=launch, content="公众号专享试驾礼", channel="wechat",
                              group=group_of(net, [follower, other]), now=at(10))
    assert (wave.queued, wave.skipped_address) == (1, 1)
    message = Message.objects.get(related_id=str(wave.pk))
    assert message.channel == "wechat" and message.recipient_openid == follower.wechat_openid
    assert "公众号专享试驾礼" in message.body


def test_the_direct_mail_list_has_only_who_may_get_mail(net, launch, enquiry, login):
    import io

    from openpyxl import load_workbook

    yes = customer(enquiry, consent_marketing=True, name="邮寄客户")
    yes.postal_address = "上海市浦东新区世纪大道 100 号"
    yes.save(update_fields=["postal_address"])
    no_address = customer(enquiry, consent_marketing=True)
    no_consent = customer(enquiry)
    no_consent.postal_address = "上海市黄浦区南京东路 1 号"
    no_consent.save(update_fields=["postal_address"])
    group = group_of(net, [yes, no_address, no_consent])
    rows, skipped = outreach.direct_mail(actor=net.a_manager.actor, campaign=launch, group=group)
    assert rows == [("邮寄客户", "上海市", "上海市浦东新区世纪大道 100 号")]
    assert skipped == {"consent": 1, "optout": 0, "address": 1}
    client = login(net.a_manager)
    book = client.get(reverse("console:campaign_direct_mail", args=[launch.pk]) + f"?group={group.pk}")
    sheet = load_workbook(io.BytesIO(book.content)).worksheets[0]
    assert [c.value for c in sheet[2]] == ["邮寄客户", "上海市", "上海市浦东新区世纪大道 100 号"]
    assert AuditLog.objects.filter(object_type="campaigns.direct_mail").count() == 1
    other = login(net.b_manager).get(reverse("console:campaign_direct_mail", args=[launch.pk]) + f"?group={group.pk}")
    assert other.status_code == 404


def test_an_audience_comes_from_the_lead_lists_filters(net, enquiry, login):
    hot = leads.lead_capture(actor=SYSTEM, data=enquiry(dealer="SH-001", channel="dongchedi")).lead
    leads.lead_capture(actor=SYSTEM, data=enquiry(dealer="SH-001", channel="autohome"))
    client = login(net.a_manager)
    page = client.get(reverse("console:lead_list") + "?channel=dongchedi").content.decode()
    import html as html_lib
    import re as re_lib

    link = html_lib.unescape(re_lib.search(r'href="([^"]+)" id="group-from-filters"', page).group(1))
    assert "lead_channel=dongchedi" in link
    form = client.get(link).content.decode()
    checked = re_lib.findall(r'<input[^>]*name="lead_channel"[^>]*value="(\w+)"[^>]*checked', form)
    assert checked == ["dongchedi"]  # the lead list's filter became the group's criterion
    made = client.post(reverse("console:group_create"), {"name": "懂车帝线索客户", "lead_channel": ["dongchedi"]})
    group = CustomerGroup.objects.get(name="懂车帝线索客户")
    assert made.status_code == 302 and list(group.members.all()) == [hot.customer]


def test_a_wave_set_for_later_goes_out_by_itself_and_can_be_cancelled(net, launch, enquiry, login):
    """CMP-3's automatic messages: a wave set for a later time waits in the outbox until due (still
    never in the quiet hours); until then its manager can stop it, and only they can."""
    people = [customer(enquiry, consent_marketing=True) for _ in range(3)]
    group = group_of(net, people)
    later = at(10) + dt.timedelta(days=2)
    wave = outreach.wave_send(actor=net.a_manager.actor, campaign=launch, content="周六试驾日", per_minute=60,
                              group=group, now=at(9), starts_at=later)
    assert wave.starts_at == later and wave.queued == 3
    due = sorted(e.next_attempt_at for e in OutboxEvent.objects.filter(topic="messaging.deliver"))
    assert due[0] == later and due[-1] == later + dt.timedelta(seconds=2)
    for start in (at(9) - dt.timedelta(hours=1), at(9) + dt.timedelta(days=91)):
        with pytest.raises(DomainError) as refused:
            outreach.wave_send(actor=net.a_manager.actor, campaign=launch, content="x", group=group, now=at(9),
                               starts_at=start)
        assert refused.value.code == "campaign.wave_start"
    cancel = reverse("console:campaign_outreach_cancel", args=[wave.pk])
    assert login(net.b_manager).post(cancel).status_code == 404  # another dealer's campaign
    assert outreach.progress(wave) == {"queued": 3}
    assert login(net.a_manager).post(cancel).status_code == 302
    wave.refresh_from_db()
    assert wave.cancelled == 3 and wave.cancelled_at is not None and outreach.progress(wave) == {"suppressed": 3}
    assert AuditLog.objects.filter(action="campaign.outreach_cancel").count() == 1
    page = login(net.a_manager).get(reverse("console:campaign_detail", args=[launch.pk])).content.decode()
    assert "data-wave-cancelled" in page and f'data-cancel-wave="{wave.pk}"' not in page


def test_the_weekly_cap_holds_when_the_messages_go_out(net, launch, enquiry, settings):
    """Waves queued weeks apart for the same days: the cap is checked again at sending time."""
    from autodcc.core import outbox

    settings.AUTODCC_MARKETING_PER_WEEK = 1
    person = customer(enquiry, consent_marketing=True)
    group = group_of(net, [person])
    first = outreach.wave_send(actor=net.a_manager.actor, campaign=launch, content="第一波", group=group,
                               now=at(9) - dt.timedelta(days=10), starts_at=at(10))
    Message.objects.filter(related_id=str(first.pk)).update(created_at=at(9) - dt.timedelta(days=10))
    second = outreach.wave_send(actor=net.a_manager.actor, campaign=launch, content="第二波", group=group, now=at(9),
                                starts_at=at(10, 30))
    assert first.queued == second.queued == 1  # each looked fine when it was queued
    outbox.dispatch_due(now=at(11))
    assert outreach.progress(first) == {"sent": 1}
    assert outreach.progress(second) == {"suppressed": 1}
    assert Message.objects.get(related_id=str(second.pk)).last_error == "weekly marketing cap"


def test_the_lead_page_shows_the_script_for_the_next_call(net, enquiry, login):
    """CMP-4: the holder of a lead sees the script for the call about to be made — the first call,
    then the invitation, then the visit's confirmation the day before — the dealer's own before
    the brand's, never another dealer's."""
    hq, manager = net.hq_marketer.actor, net.a_manager.actor
    outreach.script_save(actor=hq, title="品牌首次来电", situation="first_call", body="您好，这里是澜川汽车。")
    outreach.script_save(actor=manager, title="浦东店首次来电", situation="first_call", dealer=net.dealer_a,
                         body="您好，我是浦东店的顾问。")
    outreach.script_save(actor=net.b_manager.actor, title="杭州店首次来电", situation="first_call",
                         dealer=net.dealer_b, body="杭州店欢迎您。")
    outreach.script_save(actor=hq, title="品牌邀约", situation="invitation", body="本周六有试驾活动。")
    outreach.script_save(actor=hq, title="到店前确认", situation="confirmation", body="明天上午十点见。")
    lead = leads.lead_capture(actor=SYSTEM, data=enquiry(name="邵先生", phone="13712345678", dealer="SH-001")).lead
    client = login(net.a_agent)
    page_url = reverse("console:lead_detail", args=[lead.pk])

    def scripts():
        page = client.get(page_url).content.decode()
        if 'id="lead-scripts"' not in page:
            return []
        block = page.split('id="lead-scripts"', 1)[1].split("</aside>", 1)[0]
        return [t for t in ("浦东店首次来电", "品牌首次来电", "杭州店首次来电", "品牌邀约", "到店前确认") if t in block]

    assert scripts() == ["浦东店首次来电", "品牌首次来电"]
    page = client.get(page_url).content.decode()
    assert page.index("浦东店首次来电") < page.index("品牌首次来电")  # the dealer's own first
    leads.lead_follow_up(actor=net.a_agent.actor, lead=lead, kind="call_out", result="reached", note="有兴趣")
    assert scripts() == ["品牌邀约"]
    tomorrow = timezone.localtime() + dt.timedelta(days=1)
    leads.lead_invite(actor=net.a_agent.actor, lead=lead, scheduled_at=tomorrow.replace(hour=10, minute=0))
    assert scripts() == ["到店前确认"]
    # another dealer's staff do not reach the lead, nor its scripts
    assert login(net.b_agent).get(page_url).status_code == 404
