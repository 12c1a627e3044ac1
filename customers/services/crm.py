"""CRM use cases: interaction notes and their follow-up reminders, and every text sent to a customer.

Sending is two steps so that no provider is called inside a transaction: `outbound_queue` writes the
OutboundMessage row (queued) in the caller's transaction, `outbound_deliver` calls the channel after it and
records the answer (sent with the provider's id, or failed with the reason). `customer_text_send` does both.
"""

from datetime import timedelta
from functools import partial

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from customers import channels
from customers.models import Customer, InteractionNote, MemberTier, OutboundMessage
from shop.audit import audited_save, record
from shop.errors import Conflict, DomainError
from shop.selectors import staff_with_perm
from shop.services import notify

NOTE_MAX = 2000
TEXT_MAX = 2000
REMINDER_BATCH = 500
PAST_GRACE = timedelta(minutes=5)  # a follow-up typed "now" on a slow form is not in the past


# -- staff ------------------------------------------------------------------------------------------------
def assignable_staff():
    """Active staff who may work the customer inbox and follow-ups (their role may change messages)."""
    return staff_with_perm("customers.change_customermessage")


def check_assignee(user, field="assignee"):
    """The user, when they may be assigned customer work; else a DomainError on `field`."""
    if user is None:
        return None
    if not assignable_staff().filter(pk=user.pk).exists():
        message = _("%(u)s cannot be assigned customer work.") % {"u": user.get_username()}
        raise DomainError(message, code="invalid_assignee", fields={field: message})
    return user


# -- outbound texts ---------------------------------------------------------------------------------------
@transaction.atomic
def outbound_queue(*, customer, text, channel="", purpose="") -> OutboundMessage:
    """Write the text to the customer as a queued OutboundMessage on their channel (SMS, else email)."""
    text = str(text or "").strip()
    if not text:
        raise DomainError(_("Write the text to send."), code="text_required", fields={"text": _("Required.")})
    if len(text) > TEXT_MAX:
        message = _("At most %(n)s characters.") % {"n": TEXT_MAX}
        raise DomainError(message, code="text_too_long", fields={"text": message})
    chosen = channels.channel_for(customer, channel)
    to = chosen.address_of(customer)
    row = OutboundMessage(customer=customer, channel=chosen.code, to=to, text=text, purpose=purpose[:40])
    if not to:
        row.status = OutboundMessage.Status.FAILED
        row.error = _("The customer has no email address.") if chosen.code == channels.EMAIL else _("No mobile number.")
    row.save()
    return row


def outbound_deliver(*, outbound, subject="") -> OutboundMessage:
    """Send a queued text through its channel (outside any lock) and record the provider's answer."""
    if outbound.status != OutboundMessage.Status.QUEUED:
        return outbound
    try:
        result = channels.channel_named(outbound.channel).send(to=outbound.to, text=outbound.text, subject=subject)
    except Exception as e:  # a broken adapter is a failed send, never a lost row or a 500
        result = channels.SendResult("failed", outbound.channel, error=(str(e) or e.__class__.__name__)[:300])
    with transaction.atomic():
        OutboundMessage.objects.filter(pk=outbound.pk, status=OutboundMessage.Status.QUEUED).update(
            status=result.status,
            provider=result.provider[:60],
            provider_id=result.provider_id[:200],
            error=result.error[:300],
            sent_at=timezone.now() if result.ok else None,
        )
    outbound.refresh_from_db()
    return outbound


def customer_text_send(*, customer, text, channel="", subject="", purpose="") -> OutboundMessage:
    """Send a text to the customer on their channel; the OutboundMessage says whether it went out."""
    outbound = outbound_queue(customer=customer, text=text, channel=channel, purpose=purpose)
    return outbound_deliver(outbound=outbound, subject=subject)


def tier_change_notify(*, customer_id, from_tier_id, to_tier_id) -> OutboundMessage | None:
    """Tell the customer by text that their member tier went up (a downgrade sends nothing)."""
    customer = Customer.objects.filter(pk=customer_id).first()
    to_tier = MemberTier.objects.filter(pk=to_tier_id).first() if to_tier_id else None
    from_tier = MemberTier.objects.filter(pk=from_tier_id).first() if from_tier_id else None
    if customer is None or to_tier is None or (from_tier is not None and from_tier.rank >= to_tier.rank):
        return None
    from django.conf import settings

    with translation.override(settings.LANGUAGE_CODE):  # the customer reads the store's language
        text = _("Your membership tier has been upgraded to %(tier)s.") % {"tier": to_tier.name}
        subject = _("Your membership tier")
    repeat = OutboundMessage.objects.filter(
        customer=customer, purpose="tier_change", text=text, created_at__gte=timezone.now() - timedelta(hours=1)
    ).first()
    if repeat is not None:  # the task ran twice (a retry after a lost acknowledgement): one text
        return repeat
    try:
        return customer_text_send(customer=customer, text=text, subject=subject, purpose="tier_change")
    except DomainError:  # no channel to reach them: nothing to send
        return None


# -- interaction notes ------------------------------------------------------------------------------------
@transaction.atomic(durable=True)
def note_add(*, customer, actor, kind, text, follow_up_at=None, assignee=None) -> InteractionNote:
    """Note a contact with the customer; a follow-up time reminds the assignee (default: the author)."""
    text = str(text or "").strip()
    if not text:
        raise DomainError(_("Write the note."), code="text_required", fields={"text": _("Required.")})
    if len(text) > NOTE_MAX:
        message = _("At most %(n)s characters.") % {"n": NOTE_MAX}
        raise DomainError(message, code="text_too_long", fields={"text": message})
    if kind not in InteractionNote.Kind.values:
        raise DomainError(_("Choose the kind of contact."), code="invalid_kind", fields={"kind": _("Invalid.")})
    if follow_up_at is not None and follow_up_at < timezone.now() - PAST_GRACE:
        message = _("A follow-up cannot be in the past.")
        raise DomainError(message, code="follow_up_past", fields={"follow_up_at": message})
    author = actor if isinstance(actor, get_user_model()) else None
    if assignee is None and follow_up_at is not None:
        assignee = author
    check_assignee(assignee)
    note = InteractionNote(customer=customer, author=author)
    return audited_save(
        note,
        actor=actor,
        action="customers.note_add",
        fields={"kind": kind, "text": text, "follow_up_at": follow_up_at, "assignee": assignee},
    )


@transaction.atomic(durable=True)
def note_complete(*, note, actor) -> InteractionNote:
    """Mark the note's follow-up done."""
    note = InteractionNote.objects.select_for_update().get(pk=note.pk)
    if note.done:
        raise Conflict(_("This follow-up is already done."), code="already_done")
    return audited_save(
        note, actor=actor, action="customers.note_done", fields={"done": True, "done_at": timezone.now()}
    )


@transaction.atomic(durable=True)
def follow_up_reminders(*, now=None) -> int:
    """Remind each assignee once of the follow-ups that are due (the `follow_up_reminders` job)."""
    now = now or timezone.now()
    due = list(
        InteractionNote.objects.select_for_update(skip_locked=True, of=("self",))
        .filter(done=False, reminded_at__isnull=True, follow_up_at__isnull=False, follow_up_at__lte=now)
        .select_related("customer", "assignee")
        .order_by("follow_up_at", "pk")[:REMINDER_BATCH]
    )
    for note in due:
        title = _("Follow up with %(name)s (%(kind)s)") % {"name": note.customer.name, "kind": note.get_kind_display()}
        send = partial(notify, title=title, body=note.text[:500], url=note.get_absolute_url(), kind="follow_up")
        if note.assignee is not None and note.assignee.is_active:
            send(users=[note.assignee])
        else:
            send(role="customer_service")
    InteractionNote.objects.filter(pk__in=[n.pk for n in due]).update(reminded_at=now)
    if due:
        record(None, "customers.follow_up_remind", None, after={"notes": [n.pk for n in due]})
    return len(due)


def outbound_resend(*, outbound, actor, reason) -> OutboundMessage:
    """Send a failed text to the customer again (an operator's repair): a new queued row with the same text,
    audited with the reason, then delivered outside the transaction; the failed row stays as it was."""
    reason = str(reason or "").strip()
    if not reason:
        raise DomainError(_("Say why (it goes to the audit log)."), code="reason_required")
    with transaction.atomic(durable=True):
        failed = OutboundMessage.objects.select_for_update(of=("self",)).select_related("customer").get(pk=outbound.pk)
        if failed.status != OutboundMessage.Status.FAILED:
            raise Conflict(
                _("This text is %(s)s: only a failed text is sent again.") % {"s": failed.get_status_display()},
                code="not_failed",
            )
        if failed.customer is None or failed.customer.erased_at:
            raise Conflict(_("The customer was erased: nothing is sent to them."), code="customer_erased")
        again = outbound_queue(
            customer=failed.customer, text=failed.text, channel=failed.channel, purpose=failed.purpose
        )
        record(actor, "customers.outbound_resend", failed, after={"resent_as": again.pk, "reason": reason[:200]})
    return outbound_deliver(outbound=again)
