"""The order list and the order page with its actions: the dealer's milestones and deal, delivery updates, accessories, refunds."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from autodcc.console.exports import export_list, wants_export
from autodcc.console.forms.orders import (
    AccessoryForm,
    DeliveryUpdateForm,
    EmptyForm,
    OrderFilterForm,
    OrderStepForm,
    RefundDecideForm,
    RefundReviewForm,
)
from autodcc.console.views.base import paginate, querystring_without_page, render_list, run_service, staff_view
from autodcc.console.views.orders.common import (
    LIST_DATES,
    RECEIPT_OVERDUE_DAYS,
    STEP_LABELS,
    WAITING_REFUNDS,
    _call,
    _htmx,
    _month_bounds,
    _order_for,
    _receipt_overdue_before,
    _refund_for,
    _shows_dealer,
)
from autodcc.core.actors import Actor
from autodcc.core.tenancy import get_for_actor
from autodcc.leads.selectors import sees_lead
from autodcc.orders import policy, providers
from autodcc.orders.models import (
    ACCESSORY_STEPS,
    AccessoryOrder,
    AccessoryStatus,
    CancelledBy,
    Order,
    OrderStatus,
    Refund,
    RefundStatus,
)
from autodcc.orders.selectors import accessory_orders
from autodcc.orders.services import (
    accessory_advance,
    accessory_order_place,
    order_delivery_update,
    order_record_step,
    order_remind_receipt,
    refund_dealer_decide,
    refund_execute,
    refund_review,
)
from autodcc.orders.services.refunds import may_review


def _order_list(actor: Actor, filters: dict[str, Any]) -> QuerySet[Order]:
    latest_refund = Refund.objects.filter(order=OuterRef("pk")).order_by("-requested_at", "-id")
    qs = (Order.objects.visible_to(actor).select_related("trim__model", "edition", "dealer", "customer")
          .annotate(refund_status=Subquery(latest_refund.values("status")[:1])))
    if q := (filters.get("q") or "").strip():
        qs = qs.filter(Q(number__icontains=q) | Q(buyer_name__icontains=q))
    if filters.get("status"):
        qs = qs.filter(status=filters["status"])
    if filters.get("dealer"):
        qs = qs.filter(dealer=filters["dealer"])
    if filters.get("month"):
        start, end = _month_bounds(filters["month"])
        qs = qs.filter(created_at__gte=start, created_at__lt=end)
    if filters.get("attention"):  # an order closed unpaid needs nobody: it is never listed here
        waiting = Refund.objects.filter(status__in=WAITING_REFUNDS).values("order_id")
        qs = qs.filter((Q(pk__in=waiting) & ~Q(status__in=(OrderStatus.REFUNDED, OrderStatus.CLOSED)))
                       | Q(status=OrderStatus.DELIVERED, delivered_at__lt=_receipt_overdue_before()))
    return qs


def _attention(order: Order, overdue_before: dt.datetime) -> str:
    refund = getattr(order, "refund_status", None)
    if order.status not in (OrderStatus.REFUNDED, OrderStatus.CLOSED):
        if refund == RefundStatus.REQUESTED:
            return _("Refund requested: waiting for the dealer")
        if refund == RefundStatus.DEALER_CONFIRMED:
            return _("Refund confirmed by the dealer: execute it")
        if refund == RefundStatus.FAILED:
            return _("Refund failed: try again")
        if refund == RefundStatus.DEALER_DECLINED:
            return _("Refund declined by the dealer: review it")
    if order.status == OrderStatus.DELIVERED and order.delivered_at and order.delivered_at < overdue_before:
        return _("Delivered more than %(days)s days ago; receipt not confirmed") % {"days": RECEIPT_OVERDUE_DAYS}
    return ""


@staff_view("orders.view")
def order_list(request: HttpRequest) -> HttpResponse:
    actor: Actor = request.actor
    form = OrderFilterForm(request.GET or None, actor=actor)
    if wants_export(request):
        return export_list(request, "orders", _order_list(actor, form.filters()))
    page = paginate(request, _order_list(actor, form.filters()))
    overdue_before = _receipt_overdue_before()
    refund_labels = dict(RefundStatus.choices)
    for order in page:
        order.refund_label = refund_labels.get(order.refund_status, "")  # type: ignore[attr-defined]
        order.attention = _attention(order, overdue_before)  # type: ignore[attr-defined]
        order.dates = [getattr(order, f"{name}_at") for name in LIST_DATES]  # type: ignore[attr-defined]
    return render_list(request, "console/orders/list.html", {
        "form": form, "page": page, "qs": querystring_without_page(request), "show_dealer": _shows_dealer(actor),
    })


def _dealer_side(actor: Actor, order: Order) -> bool:
    """The order's dealer staff who record its milestones (never HQ)."""
    return actor.can("orders.dealer", dealer=order.dealer) and not actor.is_hq


def _order_context(request: HttpRequest, order: Order, failed: dict[str, forms.Form] | None = None,
                   notice: str = "") -> dict[str, Any]:
    """What the order page shows. The order itself is read through ``policy.order_view`` only;
    ``failed`` holds a bound form with errors to show in place of the fresh one."""
    actor: Actor = request.actor
    failed = failed or {}
    view = policy.order_view(actor, order)
    status = order.status
    dealer_side = _dealer_side(actor, order)
    refunds = list(order.refunds.select_related("dealer_confirmed_by"))
    requested = next((r for r in refunds if r.status == RefundStatus.REQUESTED), None)
    declined = next((r for r in refunds if r.status == RefundStatus.DEALER_DECLINED), None)
    accessory = AccessoryOrder.objects.filter(order=order).first()

    shown: set[str] = set()

    def pick(key: str, build: Callable[[], forms.Form]) -> forms.Form:
        shown.add(key)
        return failed.get(key) or build()

    steps: list[dict[str, Any]] = []
    if dealer_side:
        allowed = {
            "visited": status == OrderStatus.PAID,
            "contracted": status in (OrderStatus.PAID, OrderStatus.VISITED, OrderStatus.CONTRACTED),
            "delivered": status == OrderStatus.CONTRACTED,
        }
        initial = {
            "contracted": {"contract_value": view.get("contract_value"), "balance_paid": view.get("balance_paid")},
            "delivered": {"delivery_mode": view["delivery_mode"]},
        }
        for step, ok in allowed.items():
            key = f"step:{step}"
            if ok or key in failed:
                steps.append({"key": step, "label": STEP_LABELS[step], "form": pick(key, lambda s=step: OrderStepForm(
                    step=s, initial=initial.get(s), auto_id=f"st-{s}-%s"))})
    may_execute = actor.can("orders.refund_execute") and status != OrderStatus.REFUNDED
    refund_rows = [
        {"r": r, "execute_form": pick(f"execute:{r.pk}", lambda r=r: EmptyForm(auto_id=f"ex{r.pk}-%s"))
         if (may_execute and r.status in (RefundStatus.DEALER_CONFIRMED, RefundStatus.FAILED))
         or f"execute:{r.pk}" in failed else None}
        for r in refunds]
    context: dict[str, Any] = {
        "o": view, "order_pk": order.pk, "notice": notice, "dealer_side": dealer_side,
        "sees_deal": "contract_value" in view,
        # the buyer's lead, where the holder reveals the number and calls (when the person may see it)
        "lead_pk": order.lead_id if sees_lead(actor, order.lead_id) else None,
        "show_dealer": _shows_dealer(actor),
        "payments": [{"p": p, "provider": providers.label(p.provider)} for p in order.payments.all()],
        "refunds": refund_rows,
        "requested": requested,
        "declined": declined,
        "delivery_updates": list(order.delivery_updates.all()),
        "accessory": accessory,
        "accessory_next": _next_step(accessory.status) if accessory and _may_step(
            actor, accessory, actor.can("orders.accessories_supply")) else None,
        "accessory_next_label": AccessoryStatus(_next_step(accessory.status)).label
        if accessory and _next_step(accessory.status) else "",
        "rewards": list(order.rewards.all()),
        "steps": steps,
    }
    active = status in (OrderStatus.PAID, OrderStatus.VISITED, OrderStatus.CONTRACTED, OrderStatus.DELIVERED)
    if dealer_side and (active or "delivery_update" in failed):
        context["delivery_update_form"] = pick("delivery_update", lambda: DeliveryUpdateForm(auto_id="du-%s"))
    if dealer_side and (status == OrderStatus.DELIVERED or "remind" in failed):
        context["remind_form"] = pick("remind", lambda: EmptyForm(auto_id="rm-%s"))
    if dealer_side and order.edition_id and accessory is None and (
            status in (OrderStatus.CONTRACTED, OrderStatus.DELIVERED) or "accessories" in failed):
        days = order.edition.package.lead_time_days
        context["accessory_form"] = pick("accessories", lambda: AccessoryForm(lead_time_days=days, auto_id="acc-%s"))
        context["accessory_package"] = order.edition.package
    if requested is not None and dealer_side and actor.can("orders.refund_confirm", dealer=order.dealer):
        context["decide_form"] = pick("decide", lambda: RefundDecideForm(
            initial={"cancelled_by": CancelledBy.CONSUMER}, auto_id="rd-%s"))
    if declined is not None and may_review(actor, order):
        context["review_form"] = pick("review", lambda: RefundReviewForm(auto_id="rv-%s"))
        context["may_confirm_decline"] = actor.can("orders.refund_review")
    # a refusal whose form the page no longer shows (the refund was decided meanwhile, say)
    context["orphan_errors"] = [str(e) for key, form in failed.items() if key not in shown
                                for errors in form.errors.values() for e in errors]
    return context


@staff_view("orders.view")
def order_detail(request: HttpRequest, pk: int) -> HttpResponse:
    order = _order_for(request, pk)
    context = _order_context(request, order)
    if _htmx(request):
        return render(request, "console/orders/detail.html#body", context)
    return render(request, "console/orders/detail.html", context)


def _respond(request: HttpRequest, order_pk: int, *, key: str, form: forms.Form, done: bool,
             notice: str) -> HttpResponse:
    """After an action: the page's body for htmx, a redirect (or the page with the form's errors)."""
    if done and not _htmx(request):
        messages.success(request, notice)
        return redirect("console:order_detail", pk=order_pk)
    order = _order_for(request, order_pk)  # fresh, after the service's changes
    context = _order_context(request, order, failed=None if done else {key: form}, notice=notice if done else "")
    if _htmx(request):
        return render(request, "console/orders/detail.html#body", context)
    return render(request, "console/orders/detail.html", context)


def _order_action(request: HttpRequest, pk: int, *, key: str, form: forms.Form,
                  run: Callable[[Order, dict[str, Any]], Any], notice: str) -> HttpResponse:
    order = _order_for(request, pk)
    done = form.is_valid() and _call(form, lambda: run(order, form.cleaned_data))
    return _respond(request, order.pk, key=key, form=form, done=done, notice=notice)


@require_POST
@staff_view("orders.dealer")
def order_step(request: HttpRequest, pk: int) -> HttpResponse:
    step = request.POST.get("step", "")
    form = OrderStepForm(request.POST, step=step if step in OrderStepForm.FIELDS else None,
                         auto_id=f"st-{step if step in OrderStepForm.FIELDS else 'visited'}-%s")

    def run(order: Order, d: dict[str, Any]) -> Any:
        return order_record_step(actor=request.actor, order=order, step=d["step"],
                                 contract_value=d.get("contract_value"), balance_paid=d.get("balance_paid"),
                                 delivery_mode=d.get("delivery_mode") or None, vin=d.get("vin") or "",
                                 plate=d.get("plate") or "")

    return _order_action(request, pk, key=f"step:{form.step_key}", form=form, run=run, notice=_("Step recorded."))


@require_POST
@staff_view("orders.dealer")
def order_delivery_update_add(request: HttpRequest, pk: int) -> HttpResponse:
    return _order_action(request, pk, key="delivery_update", form=DeliveryUpdateForm(request.POST, auto_id="du-%s"),
                         run=lambda order, d: order_delivery_update(actor=request.actor, order=order, text=d["text"]),
                         notice=_("Update added: the buyer sees it on the order page."))


@require_POST
@staff_view("orders.dealer")
def order_remind(request: HttpRequest, pk: int) -> HttpResponse:
    return _order_action(request, pk, key="remind", form=EmptyForm(request.POST, auto_id="rm-%s"),
                         run=lambda order, d: order_remind_receipt(actor=request.actor, order=order),
                         notice=_("Reminder sent to the buyer."))


@require_POST
@staff_view("orders.dealer")
def order_accessories(request: HttpRequest, pk: int) -> HttpResponse:
    return _order_action(request, pk, key="accessories", form=AccessoryForm(request.POST, auto_id="acc-%s"),
                         run=lambda order, d: accessory_order_place(actor=request.actor, order=order,
                                                                    promised_on=d["promised_on"]),
                         notice=_("Accessory package ordered."))


@require_POST
@staff_view("orders.refund_confirm")
def refund_decide(request: HttpRequest, pk: int) -> HttpResponse:
    refund = _refund_for(request, pk)
    form = RefundDecideForm(request.POST, auto_id="rd-%s")
    done = False
    approve = request.POST.get("decision") == "approve"
    if form.is_valid():
        d = form.cleaned_data
        done = _call(form, lambda: refund_dealer_decide(
            actor=request.actor, refund=refund, approve=d["decision"] == "approve", note=d["note"],
            cancelled_by=d["cancelled_by"] or CancelledBy.CONSUMER))
    notice = (_("Refund approved: customer service sends it to the buyer.") if approve
              else _("Refund declined."))
    return _respond(request, refund.order_id, key="decide", form=form, done=done, notice=notice)


@require_POST
@staff_view("orders.view")
def refund_review_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Customer service overrules a dealer's decline or confirms it (the service says who may)."""
    refund = _refund_for(request, pk)
    form = RefundReviewForm(request.POST, auto_id="rv-%s")
    done = False
    approve = request.POST.get("decision") == "approve"
    if form.is_valid():
        d = form.cleaned_data
        done = _call(form, lambda: refund_review(actor=request.actor, refund=refund, approve=d["decision"] == "approve",
                                                 note=d["note"]))
    notice = (_("Refund approved: the buyer is told; send it to the payment provider.") if approve
              else _("Decline confirmed: the buyer is told why."))
    return _respond(request, refund.order_id, key="review", form=form, done=done, notice=notice)


@require_POST
@staff_view("orders.refund_execute")
def refund_run(request: HttpRequest, pk: int) -> HttpResponse:
    refund = _refund_for(request, pk)
    form = EmptyForm(request.POST, auto_id=f"ex{pk}-%s")
    done = form.is_valid() and _call(form, lambda: refund_execute(actor=request.actor, refund=refund))
    return _respond(request, refund.order_id, key=f"execute:{refund.pk}", form=form, done=done,
                    notice=_("Refund sent to the payment provider."))


@require_POST
@staff_view("orders.view")
def accessory_step(request: HttpRequest, pk: int) -> HttpResponse:
    """The part order's next step (HQ: confirmed, shipped; the dealer: arrived, installed)."""
    accessory = get_for_actor(AccessoryOrder.objects.select_related("order"), request.actor, pk=pk)
    form = EmptyForm(request.POST, auto_id="accs-%s")
    to = request.POST.get("to", "")
    done = _call(form, lambda: accessory_advance(actor=request.actor, accessory=accessory, to=to))
    if request.POST.get("from") == "list" and not _htmx(request):
        if done:
            messages.success(request, _("Accessory order updated."))
        else:
            for error in form.non_field_errors():
                messages.error(request, error)
        return redirect("console:accessory_list")
    return _respond(request, accessory.order_id, key="accessory_step", form=form, done=done,
                    notice=_("Accessory order updated."))


@staff_view("orders.accessories_supply")
def accessory_list(request: HttpRequest) -> HttpResponse:
    """Every part order with its status, for HQ (or the parts supplier) who confirm and ship them;
    a dealer follows its own on each order's page."""
    status = request.GET.get("status", "")
    rows = accessory_orders(request.actor, status=status)
    if wants_export(request):
        return export_list(request, "accessories", rows)
    supplies = request.actor.can("orders.accessories_supply")
    page = paginate(request, rows)
    items = [{"a": a, "next": _next_step(a.status), "may": _may_step(request.actor, a, supplies)} for a in page]
    return render(request, "console/orders/accessories.html", {
        "items": items, "page": page, "status": status, "statuses": AccessoryStatus.choices,
        "show_dealer": _shows_dealer(request.actor), "qs": querystring_without_page(request)})


def _next_step(status: str) -> str | None:
    return next((to for to, (before, _side) in ACCESSORY_STEPS.items() if before == status), None)


def _may_step(actor: Actor, accessory: AccessoryOrder, supplies: bool) -> bool:
    nxt = _next_step(accessory.status)
    if nxt is None:
        return False
    side = ACCESSORY_STEPS[nxt][1]
    return supplies if side == "hq" else (not actor.is_hq and actor.can("orders.dealer", dealer=accessory.order.dealer))



# --- vouchers and gifts (CMP-7) ------------------------------------------------------------------


class RedeemForm(forms.Form):
    code = forms.CharField(label=_("Voucher or card code"), max_length=40)


@staff_view("orders.view")
def reward_list(request: HttpRequest) -> HttpResponse:
    """The vouchers and cards issued to buyers: redeem one by its code (the dealer), follow and export
    them (finance)."""
    from autodcc.console.downloads import xlsx_download
    from autodcc.core import tabular
    from autodcc.orders.services import rewards as reward_rules

    status = request.GET.get("status", "")
    found = reward_rules.rewards_for(request.actor, status if status in ("open", "redeemed", "expired") else "")
    if request.GET.get("format") == "xlsx":
        header = [_("Code"), _("Kind"), _("Value"), _("Order"), _("Dealer"), _("Issued"), _("Valid until"),
                  _("Redeemed"), _("Redeemed by")]
        return xlsx_download(request, tabular.xlsx_bytes(_("Vouchers"), header, reward_rules.rows(found)),
                             f"vouchers-{timezone.localdate().isoformat()}.xlsx", what="orders.rewards")
    may_redeem = request.actor.can("orders.dealer") and not request.actor.is_hq
    form = RedeemForm(request.POST or None)
    if request.method == "POST":
        if not may_redeem:
            raise PermissionDenied
        if form.is_valid():
            reward = run_service(form, lambda: reward_rules.reward_redeem(actor=request.actor,
                                                                          code=form.cleaned_data["code"]))
            if reward is not None:
                messages.success(request, _("%(label)s %(code)s (¥%(value)s) redeemed for order %(order)s.") % {
                    "label": reward.label, "code": reward.code, "value": reward.value, "order": reward.order.number})
                return redirect("console:reward_list")
    return render(request, "console/orders/rewards.html", {
        "page": paginate(request, found), "form": form if may_redeem else None, "status": status,
        "today": timezone.localdate(), "show_dealer": request.actor.is_hq or bool(request.actor.region_ids)})
