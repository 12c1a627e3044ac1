"""The message inbox (客户留言): messages from the storefront, assignment, replies sent through the
customer's channel, status moves, and the SLA flag of the `complaint_sla` job.

The SLA check (`sla_flag_overdue`) is generic: any model with a received time and a flag field can use it
(after-sales complaints will).
"""

import hashlib
import json
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from customers.models import Customer, CustomerMessage, MessageReply
from customers.services.crm import check_assignee, outbound_deliver, outbound_queue
from customers.services.profile import customer_upsert, normalise_phone
from shop.audit import record
from shop.errors import DomainError, RuleRefused
from shop.hooks import hook_answers
from shop.selectors import store_settings
from shop.services import notify
from shop.state import StateMachine

S = CustomerMessage.Status
SUBJECT_MAX = 200
TEXT_MAX = 5000
REPLY_MAX = 2000
BULK_MAX = 500
CUSTOMER_SERVICE = "customer_service"

MESSAGE_MACHINE = StateMachine(
    transitions={
        "open": ((S.NEW, S.WAITING, S.RESOLVED), S.OPEN),
        "wait": ((S.NEW, S.OPEN), S.WAITING),
        "resolve": ((S.NEW, S.OPEN, S.WAITING), S.RESOLVED),
        "close": ((S.NEW, S.OPEN, S.WAITING, S.RESOLVED), S.CLOSED),
        "reply": ((S.NEW, S.OPEN, S.WAITING, S.RESOLVED), S.WAITING),
    },
    stamps={"resolve": "resolved_at", "close": "closed_at"},
    labels={
        "open": lambda: _("opened"),
        "wait": lambda: _("set to wait on the customer"),
        "resolve": lambda: _("resolved"),
        "close": lambda: _("closed"),
        "reply": lambda: _("replied to"),
    },
)
# The moves staff choose on the message page (reply and assign have their own forms).
STATUS_ACTIONS = {
    "open": gettext_lazy("Reopen"),
    "wait": gettext_lazy("Waiting on customer"),
    "resolve": gettext_lazy("Resolve"),
    "close": gettext_lazy("Close"),
}


def request_hash(payload) -> str:
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()


def _order_known(number) -> bool | None:
    """Whether an order with this number exists, as a later module (orders) answers it through its
    AppConfig hook `order_exists(number)`; None when no module answers (customers never imports orders)."""
    answers = hook_answers("order_exists", number)
    return any(answers) if answers else None


def _clean_message(phone, subject, text, order_number, email) -> dict:
    errors = {}
    if email:
        try:
            validate_email(email)
        except ValidationError:
            errors["email"] = _("Invalid email address.")
    try:
        phone = normalise_phone(phone)
    except DomainError as e:
        errors.update(e.data["fields"])
    subject = str(subject or "").strip()
    text = str(text or "").strip()
    order_number = str(order_number or "").strip()
    if not subject:
        errors["subject"] = _("This field is required.")
    elif len(subject) > SUBJECT_MAX:
        errors["subject"] = _("At most %(n)s characters.") % {"n": SUBJECT_MAX}
    if not text:
        errors["text"] = _("Write the message.")
    elif len(text) > TEXT_MAX:
        errors["text"] = _("At most %(n)s characters.") % {"n": TEXT_MAX}
    if len(order_number) > 32:
        errors["order_number"] = _("At most %(n)s characters.") % {"n": 32}
    elif order_number and _order_known(order_number) is False:
        errors["order_number"] = _("No order has the number %(n)s.") % {"n": order_number}
    if errors:
        raise DomainError(_("The message is not valid."), code="validation", fields=errors)
    return {"phone": phone, "subject": subject, "text": text, "order_number": order_number}


def _replay(scope, key, payload):
    if not key:
        return None
    found = CustomerMessage.objects.filter(idempotency_scope=scope, idempotency_key=key).first()
    if found is not None and found.request_hash != request_hash(payload or {}):
        raise RuleRefused(_("This Idempotency-Key was used with a different request."), code="idempotency_mismatch")
    return found


def message_receive(**kwargs) -> tuple[CustomerMessage, bool]:
    """Take a customer's message from the storefront; return (message, created). A retry with the same
    Idempotency-Key and body returns the first message; two racing ones write one (the loser replays)."""
    for attempt in range(2):
        try:
            return _message_receive(**kwargs)
        except IntegrityError:
            found = _replay(
                kwargs.get("idempotency_scope", ""), kwargs.get("idempotency_key", ""), kwargs.get("payload")
            )
            if found is not None:
                return found, False
            if attempt:  # the first message of a new customer racing another: the retry finds the customer
                raise
    raise AssertionError("unreachable")


@transaction.atomic(durable=True)
def _message_receive(
    *,
    phone,
    subject,
    text,
    order_number="",
    name="",
    email="",
    actor=None,
    idempotency_key="",
    idempotency_scope="",
    payload=None,
    now=None,
) -> tuple[CustomerMessage, bool]:
    key = str(idempotency_key or "")[:100]
    found = _replay(idempotency_scope, key, payload)
    if found is not None:
        return found, False
    email = str(email or "").strip()
    clean = _clean_message(phone, subject, text, order_number, email)
    name = str(name or "").strip()
    customer = Customer.objects.filter(phone=clean["phone"]).first()
    if customer is None or name:
        # A new customer without a name is known by their masked number until they order.
        name = name or f"{clean['phone'][:3]}****{clean['phone'][-4:]}"
        customer = customer_upsert(phone=clean["phone"], name=name, email=email or "")
    message = CustomerMessage.objects.create(
        customer=customer,
        subject=clean["subject"],
        text=clean["text"],
        order_number=clean["order_number"],
        created_at=now or timezone.now(),
        source=str(actor or "")[:150],
        idempotency_scope=idempotency_scope if key else "",
        idempotency_key=key,
        request_hash=request_hash(payload or {}) if key else "",
    )
    record(actor, "customers.message_receive", message, after={"subject": message.subject, "customer": customer.pk})
    return message, True


def _locked(message) -> CustomerMessage:
    return CustomerMessage.objects.select_for_update().select_related("customer").get(pk=message.pk)


def _assign(message, actor, assignee) -> CustomerMessage:
    message = _locked(message)
    if message.status == S.CLOSED:
        raise DomainError(
            _("Message %(m)s is closed; it cannot be assigned.") % {"m": message.pk},
            code="illegal_transition",
            status=409,
        )
    check_assignee(assignee)
    before = {"assignee": str(message.assignee or ""), "status": message.status}
    message.assignee = assignee
    message.save(update_fields=["assignee"])
    if message.status == S.NEW and assignee is not None:
        MESSAGE_MACHINE.move(message, "open")
    record(
        actor,
        "customers.message_assign",
        message,
        before=before,
        after={"assignee": str(assignee or ""), "status": message.status},
    )
    if assignee is not None and assignee != actor:
        notify(
            users=[assignee],
            title=_("A customer message was assigned to you: %(s)s") % {"s": message.subject[:80]},
            url=message.get_absolute_url(),
            kind="message_assigned",
        )
    return message


@transaction.atomic(durable=True)
def message_assign(*, message, actor, assignee) -> CustomerMessage:
    """Assign the message to a staff member (None: unassign); a new message becomes open."""
    return _assign(message, actor, assignee)


@transaction.atomic(durable=True)
def messages_assign(*, messages, actor, assignee) -> tuple[int, list[str]]:
    """Assign several messages at once (a bulk action): (how many, the refusals)."""
    check_assignee(assignee)
    done, refused = 0, []
    for message in list(messages.order_by("pk")[:BULK_MAX]):
        if message.status == S.CLOSED:
            refused.append(_("Message %(m)s is closed; it cannot be assigned.") % {"m": message.pk})
            continue
        _assign(message, actor, assignee)
        done += 1
    return done, refused


@transaction.atomic(durable=True)
def message_move(*, message, actor, action) -> CustomerMessage:
    """Move the message to another status (reopen, wait on the customer, resolve, close)."""
    if action not in STATUS_ACTIONS:
        raise DomainError(_("Unknown action."), code="invalid_action")
    message = _locked(message)
    before = MESSAGE_MACHINE.move(message, action)
    record(actor, "customers.message_status", message, before={"status": before}, after={"status": message.status})
    return message


@transaction.atomic(durable=True)
def _reply_store(message, actor, text, channel) -> MessageReply:
    text = str(text or "").strip()
    if not text:
        raise DomainError(_("Write the reply."), code="text_required", fields={"text": _("Required.")})
    if len(text) > REPLY_MAX:
        message_text = _("At most %(n)s characters.") % {"n": REPLY_MAX}
        raise DomainError(message_text, code="text_too_long", fields={"text": message_text})
    message = _locked(message)
    MESSAGE_MACHINE.check(message, "reply")
    outbound = outbound_queue(customer=message.customer, text=text, channel=channel, purpose="reply")
    now = timezone.now()
    reply = MessageReply.objects.create(
        message=message, text=text, author=actor if getattr(actor, "pk", None) else None, outbound=outbound
    )
    message.first_reply_at = message.first_reply_at or now
    message.last_reply_at = now
    MESSAGE_MACHINE.move(message, "reply", fields=("first_reply_at", "last_reply_at"))
    record(
        actor,
        "customers.message_reply",
        message,
        after={"reply": reply.pk, "channel": outbound.channel, "to": outbound.to},
    )
    return reply


def message_reply(*, message, actor, text, channel="") -> MessageReply:
    """Store a reply in the thread and send it to the customer on their channel (or the one chosen).
    The reply is kept when the send fails; `reply.outbound` says how the send went."""
    reply = _reply_store(message, actor, text, channel)
    subject = _("Re: %(s)s") % {"s": reply.message.subject[:150]}
    reply.outbound = outbound_deliver(outbound=reply.outbound, subject=subject)
    return reply


# -- SLA -------------------------------------------------------------------------------------------------
def sla_flag_overdue(*, queryset, hours, now, notify_one, received_field="created_at", flag_field="sla_breached_at"):
    """Flag the rows of `queryset` received more than `hours` ago and not flagged yet, and call
    `notify_one(row)` for each, once: the flag is set by a guarded UPDATE, so a second run (or a racing
    one) finds nothing to do. Call it inside a transaction. Returns the flagged rows."""
    cutoff = now - timedelta(hours=hours)
    late = list(
        queryset.filter(**{f"{received_field}__lte": cutoff, f"{flag_field}__isnull": True}).order_by("pk")[:BULK_MAX]
    )
    flagged = []
    for row in late:
        if queryset.model.objects.filter(pk=row.pk, **{f"{flag_field}__isnull": True}).update(**{flag_field: now}):
            setattr(row, flag_field, now)
            notify_one(row)
            flagged.append(row)
    return flagged


def _notify_late(message) -> None:
    title = _("Customer message past its SLA: %(s)s") % {"s": message.subject[:80]}
    body = _("From %(c)s, received %(t)s, not answered yet.") % {
        "c": message.customer.name,
        "t": timezone.localtime(message.created_at).strftime("%Y-%m-%d %H:%M"),
    }
    if message.assignee is not None and message.assignee.is_active:
        notify(users=[message.assignee], title=title, body=body, url=message.get_absolute_url(), kind="sla")
    else:
        notify(role=CUSTOMER_SERVICE, title=title, body=body, url=message.get_absolute_url(), kind="sla")


@transaction.atomic(durable=True)
def messages_sla_check(*, now=None) -> int:
    """Flag the messages nobody answered within the store's complaint SLA and tell their assignee (or
    customer service) once (the `complaint_sla` job)."""
    now = now or timezone.now()
    hours = store_settings().complaint_sla_hours
    unanswered = CustomerMessage.objects.filter(status__in=(S.NEW, S.OPEN), first_reply_at__isnull=True).select_related(
        "customer", "assignee"
    )
    flagged = sla_flag_overdue(queryset=unanswered, hours=hours, now=now, notify_one=_notify_late)
    if flagged:
        record(None, "customers.message_sla", None, after={"messages": [m.pk for m in flagged], "hours": hours})
    return len(flagged)
