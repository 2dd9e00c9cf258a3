from __future__ import annotations

from typing import Any

from autodcc.core.actors import Actor, Grant
from autodcc.network.models import Staff


def actor_for_staff(staff: Staff) -> Actor:
    return Actor(
        kind="staff",
        label=staff.name,
        user_id=staff.user_id,
        staff_id=staff.pk,
        grants=tuple(Grant(g.role, g.dealer_id, g.region_id) for g in staff.grants.all()),
        is_superuser=staff.user.is_superuser,
    )


def actor_for_user(user: Any) -> Actor:
    """The actor for a logged-in user: their staff grants, or a superuser with none."""
    staff = Staff.objects.filter(user=user).prefetch_related("grants").select_related("user").first()
    if staff is not None and user.is_active:
        return actor_for_staff(staff)
    return Actor(kind="staff", label=user.get_username(), user_id=user.pk, is_superuser=user.is_superuser)


def actor_for_token(token: Any) -> Actor:
    """A dealer's token reads and captures that dealer's leads; a partner's token only captures."""
    from autodcc.core.roles import API_DEALER

    grants = (Grant(API_DEALER, token.dealer_id, None),) if token.dealer_id else ()
    return Actor(kind="api", label=f"API: {token.name}", grants=grants)
