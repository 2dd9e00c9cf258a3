"""``manage.py verify_draw CODE ROUND`` (a round on file) or ``manage.py verify_draw FILE.json`` (a
round's published data): recompute its winners by the published rule."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from autodcc.campaigns import drawrule


class Command(BaseCommand):
    help = "Check a launch-day draw against its commitment, entry list and published rule."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("source", help="a campaign code, or the path of a round's JSON")
        parser.add_argument("round", nargs="?", type=int)

    def handle(self, *args: Any, **options: Any) -> None:
        if options["round"] is None:
            with open(options["source"], encoding="utf-8") as f:
                data = json.load(f)
        else:
            from autodcc.campaigns import draw
            from autodcc.campaigns.models import DrawRound

            found = DrawRound.objects.select_related("campaign").filter(
                campaign__code=options["source"].upper(), number=options["round"]).first()
            if found is None:
                raise CommandError("no such round")
            data = draw.public(found)
        if "seed" not in data:
            raise CommandError("the round has not been drawn yet")
        problems = drawrule.verify(data)
        if problems:
            raise CommandError("; ".join(problems))
        self.stdout.write(f"OK: round {data['round']}: commitment, entry list and winners {data['winners']} check out")
