"""Demo test-drive cars: an S7 at every dealer, an X9 and an S5 at the key dealers."""

from autodcc.catalog.models import Trim
from autodcc.network.models import Dealer
from autodcc.testdrives.models import Vehicle


def build() -> int:
    trims = {t.code: t for t in Trim.objects.filter(code__in=["S7-LR", "X9-PHEV-P", "S5-LR"])}
    if len(trims) < 3:
        return 0
    created = 0
    for n, dealer in enumerate(Dealer.objects.filter(is_active=True).order_by("code")):
        wanted = [("S7-LR", "湖光蓝")] + ([("X9-PHEV-P", "星辰白"), ("S5-LR", "曜石黑")] if dealer.is_key else [])
        for code, colour in wanted:
            _vehicle, made = Vehicle.objects.get_or_create(dealer=dealer, trim=trims[code],
                                                           defaults={"colour": colour, "plate": f"试{n:03d}{code[:2]}"})
            created += made
    return created
