from __future__ import annotations

from decimal import Decimal

from django.http import HttpRequest
from ninja import Path, Router, Schema
from ninja.security import django_auth

from autodcc.api.errors import with_errors
from autodcc.core import geo
from autodcc.core.tenancy import get_for_actor
from autodcc.network import selectors
from autodcc.network.models import Dealer

router = Router(tags=["network"])


class CityOut(Schema):
    adcode: str
    name: str
    province: str
    lng: Decimal
    lat: Decimal


class DealerOut(Schema):
    id: int
    code: str
    name: str
    short_name: str
    region: str
    city_code: str
    city: str
    address: str
    phone: str
    opening_hours: str
    is_key: bool
    is_active: bool

    @staticmethod
    def from_dealer(d: Dealer) -> DealerOut:
        return DealerOut(id=d.pk, code=d.code, name=d.name, short_name=d.short_name, region=d.region.code,
                         city_code=d.city.adcode, city=d.city.name, address=d.address, phone=d.phone_display,
                         opening_hours=d.opening_hours_display, is_key=d.is_key, is_active=d.is_active)


@router.get("/cities/{code}", response=with_errors({200: CityOut}), auth=None)
def city(request: HttpRequest, code: str = Path(..., max_length=40)) -> CityOut:
    info = geo.lookup_city(code)
    return CityOut(adcode=info.adcode, name=info.name, province=info.province, lng=info.lng, lat=info.lat)


@router.get("/dealers", response=with_errors({200: list[DealerOut]}), auth=django_auth)
def dealers(request: HttpRequest) -> list[DealerOut]:
    return [DealerOut.from_dealer(d) for d in selectors.dealer_list(actor=request.actor)]


@router.get("/dealers/{dealer_id}", response=with_errors({200: DealerOut}), auth=django_auth)
def dealer(request: HttpRequest, dealer_id: int = Path(..., ge=1, le=2**62)) -> DealerOut:
    return DealerOut.from_dealer(get_for_actor(Dealer.objects.select_related("region", "city"), request.actor,
                                               pk=dealer_id))
