"""The store's analytics faces: the consent choice (banner and settings page) and the collect
endpoint the page's beacon posts to. Nothing is recorded without a yes."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from autodcc.analytics import consent, recording
from autodcc.core import limits
from autodcc.core.errors import DomainError
from autodcc.storefront.views.common import page


def _refuse(exc: DomainError, status: int = 400) -> JsonResponse:
    return JsonResponse({"error": exc.as_dict()}, status=status, json_dumps_params={"ensure_ascii": False})


@csrf_exempt  # a beacon carries no token; without the visitor's own (SameSite) consent cookie nothing is kept
@require_POST
def collect(request: HttpRequest) -> HttpResponse:
    wait = limits.hit("analytics", limits.client_ip(request), limits.Rate.parse(settings.ANALYTICS_RATE))
    if wait:
        response = _refuse(DomainError("analytics.rate_limited"), 429)
        response["Retry-After"] = str(wait)
        return response
    length = request.META.get("CONTENT_LENGTH") or "0"
    if not length.isdigit() or int(length) > recording.MAX_BODY:
        return _refuse(DomainError("analytics.body_too_large", limit=recording.MAX_BODY), 413)
    try:
        events = recording.parse(request.body, host=request.get_host().split(":")[0])
    except DomainError as exc:
        return _refuse(exc, 413 if exc.code == "analytics.body_too_large" else 400)
    recording.collect(events, consent.read(request.COOKIES))
    return HttpResponse(status=204)


def _set(response: HttpResponse, name: str, value: str, *, max_age: int, httponly: bool) -> None:
    response.set_cookie(name, value, max_age=max_age, path="/", samesite="Lax", httponly=httponly,
                        secure=settings.SESSION_COOKIE_SECURE)


def _back(request: HttpRequest) -> str:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                  require_https=request.is_secure()):
        return target
    return "/store/"


@never_cache
@require_http_methods(["GET", "POST"])
def choice(request: HttpRequest) -> HttpResponse:
    """GET: the current choice, to change it (the footer's link). POST: yes or no, remembered."""
    state = consent.read(request.COOKIES)
    if request.method == "GET" or not consent.enabled():
        return page(request, "analytics_choice.html", {"state": state, "enabled": consent.enabled()})
    wanted = request.POST.get("choice", "")
    if wanted not in ("yes", "no"):
        return page(request, "analytics_choice.html", {
            "state": state, "enabled": True, "problem": _("Please choose “Agree” or “Decline”.")}, status=400)
    quiet = request.headers.get("X-Requested-With") == "fetch"
    response = HttpResponse(status=204) if quiet else redirect(_back(request))
    _set(response, consent.CONSENT_COOKIE, consent.cookie_value(wanted), max_age=consent.MAX_AGE, httponly=False)
    if wanted == "yes":
        visitor = state.visitor if state.recording else consent.new_visitor_id()
        _set(response, consent.VISITOR_COOKIE, visitor, max_age=consent.MAX_AGE, httponly=True)
        if not state.recording:
            recording.consent_given(consent.State("yes", visitor, state.visit))
    else:
        old = request.COOKIES.get(consent.VISITOR_COOKIE, "")
        if old:
            recording.forget_visitor(old)
        response.delete_cookie(consent.VISITOR_COOKIE, path="/", samesite="Lax")
        response.delete_cookie(consent.VISIT_COOKIE, path="/", samesite="Lax")
    return response
