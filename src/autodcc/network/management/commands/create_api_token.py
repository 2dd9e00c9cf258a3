from typing import Any

from django.core.management.base import BaseCommand, CommandError

from autodcc.core.actors import SYSTEM
from autodcc.network.models import Dealer
from autodcc.network.services import api_token_create


class Command(BaseCommand):
    help = "Create an API key for a channel partner (--channel) or a dealer (--dealer CODE). Prints the key once."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("name")
        parser.add_argument("--dealer", default="")
        parser.add_argument("--channel", default="")

    def handle(self, *args: Any, name: str, dealer: str, channel: str, **options: Any) -> None:
        found = None
        if dealer:
            found = Dealer.objects.filter(code__iexact=dealer).first()
            if found is None:
                raise CommandError(f"unknown dealer {dealer}")
        token, raw = api_token_create(actor=SYSTEM, name=name, dealer=found, channel=channel)
        self.stdout.write(f"{token.name}: {raw}")
