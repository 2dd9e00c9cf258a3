"""The assistant's operations: a consumer asks (answered from the bank, or handed to a person),
customer service replies and closes, HQ keeps the bank. Every staff change is audited."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from autodcc.assistant import bank
from autodcc.assistant.matcher import key as question_key
from autodcc.assistant.models import (
    Category,
    Conversation,
    Entry,
    GapStatus,
    HandoverReason,
    Message,
    OpenQuestion,
    Sender,
    Status,
)
from autodcc.core import audit
from autodcc.core import phone as phones
from autodcc.core.actors import Actor
from autodcc.core.errors import DomainError, Forbidden, Invalid

MESSAGE_LIMIT = 500  # a consumer's message
REPLY_LIMIT = 2000  # an agent's reply
ANSWER_LIMIT = 4000
VARIANTS_LIMIT = 4000
LINKS_LIMIT = 2000
# a consumer asking for a person, in the words people use
PERSON = re.compile(r"人工|真人|活人|转接|找客服|要客服|接客服|转客服|客服在吗|找个人|有人吗")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def clean_text(text: str, *, limit: int) -> str:
    """A message as typed, or a refusal that says what to fix (never cut short silently)."""
    text = unicodedata.normalize("NFC", text or "").strip()
    if not text:
        raise DomainError("assistant.empty", field="text")
    if _CONTROL.search(text):
        raise DomainError("assistant.control_characters", field="text")
    if len(text) > limit:
        raise DomainError("assistant.too_long", field="text", length=len(text), limit=limit)
    return text


def conversation_start(*, phone: str = "") -> Conversation:
    conversation = Conversation.objects.create()
    if phone:
        _attach_phone(conversation, phone)
    return conversation


def _attach_phone(conversation: Conversation, e164: str) -> None:
    from autodcc.customers.models import Customer

    conversation.phone = e164
    conversation.customer = Customer.objects.filter(phone=e164).first()
    conversation.save(update_fields=["phone", "customer"])


def _add(conversation: Conversation, sender: str, text: str, **extra: Any) -> Message:
    message = Message.objects.create(conversation=conversation, sender=sender, text=text, **extra)
    Conversation.objects.filter(pk=conversation.pk).update(last_message_at=message.created_at)
    conversation.last_message_at = message.created_at
    return message


@dataclass
class Reply:
    messages: list[Message]
    handed_over: bool = False


@transaction.atomic
def ask(*, conversation: Conversation, text: str) -> Reply:
    """The consumer's message: answered from the bank when the assistant is sure; a request for a
    person, or a question it is not sure of, goes to the live queue. With a person already, the
    message waits for them."""
    text = clean_text(text, limit=MESSAGE_LIMIT)
    conversation = Conversation.objects.select_for_update().get(pk=conversation.pk)
    if conversation.status == Status.CLOSED:
        raise DomainError("assistant.closed")
    asked = _add(conversation, Sender.CONSUMER, text)
    if conversation.with_person:
        return Reply([asked])
    if PERSON.search(text):
        question = text if _asks_something(text) else _last_question(conversation)
        return Reply([asked, *_handover(conversation, HandoverReason.ASKED, question=question)], handed_over=True)
    matches = bank.best(text, limit=1)
    top = matches[0] if matches else None
    if top is not None and top.confidence >= bank.threshold():
        entry = Entry.objects.get(pk=top.entry_id)
        answer = _add(conversation, Sender.BOT, entry.answer, entry=entry, confidence=top.confidence)
        return Reply([asked, answer])
    asked.confidence = top.confidence if top else 0.0
    asked.save(update_fields=["confidence"])
    return Reply([asked, *_handover(conversation, HandoverReason.UNSURE, question=text)], handed_over=True)


def _asks_something(text: str) -> bool:
    """More than a call for a person (“转人工”, “有人吗”): a question worth keeping for the bank."""
    return len(re.sub(r"[\W_]+", "", PERSON.sub("", text))) >= 4


def _last_question(conversation: Conversation) -> str:
    """What the consumer asked before asking for a person (the answer did not help)."""
    last = (conversation.messages.filter(sender=Sender.CONSUMER).order_by("-id")
            .values_list("text", flat=True)[1:2])
    return last[0] if last else ""


def _handover(conversation: Conversation, reason: str, *, question: str) -> list[Message]:
    now = timezone.now()
    conversation.status = Status.WAITING
    conversation.handover_reason = reason
    conversation.handed_over_at = now
    conversation.save(update_fields=["status", "handover_reason", "handed_over_at"])
    if question and _asks_something(question):
        _remember_open_question(conversation, question, reason)
    if reason == HandoverReason.UNSURE:
        notice = _("I am not sure I can answer that well, so I have passed your question to customer service. "
                   "A person will reply here shortly (9:00–21:00 every day).")
    else:
        notice = _("You are now in the queue for customer service; a person will reply here shortly "
                   "(9:00–21:00 every day).")
    if not conversation.phone:
        notice += " " + _("If you may leave the page, give your mobile number below and we will call you back.")
    audit.record(actor=Actor(kind="consumer", label="storefront"), action="assistant.handover", obj=conversation,
                 after={"status": conversation.status, "reason": reason})
    return [_add(conversation, Sender.SYSTEM, notice)]


def _remember_open_question(conversation: Conversation, question: str, reason: str) -> None:
    key = question_key(question)
    now = timezone.now()
    updated = OpenQuestion.objects.filter(key=key, status=GapStatus.OPEN).update(
        times=F("times") + 1, last_asked_at=now)
    if not updated:
        OpenQuestion.objects.create(key=key, text=question[:500], reason=reason, conversation=conversation,
                                    first_asked_at=now, last_asked_at=now)


@transaction.atomic
def ask_for_person(*, conversation: Conversation) -> Reply:
    """The consumer pressed “talk to a person”."""
    conversation = Conversation.objects.select_for_update().get(pk=conversation.pk)
    if conversation.status == Status.CLOSED:
        raise DomainError("assistant.closed")
    if conversation.with_person:
        return Reply([])
    return Reply(_handover(conversation, HandoverReason.ASKED, question=_last_question_any(conversation)),
                 handed_over=True)


def _last_question_any(conversation: Conversation) -> str:
    last = conversation.messages.filter(sender=Sender.CONSUMER).order_by("-id").values_list("text", flat=True)[:1]
    return last[0] if last else ""


@transaction.atomic
def give_phone(*, conversation: Conversation, phone: str) -> Conversation:
    """The consumer's mobile, so that customer service can call back and the conversation is kept
    on the customer."""
    e164 = phones.normalize_mobile(phone)
    conversation = Conversation.objects.select_for_update().get(pk=conversation.pk)
    _attach_phone(conversation, e164)
    _add(conversation, Sender.SYSTEM, _("Thank you: customer service may call you back on %(phone)s.")
         % {"phone": phones.mask(e164)})
    return conversation


# --- customer service ------------------------------------------------------------------------


def _require_agent(actor: Actor) -> None:
    if not actor.can("assistant.handle"):
        raise Forbidden("forbidden")


@transaction.atomic
def agent_reply(*, actor: Actor, conversation: Conversation, text: str) -> Message:
    _require_agent(actor)
    text = clean_text(text, limit=REPLY_LIMIT)
    conversation = Conversation.objects.select_for_update().get(pk=conversation.pk)
    if conversation.status == Status.CLOSED:
        raise DomainError("assistant.closed")
    before = audit.snapshot(conversation, ["status", "agent"])
    conversation.status = Status.LIVE
    if conversation.handed_over_at is None:
        conversation.handed_over_at = timezone.now()
    if actor.staff_id and conversation.agent_id is None:
        conversation.agent_id = actor.staff_id
    conversation.save(update_fields=["status", "agent", "handed_over_at"])
    message = _add(conversation, Sender.AGENT, text, staff_id=actor.staff_id)
    audit.record(actor=actor, action="assistant.reply", obj=conversation, before=before,
                 after={**audit.snapshot(conversation, ["status", "agent"]), "note": text[:200]})
    return message


@transaction.atomic
def conversation_close(*, actor: Actor, conversation: Conversation) -> Conversation:
    _require_agent(actor)
    conversation = Conversation.objects.select_for_update().get(pk=conversation.pk)
    if conversation.status == Status.CLOSED:
        return conversation
    before = audit.snapshot(conversation, ["status"])
    conversation.status = Status.CLOSED
    conversation.closed_at = timezone.now()
    conversation.save(update_fields=["status", "closed_at"])
    _add(conversation, Sender.SYSTEM, _("Customer service has closed this conversation. Ask again any time."))
    audit.record(actor=actor, action="assistant.close", obj=conversation, before=before,
                 after=audit.snapshot(conversation, ["status"]))
    return conversation


# --- the bank --------------------------------------------------------------------------------

AUDITED = ("question", "variants", "answer", "links", "category", "is_active")  # what HQ edits
LINK = re.compile(r"^(?:.+\s)?(?:/[^\s]*|https://[^\s]+)$")


def _require_manager(actor: Actor) -> None:
    if not actor.can("assistant.manage"):
        raise Forbidden("forbidden")


def _check(entry: Entry) -> None:
    errors: list[DomainError] = []
    entry.question = (entry.question or "").strip()
    entry.answer = (entry.answer or "").strip()
    entry.variants = "\n".join(v.strip() for v in (entry.variants or "").splitlines() if v.strip())
    entry.links = "\n".join(v.strip() for v in (entry.links or "").splitlines() if v.strip())
    if not entry.question:
        errors.append(DomainError("assistant.question_missing", field="question"))
    if not entry.answer:
        errors.append(DomainError("assistant.answer_missing", field="answer"))
    for name, label, limit in (("question", _("Question"), 200), ("answer", _("Answer"), ANSWER_LIMIT),
                               ("variants", _("Other wordings"), VARIANTS_LIMIT), ("links", _("Links"), LINKS_LIMIT)):
        value = getattr(entry, name)
        if _CONTROL.search(value):
            errors.append(DomainError("text.control_characters", field=name, label=label))
        elif len(value) > limit:
            errors.append(DomainError("assistant.field_too_long", field=name, label=label, length=len(value),
                                      limit=limit))
    for n, line in enumerate(entry.links.splitlines(), start=1):
        if not LINK.match(line) or "javascript:" in line.lower():
            errors.append(DomainError("assistant.link_invalid", field="links", line=n, value=line[:60]))
    if entry.category not in Category.values:
        entry.category = Category.BUYING
    if errors:
        raise Invalid(errors)


@transaction.atomic
def entry_save(*, actor: Actor, entry: Entry, from_question: OpenQuestion | None = None) -> Entry:
    """Create or change a bank entry; the index is built again on the next question."""
    _require_manager(actor)
    _check(entry)
    before = audit.snapshot(Entry.objects.select_for_update().get(pk=entry.pk), AUDITED) if entry.pk else None
    entry.updated_by = actor.label[:150]
    entry.save()
    after = audit.snapshot(entry, AUDITED)
    if before is None or audit.changed(before, after):
        audit.record(actor=actor, action="assistant.entry_update" if before else "assistant.entry_create", obj=entry,
                     before=before, after=after)
    if from_question is not None and from_question.status == GapStatus.OPEN:
        OpenQuestion.objects.filter(pk=from_question.pk).update(status=GapStatus.ADDED, entry=entry,
                                                                reviewed_by=actor.label[:150])
    return entry


@transaction.atomic
def question_dismiss(*, actor: Actor, question: OpenQuestion) -> OpenQuestion:
    _require_manager(actor)
    if question.status != GapStatus.OPEN:
        return question
    question.status = GapStatus.DISMISSED
    question.reviewed_by = actor.label[:150]
    question.save(update_fields=["status", "reviewed_by"])
    audit.record(actor=actor, action="assistant.question_dismiss", obj=question, after={"status": question.status})
    return question


def bank_load(*, actor: Actor, rows: list[dict[str, Any]] | None = None) -> int:
    """The shipped bank (or ``rows`` in its shape), entry by entry by code; entries already there
    are left as HQ keeps them. Returns how many were added."""
    rows = bank.shipped_bank() if rows is None else rows
    have = set(Entry.objects.exclude(code="").values_list("code", flat=True))
    added = 0
    for row in rows:
        if row["code"] in have:
            continue
        entry = Entry(code=row["code"], category=row["category"], question=row["question"],
                      variants="\n".join(row.get("variants", [])), answer=row["answer"],
                      links="\n".join(f"{title} {url}" for title, url in row.get("links", [])))
        entry_save(actor=actor, entry=entry)
        added += 1
    return added
