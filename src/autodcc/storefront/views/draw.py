"""Launch-day flash draws in the store (CMP-5): the rounds with their countdown, the entry form of
the open round, each entrant's receipt, and a public page per round anyone can check."""

from __future__ import annotations

import datetime as dt
import json

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from django_ratelimit.decorators import ratelimit

from autodcc.campaigns import draw
from autodcc.campaigns.models import Campaign, DrawRound
from autodcc.core.errors import DomainError, Invalid, add_to_form
from autodcc.storefront.views.common import RATE_LIMITED, limited, page, post_rate


class EntryForm(forms.Form):
    """The entry form as the page shows it; the rules an entry must meet are ``draw.entry_submit``'s,
    the same for the form and for the page's script."""

    name = forms.CharField(label=gettext_lazy("Your name"), required=False,
                           widget=forms.TextInput(attrs={"maxlength": draw.NAME_MAX, "autocomplete": "name"}))
    phone = forms.CharField(label=gettext_lazy("Mobile"), required=False,
                            widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel", "maxlength": 20}))
    city = forms.CharField(label=gettext_lazy("City"), required=False,
                           widget=forms.TextInput(attrs={"maxlength": 30}))
    consent = forms.BooleanField(label=gettext_lazy("I agree to the privacy notice and to be contacted about "
                                                    "this campaign and my entry"), required=False)


# the form and the page's script share one limit per address
ENTRY_GROUP = "storefront.draw_entry"


def _campaign(code: str) -> Campaign:
    campaign = draw.campaign_with_rounds(code)
    if campaign is None:
        raise Http404
    return campaign


def _open_round(rounds: list[DrawRound], now: dt.datetime) -> DrawRound | None:
    return next((r for r in rounds if r.is_open(now)), None)


def _receipt_text(draw_round: DrawRound, entry: draw.Entered) -> str:
    return (_("You are in round %(round)s: entry number %(number)s, receipt %(receipt)s. Keep the receipt to find "
              "yourself in the published list.") % {"round": draw_round.number, "number": entry.pk,
                                                     "receipt": entry.receipt})


@ratelimit(key="ip", rate=post_rate, method="POST", block=False, group=ENTRY_GROUP)
def draw_page(request: HttpRequest, code: str) -> HttpResponse:
    """The rounds with their countdown and the open round's form. Without script the form posts
    here (a 302 with the receipt as a message); with it the page's script posts to ``draw_enter``."""
    now = timezone.now()
    campaign, rounds = draw.schedule(code)
    if campaign is None:
        raise Http404
    if request.method != "POST":  # what the page shows (statuses, the draw) is read fresh
        rounds = list(campaign.draw_rounds.order_by("number"))
    current = _open_round(rounds, now)
    upcoming = next((r for r in rounds if r.opens_at > now), None)
    form = EntryForm(request.POST or None)
    if request.method == "POST":
        if limited(request):
            form.is_valid()
            form.add_error(None, RATE_LIMITED)
        elif current is None:
            form.is_valid()
            form.add_error(None, _("No round is open right now."))
        elif form.is_valid():
            d = form.cleaned_data
            try:
                entry = draw.entry_submit(draw_round=current, name=d["name"], raw_phone=d["phone"], city=d["city"],
                                          consent=d["consent"], now=now)
            except DomainError as exc:
                add_to_form(form, exc)
            else:
                messages.success(request, _receipt_text(current, entry))
                return redirect("store:draw", code=campaign.code)
        rounds = list(campaign.draw_rounds.order_by("number"))  # the refused form shows the page
    return page(request, "draw.html", {"campaign": campaign, "rounds": rounds, "current": current,
                                       "upcoming": upcoming, "form": form, "now": now})


def _refused(status: int, *errors: DomainError | str) -> JsonResponse:
    shown = [e.as_dict() if isinstance(e, DomainError) else {"code": "refused", "field": None, "message": str(e)}
             for e in errors]
    return JsonResponse({"accepted": False, "errors": shown}, status=status, json_dumps_params={"ensure_ascii": False})


@require_POST
@ratelimit(key="ip", rate=post_rate, method="POST", block=False, group=ENTRY_GROUP)
def draw_enter(request: HttpRequest, code: str) -> JsonResponse:
    """An entry as the page's script posts it (the form's fields, CSRF token in ``X-CSRFToken``):
    201 with the round, entry number, receipt and the sentence to show; otherwise the reasons,
    each on its field. The entrant stays on the page: no redirect, no second page load."""
    now = timezone.now()
    campaign, rounds = draw.schedule(code)
    if campaign is None:
        raise Http404
    if limited(request):
        return _refused(429, RATE_LIMITED)
    current = _open_round(rounds, now)
    if current is None:
        return _refused(409, _("No round is open right now."))
    post = request.POST
    try:
        entry = draw.entry_submit(draw_round=current, name=post.get("name", ""), raw_phone=post.get("phone", ""),
                                  city=post.get("city", ""), consent=CONSENT.to_python(post.get("consent")), now=now)
    except Invalid as exc:
        return _refused(exc.status, *exc.errors)
    except DomainError as exc:
        return _refused(exc.status, exc)
    return JsonResponse({"accepted": True, "round": current.number, "number": entry.pk, "receipt": entry.receipt,
                         "message": _receipt_text(current, entry)}, status=201,
                        json_dumps_params={"ensure_ascii": False})


CONSENT = EntryForm.base_fields["consent"]


def round_page(request: HttpRequest, code: str, number: int) -> HttpResponse:
    """The round as anyone may check it; ``?format=json`` is the verifier's input."""
    campaign = _campaign(code)
    draw_round = draw.round_of(campaign, number)
    if draw_round is None:
        raise Http404
    data = draw.public(draw_round)
    if request.GET.get("format") == "json":
        response = HttpResponse(json.dumps(data, ensure_ascii=False, indent=1), content_type="application/json")
        response["Content-Disposition"] = f'attachment; filename="{campaign.code}-{number}.json"'
        return response
    return page(request, "draw_round.html", {"campaign": campaign, "round": draw_round, "data": data,
                                             "winners": draw.winners_shown(draw_round), "now": timezone.now()})
