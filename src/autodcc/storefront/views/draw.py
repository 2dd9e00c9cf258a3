"""Launch-day flash draws in the store (CMP-5): the rounds with their countdown, the entry form of
the open round, each entrant's receipt, and a public page per round anyone can check."""

from __future__ import annotations

import json

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_ratelimit.decorators import ratelimit

from autodcc.campaigns import draw
from autodcc.campaigns.models import Campaign
from autodcc.core.errors import DomainError, add_to_form
from autodcc.storefront.views.common import RATE_LIMITED, limited, page, post_rate


class EntryForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Your name"), max_length=200, required=False)
    phone = forms.CharField(label=gettext_lazy("Mobile"), max_length=30, required=False,
                            widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}))
    city = forms.CharField(label=gettext_lazy("City"), max_length=30, required=False)
    consent = forms.BooleanField(label=gettext_lazy("I agree to the privacy notice and to be contacted about "
                                                    "this campaign and my entry"), required=False)


def _campaign(code: str) -> Campaign:
    campaign = draw.campaign_with_rounds(code)
    if campaign is None:
        raise Http404
    return campaign


@ratelimit(key="ip", rate=post_rate, method="POST", block=False)
def draw_page(request: HttpRequest, code: str) -> HttpResponse:
    now = timezone.now()
    campaign, rounds = draw.schedule(code)
    if campaign is None:
        raise Http404
    if request.method != "POST":  # what the page shows (statuses, the draw) is read fresh
        rounds = list(campaign.draw_rounds.order_by("number"))
    current = next((r for r in rounds if r.is_open(now)), None)
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
                                          consent=d["consent"])
            except DomainError as exc:
                add_to_form(form, exc)
            else:
                messages.success(request, _("You are in round %(round)s: entry number %(number)s, receipt "
                                            "%(receipt)s. Keep the receipt to find yourself in the published list.")
                                 % {"round": current.number, "number": entry.pk, "receipt": entry.receipt})
                return redirect("store:draw", code=campaign.code)
        rounds = list(campaign.draw_rounds.order_by("number"))  # the refused form shows the page
    return page(request, "draw.html", {"campaign": campaign, "rounds": rounds, "current": current,
                                       "upcoming": upcoming, "form": form, "now": now})


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
