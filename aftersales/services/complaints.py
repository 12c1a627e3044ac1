"""Complaints (投诉): intake (staff and the storefront API), assignment, the thread of replies and notes,
escalation (by hand, and by the `complaint_sla` job past the SLA), resolution, closing and the customer's
satisfaction with the resolution; the SLA table per priority; the FAQ (knowledge base).

Replies reach the customer on their channel through customers' outbound texts: the text row is written in
the service's transaction, the provider is called after it (customers.services.outbound_deliver).
"""

from datetime import timedelta

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from aftersales.models import Complaint, ComplaintNote, ComplaintSla, FaqArticle, FaqCategory
from aftersales.models.complaints import SLA_DEFAULTS
from catalog.models import Product
from customers.models import Customer
from customers.services import customer_upsert, normalise_phone, outbound_deliver, outbound_queue, sla_flag_overdue
from customers.services.inbox import request_hash
from orders.models import Order, Shipment
from shop.audit import audited_save, record, snapshot
from shop.errors import Conflict, DomainError, RuleRefused
from shop.html import sanitize_html
from shop.roles import OWNER
from shop.selectors import staff_with_perm, store_settings
from shop.services import notify
from shop.state import StateMachine

S = Complaint.Status
P = Complaint.Priority
L = Complaint.Level
SUBJECT_MAX = 200
TEXT_MAX = 5000
REPLY_MAX = 2000
BULK_MAX = 500
CUSTOMER_SERVICE = "customer_service"
ASSIGN_PERMISSION = "aftersales.change_complaint"

COMPLAINT_MACHINE = StateMachine(
    transitions={
        "start": ((S.OPEN,), S.IN_PROGRESS),
        "resolve": ((S.OPEN, S.IN_PROGRESS), S.RESOLVED),
        "reopen": ((S.RESOLVED,), S.IN_PROGRESS),
        "close": ((S.OPEN, S.IN_PROGRESS, S.RESOLVED), S.CLOSED),
    },
    stamps={"resolve": "resolved_at", "close": "closed_at"},
    labels={
        "start": lambda: _("started"),
        "resolve": lambda: _("resolved"),
        "reopen": lambda: _("reopened"),
        "close": lambda: _("closed"),
    },
)
UNRESOLVED = (S.OPEN, S.IN_PROGRESS)
RATED_STATUSES = (S.RESOLVED, S.CLOSED)


# -- the SLA table -----------------------------------------------------------------------------------------
def sla_table() -> dict[str, tuple[int, int]]:
    """{priority: (hours to resolve, hours past due before the owner is told)}: the staff's rows, else the
    defaults (normal priority defaults to the store's complaint SLA setting)."""
    table = dict(SLA_DEFAULTS)
    table["normal"] = (store_settings().complaint_sla_hours, SLA_DEFAULTS["normal"][1])
    for row in ComplaintSla.objects.all():
        table[row.priority] = (row.hours, row.escalate_hours)
    return table


@transaction.atomic(durable=True)
def complaint_sla_save(*, actor, priority, hours, escalate_hours) -> ComplaintSla:
    """Set the SLA hours of one priority (complaints already received keep their due time)."""
    if priority not in P.values:
        raise DomainError(_("Unknown priority."), code="invalid_priority", fields={"priority": _("Unknown priority.")})
    row = ComplaintSla.objects.filter(priority=priority).first() or ComplaintSla(priority=priority)
    return audited_save(
        row,
        actor=actor,
        action="aftersales.complaint_sla_save",
        fields={"hours": hours, "escalate_hours": escalate_hours},
    )


# -- staff ---------------------------------------------------------------------------------------------------
def assignable_staff():
    """Active staff whose role may work complaints."""
    return staff_with_perm(ASSIGN_PERMISSION)


def _check_assignee(user):
    if user is None:
        return None
    if not assignable_staff().filter(pk=user.pk).exists():
        message = _("%(u)s cannot be assigned complaints.") % {"u": user.get_username()}
        raise DomainError(message, code="invalid_assignee", fields={"assignee": message})
    return user


def _author(actor):
    return actor if getattr(actor, "pk", None) else None


def _actor_label(actor) -> str:
    from shop.actors import Actor

    return Actor.of(actor).label


def _event(complaint, actor, text, now=None) -> ComplaintNote:
    """A line in the thread saying what happened (assigned, escalated, resolved, …)."""
    return ComplaintNote.objects.create(
        complaint=complaint,
        kind=ComplaintNote.Kind.EVENT,
        text=str(text)[:REPLY_MAX],
        author=_author(actor),
        author_label=_actor_label(actor),
        created_at=now or timezone.now(),
    )


def _locked(complaint) -> Complaint:
    return Complaint.objects.select_for_update(of=("self",)).select_related("customer", "assignee").get(pk=complaint.pk)


# -- intake --------------------------------------------------------------------------------------------------
def _clean(*, category, priority, subject, description) -> dict:
    errors = {}
    if category not in Complaint.Category.values:
        errors["category"] = _("Choose a category.")
    if priority not in P.values:
        errors["priority"] = _("Choose a priority.")
    description = str(description or "").strip()
    subject = str(subject or "").strip()
    if not description:
        errors["description"] = _("Describe the complaint.")
    elif len(description) > TEXT_MAX:
        errors["description"] = _("At most %(n)s characters.") % {"n": TEXT_MAX}
    if len(subject) > SUBJECT_MAX:
        errors["subject"] = _("At most %(n)s characters.") % {"n": SUBJECT_MAX}
    if errors:
        raise DomainError(_("The complaint is not valid."), code="validation", fields=errors)
    return {"subject": subject or description.splitlines()[0][:60], "description": description}


def _check_links(customer, order, shipment):
    errors = {}
    if order is not None and order.customer_id != customer.pk:
        errors["order"] = _("Order %(n)s is not this customer's.") % {"n": order.number}
    if shipment is not None and order is not None and shipment.order_id != order.pk:
        errors["shipment"] = _("Shipment %(t)s is not of order %(n)s.") % {
            "t": shipment.tracking_number,
            "n": order.number,
        }
    if errors:
        raise DomainError(_("The complaint is not valid."), code="validation", fields=errors)


def _create(
    *,
    actor,
    customer,
    category,
    description,
    subject="",
    priority=P.NORMAL,
    order=None,
    shipment=None,
    product=None,
    assignee=None,
    now=None,
    idempotency=("", "", ""),
) -> Complaint:
    clean = _clean(category=category, priority=priority, subject=subject, description=description)
    if shipment is not None and order is None:
        order = shipment.order
    _check_links(customer, order, shipment)
    _check_assignee(assignee)
    now = now or timezone.now()
    hours, _escalate = sla_table()[priority]
    scope, key, digest = idempotency
    complaint = Complaint.objects.create(
        customer=customer,
        order=order,
        shipment=shipment,
        product=product,
        category=category,
        priority=priority,
        status=S.IN_PROGRESS if assignee is not None else S.OPEN,
        assignee=assignee,
        created_by=_author(actor),
        source=_actor_label(actor),
        created_at=now,
        sla_due_at=now + timedelta(hours=hours),
        idempotency_scope=scope if key else "",
        idempotency_key=key,
        request_hash=digest if key else "",
        **clean,
    )
    record(
        actor,
        "aftersales.complaint_create",
        complaint,
        after={
            "customer": str(customer),
            "order": str(order or ""),
            "category": complaint.category,
            "priority": complaint.priority,
            "subject": complaint.subject,
            "assignee": str(assignee or ""),
            "sla_due_at": complaint.sla_due_at,
        },
    )
    if assignee is not None and assignee != actor:
        _notify_assigned(complaint)
    return complaint


@transaction.atomic(durable=True)
def complaint_create(
    *,
    actor,
    customer,
    category,
    description,
    subject="",
    priority=P.NORMAL,
    order=None,
    shipment=None,
    product=None,
    assignee=None,
    now=None,
) -> Complaint:
    """Record a complaint a customer made to staff (on the phone, in a chat), due by its priority's SLA."""
    return _create(
        actor=actor,
        customer=customer,
        category=category,
        description=description,
        subject=subject,
        priority=priority,
        order=order,
        shipment=shipment,
        product=product,
        assignee=assignee,
        now=now,
    )


def _replay(scope, key, payload):
    if not key:
        return None
    found = Complaint.objects.filter(idempotency_scope=scope, idempotency_key=key).first()
    if found is not None and found.request_hash != request_hash(payload or {}):
        raise RuleRefused(_("This Idempotency-Key was used with a different request."), code="idempotency_mismatch")
    return found


def complaint_receive(**kwargs) -> tuple[Complaint, bool]:
    """Take a customer's complaint from the storefront; return (complaint, created). A retry with the same
    Idempotency-Key and body returns the first complaint; two racing ones write one (the loser replays)."""
    try:
        return _complaint_receive(**kwargs)
    except IntegrityError:
        found = _replay(kwargs.get("idempotency_scope", ""), kwargs.get("idempotency_key", ""), kwargs.get("payload"))
        if found is None:
            raise
        return found, False


@transaction.atomic(durable=True)
def _complaint_receive(
    *,
    actor,
    phone,
    category,
    description,
    subject="",
    name="",
    order_number="",
    tracking_number="",
    product_code="",
    idempotency_key="",
    idempotency_scope="",
    payload=None,
    now=None,
) -> tuple[Complaint, bool]:
    key = str(idempotency_key or "")[:100]
    found = _replay(idempotency_scope, key, payload)
    if found is not None:
        return found, False
    errors = {}
    try:
        phone = normalise_phone(phone)
    except DomainError as e:
        errors.update(e.data["fields"])
    order = shipment = product = None
    order_number, tracking_number, product_code = (
        str(v or "").strip() for v in (order_number, tracking_number, product_code)
    )
    if order_number:
        order = Order.objects.filter(number=order_number[:32]).first()
        if order is None or (not errors and order.customer.phone != phone):
            errors["order_number"] = _("No order of this customer has the number %(n)s.") % {"n": order_number}
    if tracking_number:
        shipments = Shipment.objects.filter(tracking_number=tracking_number[:40])
        shipment = shipments.filter(order=order).first() if order is not None else None
        if shipment is None:
            errors["tracking_number"] = _("No shipment of the order has the tracking number %(t)s.") % {
                "t": tracking_number
            }
    if product_code:
        product = Product.objects.filter(code=product_code[:64]).first()
        if product is None:
            errors["product_code"] = _("No product has the code %(c)s.") % {"c": product_code}
    if errors:
        raise DomainError(_("The complaint is not valid."), code="validation", fields=errors)
    customer = Customer.objects.filter(phone=phone).first()
    if customer is None or str(name or "").strip():
        customer = customer_upsert(phone=phone, name=str(name or "").strip() or f"{phone[:3]}****{phone[-4:]}")
    complaint = _create(
        actor=actor,
        customer=customer,
        category=category,
        description=description,
        subject=subject,
        order=order,
        shipment=shipment,
        product=product,
        now=now,
        idempotency=(idempotency_scope, key, request_hash(payload or {})),
    )
    return complaint, True


# -- assignment -----------------------------------------------------------------------------------------------
def _notify_assigned(complaint):
    notify(
        users=[complaint.assignee],
        title=_("A complaint was assigned to you: %(s)s") % {"s": complaint.subject[:80]},
        url=complaint.get_absolute_url(),
        kind="complaint_assigned",
    )


def _assign(complaint, actor, assignee) -> Complaint:
    complaint = _locked(complaint)
    if complaint.status == S.CLOSED:
        raise Conflict(
            _("Complaint %(c)s is closed; it cannot be assigned.") % {"c": complaint.pk}, code="illegal_transition"
        )
    before = {"assignee": str(complaint.assignee or ""), "status": complaint.status}
    complaint.assignee = assignee
    complaint.save(update_fields=["assignee"])
    if assignee is not None and COMPLAINT_MACHINE.allows(complaint, "start"):
        COMPLAINT_MACHINE.move(complaint, "start")
    record(
        actor,
        "aftersales.complaint_assign",
        complaint,
        before=before,
        after={"assignee": str(assignee or ""), "status": complaint.status},
    )
    _event(complaint, actor, _("Assigned to %(u)s.") % {"u": assignee} if assignee else _("Unassigned."))
    if assignee is not None and assignee != actor:
        _notify_assigned(complaint)
    return complaint


@transaction.atomic(durable=True)
def complaint_assign(*, complaint, actor, assignee) -> Complaint:
    """Assign the complaint to a staff member (None: unassign); an open complaint is then in progress."""
    _check_assignee(assignee)
    return _assign(complaint, actor, assignee)


@transaction.atomic(durable=True)
def complaints_assign(*, complaints, actor, assignee) -> tuple[int, list[str]]:
    """Assign several complaints at once (a bulk action): (how many, the refusals)."""
    _check_assignee(assignee)
    done, refused = 0, []
    for complaint in list(complaints.order_by("pk")[:BULK_MAX]):
        if complaint.status == S.CLOSED:
            refused.append(_("Complaint %(c)s is closed; it cannot be assigned.") % {"c": complaint.pk})
            continue
        _assign(complaint, actor, assignee)
        done += 1
    return done, refused


# -- the thread ------------------------------------------------------------------------------------------------
RESPOND_KINDS = {
    "reply": gettext_lazy("Reply to the customer"),
    "note": gettext_lazy("Internal note"),
}


@transaction.atomic(durable=True)
def _respond_store(complaint, actor, text, kind, channel) -> ComplaintNote:
    if kind not in RESPOND_KINDS:
        raise DomainError(_("Unknown kind of entry."), code="invalid_kind", fields={"kind": _("Unknown kind.")})
    text = str(text or "").strip()
    if not text:
        raise DomainError(_("Write the text."), code="text_required", fields={"text": _("Required.")})
    if len(text) > REPLY_MAX:
        message = _("At most %(n)s characters.") % {"n": REPLY_MAX}
        raise DomainError(message, code="text_too_long", fields={"text": message})
    complaint = _locked(complaint)
    if complaint.status == S.CLOSED:
        raise Conflict(_("Complaint %(c)s is closed.") % {"c": complaint.pk}, code="illegal_transition")
    outbound = None
    if kind == "reply":
        outbound = outbound_queue(customer=complaint.customer, text=text, channel=channel, purpose="complaint")
    now = timezone.now()
    note = ComplaintNote.objects.create(
        complaint=complaint,
        kind=kind,
        text=text,
        author=_author(actor),
        author_label=_actor_label(actor),
        outbound=outbound,
        created_at=now,
    )
    if kind == "reply":
        if complaint.first_response_at is None:
            complaint.first_response_at = now
            complaint.save(update_fields=["first_response_at"])
        if COMPLAINT_MACHINE.allows(complaint, "start"):
            COMPLAINT_MACHINE.move(complaint, "start")
    record(
        actor,
        "aftersales.complaint_respond",
        complaint,
        after={"kind": kind, "note": text[:200], "status": complaint.status},
    )
    return note


def complaint_respond(*, complaint, actor, text, kind="reply", channel="") -> ComplaintNote:
    """Add a reply to the customer (sent on their channel; the first one is the first response) or an
    internal note to the complaint's thread. A reply is kept when its send fails: `note.outbound` says how it went."""
    note = _respond_store(complaint, actor, text, kind, channel)
    if note.outbound is not None:
        subject = _("Re: %(s)s") % {"s": note.complaint.subject[:150]}
        note.outbound = outbound_deliver(outbound=note.outbound, subject=subject)
    return note


# -- escalation ----------------------------------------------------------------------------------------------
def _raise_level(complaint, level, now):
    """Raise the complaint's escalation level (never lowers it) and tell who handles that level."""
    complaint.escalation_level = level
    complaint.escalated_at = now
    fields = ["escalation_level", "escalated_at"]
    if level >= L.OWNER and complaint.owner_escalated_at is None:
        complaint.owner_escalated_at = now
        fields.append("owner_escalated_at")
    complaint.save(update_fields=fields)
    title = _("Complaint escalated: %(s)s") % {"s": complaint.subject[:80]}
    url = complaint.get_absolute_url()
    if level >= L.OWNER:
        notify(role=OWNER, title=title, url=url, kind="complaint_escalated")
    elif complaint.assignee is not None and complaint.assignee.is_active:
        notify(users=[complaint.assignee], title=title, url=url, kind="complaint_escalated")
    else:
        notify(role=CUSTOMER_SERVICE, title=title, url=url, kind="complaint_escalated")


@transaction.atomic(durable=True)
def complaint_escalate(*, complaint, actor, level=None, reason="") -> Complaint:
    """Escalate an unresolved complaint one level (or to `level`): first to customer service, then to the owner."""
    complaint = _locked(complaint)
    if not complaint.is_unresolved:
        raise Conflict(
            _("Complaint %(c)s is %(s)s; only an unresolved complaint can be escalated.")
            % {"c": complaint.pk, "s": complaint.get_status_display()},
            code="illegal_transition",
        )
    target = complaint.escalation_level + 1 if level in (None, "") else int(level)
    if target not in (L.SUPERVISOR, L.OWNER) or target <= complaint.escalation_level:
        raise Conflict(
            _("Complaint %(c)s is already escalated as far as it goes.") % {"c": complaint.pk}
            if complaint.escalation_level >= L.OWNER
            else _("Choose a higher escalation level."),
            code="invalid_level",
        )
    before = complaint.escalation_level
    _raise_level(complaint, target, timezone.now())
    reason = str(reason or "").strip()[:500]
    _event(complaint, actor, _("Escalated: %(l)s. %(r)s") % {"l": L(target).label, "r": reason})
    record(
        actor,
        "aftersales.complaint_escalate",
        complaint,
        before={"escalation_level": before},
        after={"escalation_level": target, "reason": reason},
    )
    return complaint


# -- resolution -----------------------------------------------------------------------------------------------
@transaction.atomic(durable=True)
def complaint_resolve(*, complaint, actor, resolution) -> Complaint:
    """Resolve the complaint with what was done for the customer."""
    resolution = str(resolution or "").strip()
    if not resolution:
        raise DomainError(
            _("Write what was done to resolve it."), code="resolution_required", fields={"resolution": _("Required.")}
        )
    if len(resolution) > TEXT_MAX:
        message = _("At most %(n)s characters.") % {"n": TEXT_MAX}
        raise DomainError(message, code="resolution_too_long", fields={"resolution": message})
    complaint = _locked(complaint)
    COMPLAINT_MACHINE.check(complaint, "resolve")
    complaint.resolution = resolution
    before = COMPLAINT_MACHINE.move(complaint, "resolve", fields=("resolution",))
    _event(complaint, actor, _("Resolved: %(r)s") % {"r": resolution[:1500]})
    record(
        actor,
        "aftersales.complaint_resolve",
        complaint,
        before={"status": before},
        after={"status": complaint.status, "resolution": resolution},
    )
    return complaint


def _close(complaint, actor, note):
    complaint = _locked(complaint)
    before = COMPLAINT_MACHINE.move(complaint, "close")
    _event(complaint, actor, _("Closed. %(n)s") % {"n": note} if note else _("Closed."))
    record(
        actor, "aftersales.complaint_close", complaint, before={"status": before}, after={"status": complaint.status}
    )
    return complaint


@transaction.atomic(durable=True)
def complaint_close(*, complaint, actor, note="") -> Complaint:
    """Close the complaint (resolved, or withdrawn / a duplicate with a note)."""
    return _close(complaint, actor, str(note or "").strip()[:500])


@transaction.atomic(durable=True)
def complaints_close(*, complaints, actor) -> tuple[int, list[str]]:
    """Close several complaints at once (a bulk action): (how many, the refusals)."""
    done, refused = 0, []
    for complaint in list(complaints.order_by("pk")[:BULK_MAX]):
        if not COMPLAINT_MACHINE.allows(complaint, "close"):
            refused.append(_("Complaint %(c)s is already closed.") % {"c": complaint.pk})
            continue
        _close(complaint, actor, "")
        done += 1
    return done, refused


@transaction.atomic(durable=True)
def complaint_reopen(*, complaint, actor, reason="") -> Complaint:
    """Reopen a resolved complaint the customer is not happy with; it is due again by its SLA from now."""
    complaint = _locked(complaint)
    COMPLAINT_MACHINE.check(complaint, "reopen")
    now = timezone.now()
    complaint.sla_due_at = now + timedelta(hours=sla_table()[complaint.priority][0])
    complaint.sla_breached_at = None
    complaint.owner_escalated_at = None
    complaint.resolved_at = None
    before = COMPLAINT_MACHINE.move(
        complaint, "reopen", fields=("sla_due_at", "sla_breached_at", "owner_escalated_at", "resolved_at")
    )
    reason = str(reason or "").strip()[:500]
    _event(complaint, actor, _("Reopened. %(r)s") % {"r": reason} if reason else _("Reopened."), now)
    record(
        actor, "aftersales.complaint_reopen", complaint, before={"status": before}, after={"status": complaint.status}
    )
    return complaint


@transaction.atomic(durable=True)
def complaint_satisfaction_record(*, complaint, actor, rating, comment="") -> Complaint:
    """Record the customer's satisfaction with the resolution (1–5), once; the same rating again changes nothing."""
    if isinstance(rating, bool) or not isinstance(rating, int) or not 1 <= rating <= 5:
        message = _("Rate from 1 to 5.")
        raise DomainError(message, code="invalid_rating", fields={"rating": message})
    comment = str(comment or "").strip()
    if len(comment) > 500:
        message = _("At most %(n)s characters.") % {"n": 500}
        raise DomainError(message, code="validation", fields={"comment": message})
    complaint = _locked(complaint)
    if complaint.status not in RATED_STATUSES:
        raise Conflict(
            _("Complaint %(c)s is not resolved yet; satisfaction is rated after the resolution.") % {"c": complaint.pk},
            code="not_resolved",
        )
    if complaint.satisfaction is not None:
        if complaint.satisfaction == rating:
            return complaint
        raise Conflict(
            _("Complaint %(c)s was already rated %(r)s.") % {"c": complaint.pk, "r": complaint.satisfaction},
            code="already_rated",
        )
    complaint.satisfaction = rating
    complaint.satisfaction_comment = comment
    complaint.satisfaction_at = timezone.now()
    complaint.save(update_fields=["satisfaction", "satisfaction_comment", "satisfaction_at"])
    record(actor, "aftersales.complaint_satisfaction", complaint, after={"satisfaction": rating, "comment": comment})
    return complaint


# -- the SLA sweep (the `complaint_sla` job, through AftersalesConfig.sla_sweep) ---------------------------------
def _notify_overdue(now):
    def late(complaint):
        Complaint.objects.filter(pk=complaint.pk, escalation_level__lt=L.SUPERVISOR).update(
            escalation_level=L.SUPERVISOR, escalated_at=now
        )
        _event(complaint, None, _("Past its SLA: escalated."), now)
        title = _("Complaint past its SLA: %(s)s") % {"s": complaint.subject[:80]}
        body = _("From %(c)s, due %(t)s, not resolved yet.") % {
            "c": complaint.customer.name,
            "t": timezone.localtime(complaint.sla_due_at).strftime("%Y-%m-%d %H:%M"),
        }
        url = complaint.get_absolute_url()
        if complaint.assignee is not None and complaint.assignee.is_active:
            notify(users=[complaint.assignee], title=title, body=body, url=url, kind="sla")
        else:
            notify(role=CUSTOMER_SERVICE, title=title, body=body, url=url, kind="sla")

    return late


def _notify_owner(now):
    def owner(complaint):
        Complaint.objects.filter(pk=complaint.pk).update(escalation_level=L.OWNER, escalated_at=now)
        _event(complaint, None, _("Long past its SLA: escalated to the owner."), now)
        notify(
            role=OWNER,
            title=_("Complaint long past its SLA: %(s)s") % {"s": complaint.subject[:80]},
            body=_("From %(c)s, due %(t)s, not resolved yet.")
            % {
                "c": complaint.customer.name,
                "t": timezone.localtime(complaint.sla_due_at).strftime("%Y-%m-%d %H:%M"),
            },
            url=complaint.get_absolute_url(),
            kind="sla",
        )

    return owner


@transaction.atomic(durable=True)
def complaints_sla_sweep(*, now=None) -> dict:
    """Flag the unresolved complaints past their SLA due time once (telling their assignee, or customer service,
    and escalating them), then escalate to the owner, once, those still unresolved past their priority's second
    threshold. Safe to run twice: the flags are set by guarded UPDATEs (customers.services.sla_flag_overdue)."""
    now = now or timezone.now()
    unresolved = Complaint.objects.filter(status__in=UNRESOLVED).select_related("customer", "assignee")
    overdue = sla_flag_overdue(
        queryset=unresolved, hours=0, now=now, notify_one=_notify_overdue(now), received_field="sla_due_at"
    )
    owner = []
    for priority, (_hours, escalate_hours) in sla_table().items():
        owner += sla_flag_overdue(
            queryset=unresolved.filter(priority=priority),
            hours=escalate_hours,
            now=now,
            notify_one=_notify_owner(now),
            received_field="sla_due_at",
            flag_field="owner_escalated_at",
        )
    if overdue or owner:
        record(
            None,
            "aftersales.complaint_sla",
            None,
            after={"complaints": [c.pk for c in overdue], "escalated": [c.pk for c in owner]},
        )
    return {"overdue": len(overdue), "escalated": len(owner)}


# -- the knowledge base ----------------------------------------------------------------------------------------
@transaction.atomic(durable=True)
def faq_category_save(*, actor, category=None, name, position=0) -> FaqCategory:
    """Create or rename an FAQ category."""
    name = str(name or "").strip()
    clash = FaqCategory.objects.filter(name__iexact=name)
    if category is not None:
        clash = clash.exclude(pk=category.pk)
    if name and clash.exists():
        message = _("A category named %(n)s exists.") % {"n": name}
        raise DomainError(message, code="duplicate_name", fields={"name": message})
    return audited_save(
        category or FaqCategory(),
        actor=actor,
        action="aftersales.faq_category_save",
        fields={"name": name, "position": position},
    )


@transaction.atomic(durable=True)
def faq_category_delete(*, actor, category) -> None:
    """Delete an FAQ category that holds no articles."""
    if category.articles.exists():
        raise Conflict(_("Move or delete the category's articles first."), code="category_in_use")
    record(actor, "aftersales.faq_category_delete", category, before=snapshot(category))
    category.delete()


@transaction.atomic(durable=True)
def faq_article_save(*, actor, article=None, category, question, answer, published=False, position=0) -> FaqArticle:
    """Create or edit an FAQ article; its answer is stored as sanitised HTML."""
    return audited_save(
        article or FaqArticle(),
        actor=actor,
        action="aftersales.faq_article_save",
        fields={
            "category": category,
            "question": str(question or "").strip(),
            "answer": sanitize_html(str(answer or "")).strip(),
            "published": bool(published),
            "position": position,
        },
    )


@transaction.atomic(durable=True)
def faq_article_delete(*, actor, article) -> None:
    """Delete an FAQ article."""
    record(actor, "aftersales.faq_article_delete", article, before=snapshot(article))
    article.delete()


def faq_article_viewed(*, article_ids) -> int:
    """Count one view of each article the storefront showed (no audit: the customer's reading is not a staff write)."""
    return FaqArticle.objects.filter(pk__in=list(article_ids), published=True).update(views=F("views") + 1)
