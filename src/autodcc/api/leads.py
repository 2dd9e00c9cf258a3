"""Lead capture and status over JSON (LEAD-1): channel platforms, dealers' systems, the store."""


import datetime as dt
from typing import Any

from django.db.models import OuterRef, QuerySet, Subquery
from django.http import Http404, HttpRequest
from ninja import Field, Header, Path, Query, Router, Schema, Status
from ninja.pagination import PageNumberPagination, paginate

from autodcc.api.auth import TOKEN_OR_SESSION
from autodcc.api.errors import with_errors
from autodcc.core.errors import DomainError, Forbidden, Invalid
from autodcc.leads import selectors
from autodcc.leads.models import Capture, CaptureStatus, Lead
from autodcc.leads.services import LeadInput
from autodcc.leads.services.capture import LIMITS, Outcome
from autodcc.leads.services.intake import intake_accept

router = Router(tags=["leads"])
KEY_LENGTH = 200  # an Idempotency-Key longer than this is refused (never cut: two keys must stay two)
MAX_ID = 2**62  # ids beyond any row (a bigint cannot hold more)
MAX_PAGE = 1_000_000


class LeadIn(Schema):
    """Limits are the capture's own (``LIMITS``): longer is refused, never cut."""

    name: str = Field(..., max_length=LIMITS["name"], description="Consumer's name", examples=["张伟"])
    phone: str = Field(..., max_length=40, description="Mainland mobile number", examples=["13812341234"])
    channel: str = Field("own_site", max_length=16,
                         description="autohome, yiche, dongchedi, tmall, own_site, hotline, …")
    city: str = Field("", max_length=40,
                      description="City name or 6-digit administrative (or district) code; needed unless a dealer is "
                                  "chosen")
    dealer: str = Field("", max_length=20, description="Dealer code the consumer chose (optional)")
    campaign: str = Field("", max_length=LIMITS["campaign"])
    source_ref: str = Field("", max_length=LIMITS["source_ref"], description="The platform's own lead id")
    model_interest: str = Field("", max_length=LIMITS["model_interest"])
    message: str = Field("", max_length=LIMITS["message"])
    expected_purchase_on: dt.date | None = None
    consent_version: str = Field(..., max_length=LIMITS["consent_version"],
                                 description="Version of the privacy notice the consumer agreed to")
    consent_share_with_dealer: bool = Field(..., description="Separate consent to share with the dealer (PIPL art. 23)")
    consent_marketing: bool = False


class LeadOut(Schema):
    id: int
    number: str
    status: str
    status_label: str
    grade: str
    dealer_code: str
    dealer_name: str
    allocation: str
    created_at: dt.datetime
    first_response_at: dt.datetime | None = None
    invited_at: dt.datetime | None = None
    arrived_at: dt.datetime | None = None
    ordered_at: dt.datetime | None = None
    delivered_at: dt.datetime | None = None
    customer_name: str = Field(..., description="The name given when this lead was captured")
    customer_phone: str = Field(..., description="Masked (138****1234)")


class CaptureOut(Schema):
    intake: int | None = Field(None, description="This capture's id (GET /api/intakes/{id} follows it)")
    status: str = Field(..., description="processed, pending (accepted, a worker is on it) or rejected")
    created: bool = Field(..., description="True when a new lead was made")
    duplicate: bool = Field(False, description="True when it joined an open lead of the same customer")
    replay: bool = Field(..., description="True when the Idempotency-Key was seen before: nothing changed")
    lead: LeadOut | None = Field(None, description="The lead, when the caller may read it (GET /api/leads/{id})")
    errors: list[dict[str, Any]] | None = None


def lead_out(lead: Lead) -> dict[str, Any]:
    """A lead as the API shows it."""
    return {
        "id": lead.pk, "number": lead.number, "status": lead.status, "status_label": str(lead.get_status_display()),
        "grade": lead.grade, "dealer_code": lead.dealer.code, "dealer_name": str(lead.dealer),
        "allocation": lead.allocation_reason, "created_at": lead.created_at,
        "first_response_at": lead.first_response_at, "invited_at": lead.invited_at, "arrived_at": lead.arrived_at,
        "ordered_at": lead.ordered_at, "delivered_at": lead.delivered_at,
        "customer_name": getattr(lead, "captured_name", None) or lead.customer.name,
        "customer_phone": lead.customer.phone_masked,
    }


def readable(request: HttpRequest) -> QuerySet[Lead]:
    """The leads the caller may read: a channel's key the leads it sent, a dealer's key its
    dealer's, staff their scope. A key sees each lead under the name it was captured with."""
    qs = Lead.objects.select_related("dealer", "customer")
    token = getattr(request, "api_token", None)
    if token is not None:
        first_name = Capture.objects.filter(lead=OuterRef("pk")).order_by("at", "pk").values("name")[:1]
        qs = qs.annotate(captured_name=Subquery(first_name))
        return qs.filter(dealer_id=token.dealer_id) if token.dealer_id else qs.filter(api_token=token)
    if not request.actor.can("leads.view"):
        raise Forbidden("forbidden")
    return qs.visible_to(request.actor)


def _body(request: HttpRequest, outcome: Outcome) -> Status:
    body: dict[str, Any] = {"intake": outcome.capture_id, "status": outcome.status, "created": outcome.created,
                            "duplicate": outcome.duplicate, "replay": outcome.replay, "lead": None,
                            "errors": [e.as_dict() for e in outcome.errors] if outcome.errors else None}
    token = getattr(request, "api_token", None)
    if outcome.summary is not None and token is not None and not outcome.replay:
        body["lead"] = outcome.summary  # made just now by this key: readable by it, nothing to look up
    elif outcome.lead_id is not None:
        lead = readable(request).filter(pk=outcome.lead_id).first()
        body["lead"] = lead_out(lead) if lead is not None else None
    if outcome.status == CaptureStatus.PENDING:
        return Status(202, body)
    if outcome.status == CaptureStatus.REJECTED:
        return Status(422, body)
    return Status(201 if outcome.created and not outcome.replay else 200, body)


@router.post("/leads", response=with_errors({200: CaptureOut, 201: CaptureOut, 202: CaptureOut, 422: CaptureOut}),
             auth=TOKEN_OR_SESSION)
def capture(request: HttpRequest, payload: LeadIn,
            idempotency_key: str = Header("", alias="Idempotency-Key", max_length=KEY_LENGTH)) -> Status:
    """Capture a lead. Inline (no worker configured) the lead is captured in this request: 201
    for a new lead, 200 when it joined the customer's open lead at the same dealer. With a worker
    the capture is accepted durably and answered 202; `GET /api/intakes/{id}` follows it. A
    dealer's key captures for its own dealer only. Send an `Idempotency-Key`: a retry with the
    same key returns the first result and creates nothing. The answer shows the lead only when the
    caller may read it."""
    token = getattr(request, "api_token", None)
    data = LeadInput(**payload.dict())
    if token is not None and token.channel and data.channel == "own_site":
        data.channel = token.channel
    who = f"t{token.pk}" if token is not None else f"u{request.user.pk}"
    key = f"api:{who}:{idempotency_key}" if idempotency_key else ""
    outcome = intake_accept(actor=request.actor, data=data, key=key, token=token)
    if outcome.errors and not outcome.replay:
        raise Invalid(outcome.errors)
    return _body(request, outcome)


@router.get("/intakes/{intake_id}", response=with_errors({200: CaptureOut, 201: CaptureOut, 202: CaptureOut,
                                                           422: CaptureOut}), auth=TOKEN_OR_SESSION)
def intake_status(request: HttpRequest, intake_id: int = Path(..., ge=1, le=MAX_ID)) -> Status:
    """Follow a capture (only the caller that sent it may read it)."""
    token = getattr(request, "api_token", None)
    found = Capture.objects.filter(pk=intake_id)
    found = found.filter(api_token=token) if token is not None else found.filter(user_id=request.user.pk,
                                                                                 api_token__isnull=True)
    row = found.first()
    if row is None:
        raise Http404
    outcome = Outcome(0, status=row.status, capture_id=row.pk, lead_id=row.lead_id, created=row.created)
    if row.status == CaptureStatus.REJECTED:
        outcome.errors = [DomainError("lead.capture_rejected", field=e.get("field"), reason=e.get("message", ""))
                          for e in row.error or []]
    return _body(request, outcome)


@router.get("/leads/{lead_id}", response=with_errors({200: LeadOut}), auth=TOKEN_OR_SESSION)
def lead_status(request: HttpRequest, lead_id: int = Path(..., ge=1, le=MAX_ID)) -> dict[str, Any]:
    """A lead's status and milestones (404 for a lead the caller may not see)."""
    lead = readable(request).filter(pk=lead_id).first()
    if lead is None:
        raise Http404
    return lead_out(lead)


class LeadFilters(Schema):
    status: str = Field("", max_length=16)
    channel: str = Field("", max_length=16)
    created_from: dt.date | None = None
    created_to: dt.date | None = None


class Pages(PageNumberPagination):
    """Numbered pages of 50; a page past the last is empty, a page number beyond any use is refused."""

    class Input(Schema):
        page: int = Field(1, ge=1, le=MAX_PAGE)
        page_size: int | None = Field(None, ge=1, le=100)


@router.get("/leads", response=with_errors({200: list[LeadOut]}), auth=TOKEN_OR_SESSION)
@paginate(Pages, page_size=50)
def lead_list(request: HttpRequest, filters: Query[LeadFilters]) -> list[dict[str, Any]]:
    """The leads the caller may read, newest first (a channel's key: the leads it sent)."""
    wanted = {k: v for k, v in filters.dict().items() if v}
    return _LeadPage(selectors.lead_filter(readable(request), wanted).order_by("-created_at", "-id"))


class _LeadPage:
    """A lazy list of API leads: pagination slices it, only the page is read and shown."""

    def __init__(self, qs: QuerySet[Lead]) -> None:
        self.qs = qs

    def __len__(self) -> int:
        return self.qs.count()

    def count(self) -> int:
        return self.qs.count()

    def __getitem__(self, item: slice) -> list[dict[str, Any]]:
        return [lead_out(lead) for lead in self.qs[item]]
