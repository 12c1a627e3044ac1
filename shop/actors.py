"""Who acts: a staff user, an API client (its key's label), or the system (jobs, callbacks)."""

from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model

SYSTEM = "system"


@dataclass(frozen=True)
class Actor:
    user: Any  # the staff user, or None for API clients and the system
    label: str  # the username, "api:<key name>", "storefront", or "system"

    @classmethod
    def of(cls, actor) -> "Actor":
        """The Actor for a staff user, an Actor, a label, or None (the system)."""
        if isinstance(actor, Actor):
            return actor
        if isinstance(actor, get_user_model()):
            return cls(user=actor, label=actor.get_username())
        return cls(user=None, label=str(actor)[:150] if actor else SYSTEM)

    @property
    def is_staff(self) -> bool:
        return self.user is not None
