"""Every file the console hands out is written to the audit trail: who took which file, when."""

import io

from autodcc.core.models import AuditLog
from autodcc.leads.importing import leads_import

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def test_the_transfer_list_download_is_audited(net, login):
    client = login(net.hq_finance)
    response = client.get("/console/finance/transfer-list.xlsx?month=2026-11")
    assert response.status_code == 200 and response["Content-Type"] == XLSX
    assert "filename*=UTF-8''%E5%88%92%E6%AC%BE%E6%B8%85%E5%8D%95-2026-11.xlsx" in response["Content-Disposition"]
    entry = AuditLog.objects.get(action="file.download")
    assert entry.object_type == "finance.transfer_list" and entry.actor_user_id == net.hq_finance.user.pk
    assert entry.after["month"] == "2026-11" and entry.after["bytes"] == len(response.content)


def test_an_import_error_workbook_download_is_audited(net, login, settings, tmp_path,
                                                       django_capture_on_commit_callbacks):
    settings.MEDIA_ROOT = tmp_path
    rows = "姓名,手机,城市,授权版本,同意共享经销商\n王芳,123,上海,2026-01,是\n"
    with django_capture_on_commit_callbacks(execute=True):
        job = leads_import(actor=net.a_manager.actor, upload=io.BytesIO(rows.encode("utf-8-sig")),
                           filename="leads.csv")
    client = login(net.a_manager)
    response = client.get(f"/console/leads/imports/{job.pk}/?format=xlsx")
    assert response.status_code == 200 and response["Content-Type"] == XLSX
    entry = AuditLog.objects.get(action="file.download")
    assert entry.object_type == "leads.import_errors" and entry.dealer_id == net.dealer_a.pk
    assert entry.after["job"] == job.pk
    # another dealer's manager neither gets the file nor leaves a trace of it
    other = login(net.b_manager)
    assert other.get(f"/console/leads/imports/{job.pk}/?format=xlsx").status_code == 404
    assert AuditLog.objects.filter(action="file.download").count() == 1
