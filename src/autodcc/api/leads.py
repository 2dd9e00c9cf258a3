"""Lead capture and status over JSON (LEAD-1): channel platforms, dealers' systems, the store."""


import datetime as dt
from typing import Any

from django.http import Http404, HttpRequest
from ninja import Field, Header, Query, Router, Schema, Status
from ninja.pagination import PageNumberPagination, paginate

from autodcc.api.auth import TOKEN_OR_SESSION
from autodcc.core.errors import Forbidden
from autodcc.leads import selectors
from autodcc.leads.models import Intake, IntakeStatus, Lead
from autodcc.leads.services import LeadInput
from autodcc.leads.services.intake import intake_accept

router = Router(tags=["leads"])


class LeadIn(Schema):
    name: str = Field(..., description="Consumer's name", examples=["张伟"])
    phone: str = Field(..., description="Mainland mobile number", examples=["13812341234"])
    channel: str = Field("own_site", description="autohome, yiche, dongchedi, tmall, own_site, hotline, …")
    city: str = Field("", description="City name or 6-digit administrative code; needed unless a dealer is chosen")
    dealer: str = Field("", description="Dealer code the consumer chose (optional)")
    campaign: str = ""
    source_ref: str = Field("", description="The platform's own lead id")
    model_interest: str = ""
    message: str = ""
    expected_purchase_on: dt.date | None = None
    consent_version: str = Field(..., description="Version of the privacy notice the consumer agreed to")
    consent_share_with_dealer: bool = Field(..., description="Separate consent to share with the dealer (PIPL art. 23)")
    consent_marketing: bool = False


class LeadOut(Schema):
    id: int
    number: str
    status: str
    status_label: str
    grade: str
    dealer_code: str = Field(..., alias="dealer.code")
    dealer_name: str
    allocation: str = Field(..., alias="allocation_reason")
    created_at: dt.datetime
    first_response_at: dt.datetime | None
    invited_at: dt.datetime | None
    arrived_at: dt.datetime | None
    ordered_at: dt.datetime | None
    delivered_at: dt.datetime | None
    customer_name: str = Field(..., alias="customer.name")
    customer_phone: str = Field(..., alias="customer.phone_masked", description="Masked (138****1234)")

    @staticmethod
    def resolve_status_label(obj: Lead) -> str:
        return str(obj.get_status_display())

    @staticmethod
    def resolve_dealer_name(obj: Lead) -> str:
        return str(obj.dealer)


class CaptureOut(Schema):
    intake: int = Field(..., description="The accepted capture's id (GET /api/intakes/{id} follows it)")
    status: str = Field(..., description="processed, pending (accepted, a worker is on it) or rejected")
    created: bool = Field(..., description="False when it joined the customer's open lead")
    replay: bool = Field(..., description="True when the Idempotency-Key was seen before: nothing changed")
    lead: LeadOut | None = None
    errors: list[dict[str, Any]] | None = None


@router.post("/leads", response={200: CaptureOut, 201: CaptureOut, 202: CaptureOut, 422: CaptureOut},
             auth=TOKEN_OR_SESSION)
def capture(request: HttpRequest, payload: LeadIn,
            idempotency_key: str = Header("", alias="Idempotency-Key")) -> Status:
    """Capture a lead. The lead is accepted durably in one write and processed at once (inline, or
    by a worker within seconds when one is configured: then the answer is 202 and
    `GET /api/intakes/{id}` follows it). Send an `Idempotency-Key`: a retry with the same key
    returns the first result and creates nothing."""
    token = getattr(request, "api_token", None)
    data = LeadInput(**payload.dict())
    if token is not None and token.channel and data.channel == "own_site":
        data.channel = token.channel
    key = f"api:{token.pk if token else 'staff'}:{idempotency_key}" if idempotency_key else ""
    accepted = intake_accept(actor=request.actor, data=data, key=key, api_token=token)
    return _intake_response(accepted.intake, replay=accepted.replay, fresh=False)


def _intake_response(intake: Intake, *, replay: bool, fresh: bool) -> Status:
    if fresh or replay:
        intake = Intake.objects.select_related("lead__dealer", "lead__customer").get(pk=intake.pk)
    body = {"intake": intake.pk, "status": intake.status, "created": intake.created and not replay,
            "replay": replay, "lead": intake.lead, "errors": intake.error}
    if intake.status == IntakeStatus.PENDING:
        return Status(202, body)
    if intake.status == IntakeStatus.REJECTED:
        return Status(422, body)
    return Status(201 if body["created"] else 200, body)


@router.get("/intakes/{intake_id}", response={200: CaptureOut, 201: CaptureOut, 202: CaptureOut, 422: CaptureOut},
            auth=TOKEN_OR_SESSION)
def intake_status(request: HttpRequest, intake_id: int) -> Status:
    """Follow an accepted capture (only the caller that sent it may read it)."""
    token = getattr(request, "api_token", None)
    found = Intake.objects.filter(pk=intake_id)
    found = found.filter(api_token=token) if token is not None else found.filter(user_id=request.user.pk)
    intake = found.first()
    if intake is None:
        raise Http404
    return _intake_response(intake, replay=True, fresh=True)


def _readable(request: HttpRequest) -> object:
    qs = Lead.objects.select_related("dealer", "customer")
    token = getattr(request, "api_token", None)
    if token is not None and not token.dealer_id:
        return qs.filter(api_token=token)  # a partner reads the leads it sent
    if not request.actor.can("leads.view"):
        raise Forbidden("forbidden")
    return qs.visible_to(request.actor)


@router.get("/leads/{lead_id}", response=LeadOut, auth=TOKEN_OR_SESSION)
def lead_status(request: HttpRequest, lead_id: int) -> Lead:
    """A lead's status and milestones (404 for a lead the caller may not see)."""
    lead = _readable(request).filter(pk=lead_id).first()  # type: ignore[attr-defined]
    if lead is None:
        raise Http404
    return lead


class LeadFilters(Schema):
    status: str = ""
    channel: str = ""
    created_from: dt.date | None = None
    created_to: dt.date | None = None


@router.get("/leads", response=list[LeadOut], auth=TOKEN_OR_SESSION)
@paginate(PageNumberPagination, page_size=50)
def lead_list(request: HttpRequest, filters: Query[LeadFilters]) -> list[Lead]:
    """The leads the caller may see (a dealer's token: that dealer's), newest first."""
    token = getattr(request, "api_token", None)
    if token is not None and not token.dealer_id:
        return _readable(request).order_by("-created_at")  # type: ignore[attr-defined,return-value]
    if not request.actor.can("leads.view"):
        raise Forbidden("forbidden")
    return selectors.lead_list(actor=request.actor, filters={k: v for k, v in filters.dict().items() if v})
