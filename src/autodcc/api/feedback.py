"""Complaints over JSON (CARE-3): partners' and dealers' systems file them; the caller follows
the ones it may read. The sealing is the lead capture's: a dealer's key files for its own dealer
only; naming another dealer (or another dealer's order) is an error and nothing is saved."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from ninja import Field, Header, Path, Router, Schema, Status

from autodcc.api.auth import TOKEN_OR_SESSION
from autodcc.api.errors import with_errors
from autodcc.core.errors import Forbidden
from autodcc.feedback import services
from autodcc.feedback.models import Category, Complaint, Kind, Source

router = Router(tags=["complaints"])
KEY_LENGTH = 200
MAX_ID = 2**62


class ComplaintIn(Schema):
    """Longer text than the limits is refused, never cut."""

    name: str = Field(..., max_length=services.NAME_LIMIT, examples=["张伟"])
    phone: str = Field(..., max_length=40, description="Mainland mobile number", examples=["13812341234"])
    category: str = Field(..., max_length=16, description=", ".join(Category.values))
    kind: str = Field(Kind.COMPLAINT, max_length=16, description=", ".join(Kind.values))
    description: str = Field(..., max_length=services.DESCRIPTION_LIMIT)
    dealer: str = Field("", max_length=20, description="The dealer concerned (code); a dealer's key: its own or none")
    order: str = Field("", max_length=40, description="An order number of this consumer (optional)")
    lead: str = Field("", max_length=40, description="A lead number of this consumer (optional)")
    consent_version: str = Field(..., max_length=40, description="Version of the privacy notice the consumer agreed to")
    consent_share_with_dealer: bool = Field(..., description="Consent to share with the dealer or HQ department "
                                                             "handling it (PIPL art. 23)")


class ComplaintOut(Schema):
    id: int
    number: str
    status: str
    status_label: str
    category: str
    handled_by: str = Field(..., description="dealer, hq_service or hq_marketing")
    dealer_code: str | None = None
    respond_by: dt.datetime
    resolve_by: dt.datetime
    created_at: dt.datetime
    resolved_at: dt.datetime | None = None
    replay: bool = False


def complaint_out(c: Complaint, *, replay: bool = False) -> dict[str, Any]:
    return {"id": c.pk, "number": c.number, "status": c.status, "status_label": str(c.get_status_display()),
            "category": c.category, "handled_by": c.queue, "dealer_code": c.dealer.code if c.dealer_id else None,
            "respond_by": c.respond_by, "resolve_by": c.resolve_by, "created_at": c.created_at,
            "resolved_at": c.resolved_at, "replay": replay}


def readable(request: HttpRequest) -> QuerySet[Complaint]:
    """A dealer's key: its dealer's complaints; a partner's key: those it filed; staff: their scope."""
    qs = Complaint.objects.select_related("dealer")
    token = getattr(request, "api_token", None)
    if token is not None:
        return qs.filter(dealer_id=token.dealer_id) if token.dealer_id else qs.filter(api_token_id=token.pk)
    if not request.actor.can("feedback.view"):
        raise Forbidden("forbidden")
    return qs.visible_to(request.actor)


@router.post("/complaints", response=with_errors({200: ComplaintOut, 201: ComplaintOut}), auth=TOKEN_OR_SESSION)
def complaint_file(request: HttpRequest, payload: ComplaintIn,
                   idempotency_key: str = Header("", alias="Idempotency-Key", max_length=KEY_LENGTH)) -> Status:
    """File a complaint or other feedback: 201 with the new complaint (routed by its category's
    rule, with its deadlines), 200 for a retry with the same `Idempotency-Key` (nothing new)."""
    token = getattr(request, "api_token", None)
    body = payload.dict()
    data = services.ComplaintInput(
        name=body["name"], phone=body["phone"], category=body["category"], kind=body["kind"],
        description=body["description"], dealer=body["dealer"], order=body["order"], lead=body["lead"],
        consent_version=body["consent_version"], consent_share=body["consent_share_with_dealer"])
    who = f"t{token.pk}" if token is not None else f"u{request.user.pk}"
    key = f"api:{who}:{idempotency_key}" if idempotency_key else ""
    complaint, created = services.complaint_file(actor=request.actor, data=data, source=Source.API, token=token,
                                                 submission_key=key)
    return Status(201 if created else 200, complaint_out(complaint, replay=not created))


@router.get("/complaints/{complaint_id}", response=with_errors({200: ComplaintOut}), auth=TOKEN_OR_SESSION)
def complaint_status(request: HttpRequest, complaint_id: int = Path(..., ge=1, le=MAX_ID)) -> dict[str, Any]:
    """A complaint's status and deadlines (404 for one the caller may not read)."""
    found = readable(request).filter(pk=complaint_id).first()
    if found is None:
        raise Http404
    return complaint_out(found)
