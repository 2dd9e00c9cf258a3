"""The demo's question bank (the shipped one) and a conversation waiting for customer service.
Re-runnable: entries are keyed by code, the conversation is made once."""

from __future__ import annotations

from autodcc.assistant import services
from autodcc.assistant.models import Conversation
from autodcc.core.actors import Actor


def build() -> int:
    actor = Actor(kind="system", label="demo")
    added = services.bank_load(actor=actor)
    if not Conversation.objects.exists():
        conversation = services.conversation_start()
        services.ask(conversation=conversation, text="订金交了以后还能退吗")
        services.ask(conversation=conversation, text="你们S7的车机能装抖音吗")
    return added
