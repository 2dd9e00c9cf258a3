import io

import pytest
from django.utils import translation
from openpyxl import Workbook

from autodcc.core.errors import Forbidden
from autodcc.core.models import ImportJob, ImportStatus
from autodcc.leads.importing import leads_import
from autodcc.leads.models import Capture, Lead

HEADER = "姓名,手机,城市,渠道,平台线索号,意向车型,授权版本,同意共享经销商\n"
GOOD = ["王芳,13711110001,上海,汽车之家,AH-1,S7,2026-01,是", "刘洋,13711110002,杭州,易车,YC-9,S7,2026-01,是"]
BAD = ["陈静,12345,上海,汽车之家,AH-2,S7,2026-01,是",       # row 4: malformed phone
       "赵磊,13711110004,火星,汽车之家,AH-3,S7,2026-01,是",  # row 5: unknown city
       "周杰,13711110005,上海,汽车之家,AH-4,S7,,是"]          # row 6: no consent


def upload(rows):
    return io.BytesIO((HEADER + "\n".join(rows) + "\n").encode("utf-8-sig"))


def run(actor, rows, django_capture_on_commit_callbacks, skip=False):
    with django_capture_on_commit_callbacks(execute=True):
        job = leads_import(actor=actor, upload=upload(rows), filename="leads.csv", skip_bad_rows=skip)
    return ImportJob.objects.get(pk=job.pk)


def test_a_file_with_bad_rows_saves_nothing_unless_asked(net, django_capture_on_commit_callbacks, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    with translation.override("zh-hans"):
        job = run(net.hq_marketer.actor, GOOD + BAD, django_capture_on_commit_callbacks)
    assert job.status == ImportStatus.REJECTED and not Lead.objects.exists()
    assert {(e["row"], e["column"]) for e in job.errors} == {(4, "手机"), (5, "城市"), (6, "授权版本")}
    job = run(net.hq_marketer.actor, GOOD + BAD, django_capture_on_commit_callbacks, skip=True)
    assert job.status == ImportStatus.DONE_WITH_ERRORS and job.created_count == 2 and len(job.errors) == 3
    assert sorted(Lead.objects.values_list("dealer__code", flat=True)) == ["HZ-001", "SH-001"]
    assert job.processed_rows == job.total_rows == 5


def test_re_importing_updates_instead_of_duplicating(net, django_capture_on_commit_callbacks, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    run(net.hq_marketer.actor, GOOD, django_capture_on_commit_callbacks)
    again = run(net.hq_marketer.actor, GOOD, django_capture_on_commit_callbacks)
    assert (again.created_count, again.updated_count) == (0, 2)
    assert Lead.objects.count() == 2 and Capture.objects.count() == 2  # same platform ids: nothing counted twice
    # the same people from another platform are repeats of the open leads, counted per channel
    other = ["王芳,13711110001,上海,懂车帝,DCD-1,S7,2026-01,是"]
    run(net.hq_marketer.actor, other, django_capture_on_commit_callbacks)
    assert Lead.objects.count() == 2
    assert Capture.objects.filter(duplicate=True, channel="dongchedi").count() == 1


def test_an_excel_file_from_a_dealer_keeps_leads_at_that_dealer(net, django_capture_on_commit_callbacks, settings,
                                                                 tmp_path):
    settings.MEDIA_ROOT = tmp_path
    book = Workbook()
    sheet = book.active
    sheet.append(["姓名", "手机", "城市", "渠道", "授权版本", "同意共享经销商"])
    sheet.append(["孙丽", 13711110009, "北京", "到店", "2026-01", "是"])
    data = io.BytesIO()
    book.save(data)
    data.seek(0)
    with django_capture_on_commit_callbacks(execute=True):
        job = leads_import(actor=net.a_supervisor.actor, upload=data, filename="walkins.xlsx")
    job.refresh_from_db()
    assert job.status == ImportStatus.DONE, job.errors
    lead = Lead.objects.get()
    assert lead.dealer == net.dealer_a and lead.channel == "walk_in" and lead.customer.phone == "+8613711110009"


def test_agents_cannot_import(net):
    with pytest.raises(Forbidden):
        leads_import(actor=net.a_agent.actor, upload=upload(GOOD), filename="x.csv")
