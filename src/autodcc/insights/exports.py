"""Excel exports of the insight tables: the same rows as on screen, role-gated and audited."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from autodcc.core import audit, tabular
from autodcc.core.actors import Actor
from autodcc.core.errors import Forbidden
from autodcc.insights import kpi
from autodcc.insights.queries import Row, rate_definitions

COUNT_COLUMNS = ("leads", "repeats", "invalid", "valid", "contacted", "in_sla", "invited", "arrived", "invited_arrived",
                 "test_driven", "ordered", "delivered", "defeated")


def funnel_xlsx(*, actor: Actor, rows: list[Row], dimension: str, filters: dict[str, Any]) -> bytes:
    """The funnel table with every count and rate; the export itself is recorded in the audit trail."""
    if not actor.can("insights.export"):
        raise Forbidden("forbidden")
    definitions = rate_definitions()
    header = [dimension, *[kpi.label_of(m) for m in COUNT_COLUMNS], _("First response (opening minutes)"),
              *[f"{d.label} = {kpi.formula(d.numerator, d.denominator)}" for d in definitions]]
    body = ([row.label, *[row.counts.get(m, 0) for m in COUNT_COLUMNS], row.first_response_minutes,
             *[row.rates.get(d.code) for d in definitions]] for row in rows)
    data = tabular.xlsx_bytes(_("Funnel"), header, body)
    audit.record(actor=actor, action="insights.export", object_type="insights.funnel", object_id=dimension[:64],
                 after={"filters": filters, "rows": len(rows)},
                 dealer_id=next(iter(actor.dealer_ids)) if len(actor.dealer_ids) == 1 and not actor.is_hq else None)
    return data
