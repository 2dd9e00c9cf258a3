"""Reads for the assistant's pages: the live queue, a conversation with the customer's leads and
orders beside it, the bank and the open questions."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery

from autodcc.assistant.models import Conversation, Entry, GapStatus, Message, OpenQuestion, Status
from autodcc.core.actors import Actor


def queue() -> dict[str, list[Conversation]]:
    last_sender = Message.objects.filter(conversation=OuterRef("pk")).order_by("-id").values("sender")[:1]
    base = (Conversation.objects.select_related("agent", "customer")
            .annotate(count=Count("messages"), last_sender=Subquery(last_sender)))
    return {
        "waiting": list(base.filter(status=Status.WAITING).order_by("handed_over_at")),
        "live": list(base.filter(status=Status.LIVE).order_by("handed_over_at")),
        "closed": list(base.filter(status=Status.CLOSED).order_by("-closed_at")[:20]),
    }


def conversations() -> QuerySet[Conversation]:
    """Every conversation handed over to a person (waiting, live or closed), the latest first."""
    return (Conversation.objects.exclude(handed_over_at=None).select_related("agent", "customer")
            .annotate(count=Count("messages")).order_by("-last_message_at", "-id"))


def customer_of(conversation: Conversation) -> Any:
    """The customer the conversation belongs to: linked, or known by the mobile given since."""
    if conversation.customer_id:
        return conversation.customer
    if conversation.phone:
        from autodcc.customers.models import Customer

        return Customer.objects.filter(phone=conversation.phone).first()
    return None


def beside(actor: Actor, conversation: Conversation) -> dict[str, Any]:
    """The customer, with the leads and orders ``actor`` may see."""
    from autodcc.leads.models import Lead
    from autodcc.orders.models import Order

    customer = customer_of(conversation)
    if customer is None:
        return {"customer": None, "leads": [], "orders": []}
    leads = (Lead.objects.visible_to(actor).filter(customer=customer).select_related("dealer", "agent")
             .order_by("-created_at")[:10])
    orders = (Order.objects.visible_to(actor).filter(customer=customer).select_related("dealer", "trim__model")
              .order_by("-created_at")[:10])
    return {"customer": customer, "leads": list(leads), "orders": list(orders)}


def conversations_of(customer: Any) -> QuerySet[Conversation]:
    return (Conversation.objects.filter(Q(customer=customer) | Q(customer__isnull=True, phone=customer.phone))
            .prefetch_related("messages").order_by("-started_at"))


def entries(*, q: str = "", category: str = "", active: str = "") -> QuerySet[Entry]:
    found = Entry.objects.all()
    if q:
        found = found.filter(Q(question__icontains=q) | Q(variants__icontains=q) | Q(answer__icontains=q))
    if category:
        found = found.filter(category=category)
    if active in ("yes", "no"):
        found = found.filter(is_active=active == "yes")
    return found.order_by("category", "question")


def open_questions() -> QuerySet[OpenQuestion]:
    return OpenQuestion.objects.filter(status=GapStatus.OPEN).order_by("-times", "-last_asked_at")
