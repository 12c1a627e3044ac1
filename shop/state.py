"""The one state-machine helper: each model with a status declares its moves here once (DESIGN §2).

    MACHINE = StateMachine(transitions={"place": ((S.DRAFT,), S.ORDERED), ...}, stamps={"place": "ordered_at"})
    MACHINE.allows(po, "place")          # may it?
    before = MACHINE.move(po, "place")   # move a locked row, or raise IllegalTransition

`move` changes and saves the status (and the action's timestamp); the caller writes its own timeline or audit
entry from the returned previous status, inside the same transaction.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import gettext as _

from shop.errors import Conflict


class IllegalTransition(Conflict):
    code = "illegal_transition"


def _refusal(obj, action_label) -> str:
    return _("%(object)s is %(status)s; it cannot be %(action)s.") % {
        "object": obj,
        "status": obj.get_status_display(),
        "action": action_label,
    }


@dataclass(frozen=True)
class StateMachine:
    transitions: Mapping[str, tuple[tuple[str, ...], str]]  # action -> (states it may start from, its target)
    stamps: Mapping[str, str] = field(default_factory=dict)  # action -> the datetime field it sets
    labels: Mapping[str, Callable[[], str]] = field(default_factory=dict)  # action -> its label in a refusal
    refusal: Callable[[object, str], str] = _refusal  # (object, action label) -> the message
    # (object, action) -> further statuses this object may start the action from (e.g. cash on delivery)
    extra_sources: Callable[[object, str], tuple[str, ...]] = lambda _obj, _action: ()
    field: str = "status"

    def allows(self, obj, action: str) -> bool:
        """Whether the object's status lets this action happen."""
        return getattr(obj, self.field) in self.transitions[action][0] + self.extra_sources(obj, action)

    def allowed(self, obj) -> set[str]:
        """The actions the object's status allows."""
        return {action for action in self.transitions if self.allows(obj, action)}

    def sources(self, action: str) -> tuple[str, ...]:
        """The statuses this action may start from (for querysets: status__in=...)."""
        return self.transitions[action][0]

    def check(self, obj, action: str) -> None:
        """Raise IllegalTransition unless the object's status allows the action (before other work is done)."""
        if not self.allows(obj, action):
            label = self.labels[action]() if action in self.labels else action
            raise IllegalTransition(self.refusal(obj, label), status_now=getattr(obj, self.field))

    def move(self, obj, action: str, *, now=None, fields: tuple[str, ...] = ()) -> str:
        """Move a locked object along the machine, save it and return the status it had; or IllegalTransition."""
        self.check(obj, action)
        target = self.transitions[action][1]
        before = getattr(obj, self.field)
        setattr(obj, self.field, target)
        update = [self.field, *fields]
        if action in self.stamps:
            setattr(obj, self.stamps[action], now or timezone.now())
            update.append(self.stamps[action])
        obj.save(update_fields=update)
        return before
