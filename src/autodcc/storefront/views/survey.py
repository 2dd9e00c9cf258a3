"""The satisfaction survey an owner opens from the SMS link (CARE-4): on a phone, without logging
in, answered once before the link expires."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from django.views.decorators.http import require_http_methods
from django_ratelimit.decorators import ratelimit

from autodcc.aftercare import revisits
from autodcc.aftercare.models import Survey
from autodcc.core.errors import DomainError, Invalid, NotFound
from autodcc.storefront.views.common import RATE_LIMITED, limited, page, post_rate


def _context(survey: Survey, values: dict[str, Any], errors: dict[str, str]) -> dict[str, Any]:
    questions = []
    for q in survey.template.questions.filter(is_active=True):
        name = f"q{q.pk}"
        questions.append({"q": q, "name": name, "value": str(values.get(name, "")), "error": errors.get(name, "")})
    dealer = survey.dealer
    return {"survey": survey, "questions": questions, "dealer_name": dealer.short_name or dealer.name}


@ratelimit(key="ip", rate=post_rate, method="POST", block=False)
@require_http_methods(["GET", "POST"])
def survey_page(request: HttpRequest, token: str) -> HttpResponse:
    try:
        survey = revisits.survey_for_token(token)
    except NotFound:
        raise Http404 from None
    if survey.answered_at is not None:
        return page(request, "survey.html", {"survey": survey, "done": True})
    if survey.expires_at <= timezone.now():
        return page(request, "survey.html", {"survey": survey, "expired": True}, status=410)
    values: dict[str, Any] = {}
    errors: dict[str, str] = {}
    status, notice = 200, ""
    if request.method == "POST":
        values = {k: v for k, v in request.POST.items() if k.startswith("q")}
        if limited(request):
            status, notice = 429, str(RATE_LIMITED)
        else:
            try:
                revisits.survey_answer(token=token, answers=values)
            except Invalid as exc:
                errors = {e.field or "": e.message for e in exc.errors}
                status = 400
            except DomainError as exc:
                if exc.code == "survey.answered":  # sent twice: the first one counts
                    return page(request, "survey.html", {"survey": survey, "done": True})
                status, notice = 400, exc.message
            else:
                return page(request, "survey.html", {"survey": survey, "done": True, "thanks": True})
    context = _context(survey, values, errors)
    context["notice"] = notice
    return page(request, "survey.html", context, status=status)
