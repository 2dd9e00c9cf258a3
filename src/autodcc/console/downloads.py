"""Files the console hands out: every download is written to the audit trail (who took which
file, when, how big), and its name survives Chinese characters (RFC 6266 ``filename*``)."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from django.http import HttpRequest, HttpResponse

from autodcc.core import audit

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def xlsx_download(request: HttpRequest, data: bytes, filename: str, *, what: str, dealer_id: int | None = None,
                  details: dict[str, Any] | None = None, action: str = "file.download",
                  already_audited: bool = False) -> HttpResponse:
    """``data`` as a workbook download named ``filename``; ``what`` says what it is (an audit
    object type such as ``finance.transfer_list``). ``already_audited``: the export itself wrote
    its audit row."""
    if not already_audited:
        actor = request.actor  # type: ignore[attr-defined]
        if dealer_id is None and actor.dealer_ids and not actor.is_hq:
            dealer_id = min(actor.dealer_ids)
        audit.record(actor=actor, action=action, object_type=what, object_id=filename[:64], dealer_id=dealer_id,
                     after={"file": filename, "bytes": len(data), **(details or {})})
    response = HttpResponse(data, content_type=XLSX)
    ascii_name = filename.encode("ascii", "ignore").decode() or "download.xlsx"
    response["Content-Disposition"] = f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"
    return response
