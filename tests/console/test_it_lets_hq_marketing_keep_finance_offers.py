"""CAT-4 in the console: HQ marketing creates and edits finance offers (audited, one save), lists
and exports them; every other role gets a 403; bad input is refused in Chinese, never a 5xx."""

import io
from decimal import Decimal as D

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from autodcc.catalog.models import CarModel, FinanceOffer
from autodcc.core.models import AuditLog

pytestmark = pytest.mark.django_db


def form_data(**values):
    data = {"lender": "澜川汽车金融", "title": "24期0息", "term_choices": ["12", "24"], "annual_rate": "0",
            "fee_kind": "amount", "fee_value": "3000", "min_down_pct": "25", "valid_from": "2026-01-01",
            "valid_until": "", "is_active": "on"}
    data.update(values)
    return data


def test_hq_marketing_creates_edits_lists_and_exports_an_offer(net, login, catalogue):
    client = login(net.hq_marketer)
    s7 = CarModel.objects.get(code="S7-BEV-26")
    response = client.post(reverse("console:finance_offer_new"), form_data(car_models=[str(s7.pk)]))
    assert response.status_code == 302
    offer = FinanceOffer.objects.get(title="24期0息")
    assert offer.terms == "12,24" and offer.min_down_pct == D("25") and list(offer.car_models.all()) == [s7]
    assert offer.apr_disclosed > 0  # worked out on saving
    created = AuditLog.objects.get(action="financeoffer.create", object_id=str(offer.pk))
    assert created.actor_label and created.after["car_models"] == str(s7)

    response = client.post(reverse("console:finance_offer_edit", args=[offer.pk]),
                           form_data(term_choices=["12", "24", "36"], fee_value="4500"))
    assert response.status_code == 302
    offer.refresh_from_db()
    assert offer.terms == "12,24,36" and offer.fee_value == D("4500") and not offer.car_models.exists()
    updated = AuditLog.objects.get(action="financeoffer.update", object_id=str(offer.pk))
    assert D(updated.before["fee_value"]) == D("3000") and D(updated.after["fee_value"]) == D("4500")
    assert updated.before["car_models"] == str(s7) and updated.after["car_models"] == ""

    listing = client.get(reverse("console:finance_offers")).content.decode()
    assert "24期0息" in listing and f"{offer.apr_disclosed}" in listing
    download = client.get(reverse("console:finance_offers_export"))
    assert download.status_code == 200 and "attachment" in download["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(download.content)).worksheets[0]
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert rows[0][:2] == ["贷款机构", "标题"]
    assert any(row[1] == "24期0息" and row[2] == "12,24,36" for row in rows[1:])
    assert AuditLog.objects.filter(action="file.download", object_type="catalog.financeoffer").exists()
    history = client.get(reverse("console:audit_list")).content.decode()
    assert "金融方案已修改" in history


@pytest.mark.parametrize("who", ["a_gm", "a_manager", "a_agent", "a_consultant", "hq_service", "hq_finance",
                                 "regional_manager"])
def test_every_other_role_is_refused(net, login, who):
    client = login(getattr(net, who))
    for name, args in (("finance_offers", []), ("finance_offers_export", []), ("finance_offer_new", [])):
        assert client.get(reverse(f"console:{name}", args=args)).status_code == 403, name
    assert client.post(reverse("console:finance_offer_new"), form_data()).status_code == 403
    assert not FinanceOffer.objects.exists()
    assert not AuditLog.objects.filter(action__startswith="financeoffer.").exists()


@pytest.mark.parametrize(("values", "field", "words"), [
    ({"term_choices": []}, "term_choices", "必填"),
    ({"term_choices": ["72"]}, "term_choices", "72"),
    ({"annual_rate": "-1"}, "annual_rate", "36%"),
    ({"annual_rate": "999"}, "annual_rate", "36%"),
    ({"annual_rate": "1e400"}, "annual_rate", "数字"),
    ({"fee_kind": "percent", "fee_value": "40"}, "fee_value", "30%"),
    ({"fee_value": "-5"}, "fee_value", "0"),
    ({"min_down_pct": "100"}, "min_down_pct", "100%"),
    ({"valid_until": "2025-12-01"}, "valid_until", "早于"),
    ({"title": "x" * 10_000}, "title", "40"),
    ({"lender": "工商\x00银行"}, "lender", "空"),
    ({"annual_rate": "1\x00"}, "annual_rate", "数字"),
])
def test_bad_input_is_refused_on_its_field_in_chinese(net, login, values, field, words):
    client = login(net.hq_marketer)
    response = client.post(reverse("console:finance_offer_new"), form_data(**values))
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert field in errors, errors
    assert words in " ".join(errors[field]), errors[field]
    assert not FinanceOffer.objects.exists()
