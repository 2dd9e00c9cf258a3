"""First-N gifts of a campaign (CMP-6, CMP-9): set one up and change it (whoever may change the
campaign's plan), its winners in order with the dealer's confirmation of each test drive, filtered
and as Excel, and HQ's shipping with carrier and tracking number. Another dealer's winners are not
found (404)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from autodcc.campaigns import first_n
from autodcc.campaigns.models import Campaign, FirstNReward
from autodcc.console.exports import export_list, wants_export
from autodcc.console.forms.campaigns import FirstNRewardForm, GiftFilterForm, ShipForm
from autodcc.console.views.base import paginate, querystring_without_page, run_service, shows_dealer, staff_view
from autodcc.core.errors import NotFound
from autodcc.core.tenancy import get_for_actor

VIEW = "campaigns.view"


def _reward(request: HttpRequest, pk: int) -> FirstNReward:
    try:
        return first_n.reward_for(request.actor, pk)
    except NotFound:
        raise Http404 from None


def _save(request: HttpRequest, form: FirstNRewardForm, campaign: Campaign,
          reward: FirstNReward | None = None) -> FirstNReward | None:
    d = form.cleaned_data
    return run_service(form, lambda: first_n.reward_save(
        actor=request.actor, campaign=campaign, reward=reward, name=d["name"], n=d["n"], unit_cost=d["unit_cost"],
        starts_on=d["starts_on"], ends_on=d["ends_on"], is_active=d["is_active"]))


@staff_view(VIEW)
def gift_new(request: HttpRequest, pk: int) -> HttpResponse:
    """Set up a first-N gift on a campaign."""
    campaign = get_for_actor(Campaign.objects.select_related("dealer", "region"), request.actor, pk=pk)
    if not first_n.may_edit(request.actor, campaign):
        raise PermissionDenied
    form = FirstNRewardForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        made = _save(request, form, campaign)
        if made is not None:
            messages.success(request, _("First-N gift set up."))
            return redirect("console:campaign_gift", pk=made.pk)
    return render(request, "console/campaigns/gift_form.html", {"form": form, "campaign": campaign})


@staff_view(VIEW)
def gift_detail(request: HttpRequest, pk: int, edit_form: FirstNRewardForm | None = None) -> HttpResponse:
    """The gift's winners in order (filters, Excel); its settings for whoever may change them."""
    reward = _reward(request, pk)
    actor = request.actor
    form = GiftFilterForm(request.GET or None, actor=actor)
    f = form.filters()
    dealer = f.get("dealer")
    claims = first_n.claims_for(actor, reward, state=f.get("state", ""), dealer_id=dealer.pk if dealer else None,
                                q=f.get("q", ""))
    if wants_export(request):
        return export_list(request, "first_n_claims", claims)
    editable = first_n.may_edit(actor, reward.campaign)
    if editable and edit_form is None:
        edit_form = FirstNRewardForm(initial={
            "name": reward.name, "n": reward.n, "unit_cost": reward.unit_cost, "starts_on": reward.starts_on,
            "ends_on": reward.ends_on, "is_active": reward.is_active})
    counts = first_n.claim_counts(actor, reward)
    return render(request, "console/campaigns/gift.html", {
        "reward": reward, "campaign": reward.campaign, "form": form, "page": paginate(request, claims),
        "qs": querystring_without_page(request), "show_dealer": shows_dealer(actor),
        "can_ship": first_n.may_ship(actor), "editable": editable, "edit_form": edit_form,
        "carriers": first_n.CARRIERS, "won": counts["won"], "shipped": counts["shipped"],
        "ship_errors": _ship_errors(request)})


def _ship_errors(request: HttpRequest) -> dict[str, Any]:
    """The refusal of the last shipping form, kept in the session across the redirect."""
    return request.session.pop("gift_ship_errors", None) or {}


@require_POST
@staff_view(VIEW)
def gift_edit(request: HttpRequest, pk: int) -> HttpResponse:
    reward = _reward(request, pk)
    if not first_n.may_edit(request.actor, reward.campaign):
        raise PermissionDenied
    form = FirstNRewardForm(request.POST)
    if form.is_valid() and _save(request, form, reward.campaign, reward) is not None:
        messages.success(request, _("Changes saved."))
        return redirect("console:campaign_gift", pk=pk)
    return gift_detail(request, pk, edit_form=form)


@require_POST
@staff_view(VIEW)
def gift_ship(request: HttpRequest, pk: int) -> HttpResponse:
    """HQ ships one winner's gift (a winner at a dealer the person does not see: 404)."""
    try:
        claim = first_n.claim_for(request.actor, pk)
    except NotFound:
        raise Http404 from None
    if not first_n.may_ship(request.actor):
        raise PermissionDenied
    form = ShipForm(request.POST)
    back = reverse("console:campaign_gift", args=[claim.reward_id]) + f"#claim-{claim.rank}"
    if form.is_valid():
        d = form.cleaned_data
        shipped = run_service(form, lambda: first_n.ship(actor=request.actor, claim_=claim, carrier=d["carrier"],
                                                         tracking_no=d["tracking_no"], address=d["address"] or None))
        if shipped is not None:
            messages.success(request, _("Gift of No. %(rank)s shipped: %(carrier)s %(tracking_no)s. The winner is "
                                        "told by SMS.") % {"rank": shipped.rank, "carrier": shipped.carrier,
                                                            "tracking_no": shipped.tracking_no})
            return redirect(back)
    request.session["gift_ship_errors"] = {"claim": claim.pk, "values": {k: str(request.POST.get(k, ""))[:200]
                                                                         for k in ("carrier", "tracking_no", "address")},
                                           "errors": [str(e) for errs in form.errors.values() for e in errs]}
    messages.error(request, " ".join(str(e) for errs in form.errors.values() for e in errs))
    return redirect(back)
