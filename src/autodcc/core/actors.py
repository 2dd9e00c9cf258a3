"""Who is acting: a staff member with role grants, the system, or a consumer.

Every service takes an explicit ``actor``. Web requests get one from
:class:`autodcc.core.middleware.ActorMiddleware`; tasks and commands use :data:`SYSTEM`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from autodcc.core.roles import CAPABILITIES, HQ_ROLES, ROLE_SCOPE, Scope


@dataclass(frozen=True, slots=True)
class Grant:
    role: str
    dealer_id: int | None = None
    region_id: int | None = None

    @property
    def scope(self) -> str:
        return ROLE_SCOPE[self.role]


@dataclass(frozen=True)
class Actor:
    kind: str  # "staff", "system", "consumer", "anonymous"
    label: str
    user_id: int | None = None
    staff_id: int | None = None
    grants: tuple[Grant, ...] = ()
    is_superuser: bool = False
    dealer_ids: frozenset[int] = field(init=False)
    region_ids: frozenset[int] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(
            self, "dealer_ids", frozenset(g.dealer_id for g in self.grants if g.dealer_id is not None)
        )
        object.__setattr__(
            self, "region_ids", frozenset(g.region_id for g in self.grants if g.region_id is not None)
        )

    # --- who ---------------------------------------------------------------------------------
    @property
    def is_staff(self) -> bool:
        return self.kind == "staff"

    @property
    def is_hq(self) -> bool:
        """Sees every dealer: HQ roles, superusers and the system."""
        return self.kind == "system" or self.is_superuser or any(g.role in HQ_ROLES for g in self.grants)

    @property
    def roles(self) -> frozenset[str]:
        return frozenset(g.role for g in self.grants)

    def has_role(self, *roles: str) -> bool:
        return any(g.role in roles for g in self.grants)

    def roles_at(self, dealer_id: int) -> frozenset[str]:
        return frozenset(g.role for g in self.grants if g.dealer_id == dealer_id)

    # --- what --------------------------------------------------------------------------------
    def can(self, capability: str, *, dealer: Any = None) -> bool:
        """May this actor use ``capability``, anywhere (no dealer) or at ``dealer``?

        ``dealer`` is any object with ``id`` and ``region_id`` (a Dealer row).
        """
        if capability not in CAPABILITIES:
            raise KeyError(f"unknown capability {capability!r}")
        if self.kind == "system" or self.is_superuser:
            return True
        allowed = CAPABILITIES[capability]
        for grant in self.grants:
            if grant.role not in allowed:
                continue
            if dealer is None or grant.scope == Scope.HQ:
                return True
            if grant.scope == Scope.REGION and grant.region_id == dealer.region_id:
                return True
            if grant.scope == Scope.DEALER and grant.dealer_id == dealer.id:
                return True
        return False

    def sees_dealer(self, dealer: Any) -> bool:
        return self.is_hq or dealer.id in self.dealer_ids or dealer.region_id in self.region_ids


SYSTEM = Actor(kind="system", label="system")
ANONYMOUS = Actor(kind="anonymous", label="anonymous")


def consumer(label: str) -> Actor:
    """A consumer acting on the storefront (identified by phone or order, not by login)."""
    return Actor(kind="consumer", label=label)
