"""The payment list pages, declared on the one list class (shop.lists.ListPage), like orders/lists.py."""

from django.contrib import messages
from django.utils.html import escape
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from customers.privacy import PHONE, phone_search
from payments import selectors, services
from payments.filters import BlacklistFilter, PaymentFilter, RefundFilter, RiskFilter, SettlementFilter
from payments.models import Payment, Refund
from payments.state import REFUND
from shop.errors import DomainError
from shop.lists import BulkAction, Column, ListPage, choice_labels, show, td, url_for, when
from shop.money import format_money


def _bulk_refunds(service, done):
    """A bulk action deciding every selected refund still awaiting approval; the first refusal is shown."""

    def run(request, queryset):
        ok, errors = 0, []
        for refund in queryset.filter(status__in=REFUND.sources("approve")).order_by("pk"):
            try:
                service(refund=refund, actor=request.user)
                ok += 1
            except DomainError as e:
                errors.append(e.message)
        if errors:
            messages.error(request, errors[0])
        return done % {"n": ok}

    return run


class PaymentList(ListPage):
    filterset_class = PaymentFilter
    search_fields = ("order__number__istartswith", "transaction_id__istartswith")
    default_ordering = "-received_at"
    export_name = "payments"
    columns = [
        Column("received_at", _("Received at"), order_by=("received_at",)),
        Column("order__number", _("Order")),
        Column("method__name", _("Payment method"), order_by=("method__position",)),
        Column("transaction_id", _("Transaction id")),
        Column("amount", _("Amount")),
        Column("fee", _("Fee")),
        Column("refunded", _("Refunded")),
        Column("status", _("Status"), value=lambda p: p.get_status_display()),
        Column("flag", _("Flag"), value=lambda p: p.get_flag_display() if p.flag else ""),
    ]

    def scope(self):
        return selectors.payments()

    def row_cells(self):
        """The payment row (shop.lists fast row path)."""
        detail = url_for("payments:payment_detail")
        statuses, flags = choice_labels(Payment, "status"), choice_labels(Payment, "flag")

        def flag(p):
            return td(f'<span class="tag">{show(flags.get(p.flag, p.flag))}</span>' if p.flag else "")

        return [
            lambda p: td(when(p.received_at)),
            lambda p: td(f'<a href="{detail(p.pk)}">{show(p.order.number)}</a>'),
            lambda p: td(show(p.method.name)),
            lambda p: td(show(p.transaction_id)),
            lambda p: td(escape(format_money(p.amount)), "num"),
            lambda p: td(escape(format_money(p.fee)), "num"),
            lambda p: td(escape(format_money(p.refunded)), "num"),
            lambda p: td(f'<span class="tag">{show(statuses.get(p.status, p.status))}</span>'),
            flag,
        ]


class RefundList(ListPage):
    filterset_class = RefundFilter
    search_fields = ("order__number__istartswith",)
    default_ordering = "-requested_at"
    export_name = "refunds"
    columns = [
        Column("requested_at", _("Requested at")),
        Column("order__number", _("Order")),
        Column("payment__method__name", _("Payment method"), order_by=("payment__method__position",)),
        Column("amount", _("Amount")),
        Column("reason", _("Reason"), sortable=False),
        Column("source", _("Source"), value=lambda r: r.get_source_display()),
        Column("status", _("Status"), value=lambda r: r.get_status_display()),
        Column("decided_by__username", _("Decided by")),
    ]
    actions = [
        BulkAction(
            "approve",
            _("Approve"),
            "payments.approve_refund",
            _bulk_refunds(services.refund_approve, _("%(n)s refunds approved.")),
        ),
        BulkAction(
            "reject",
            _("Reject"),
            "payments.approve_refund",
            _bulk_refunds(services.refund_reject, _("%(n)s refunds rejected.")),
        ),
    ]

    def scope(self):
        return selectors.refunds()

    def row_cells(self):
        """The refund row (shop.lists fast row path), with approve / reject for a refund awaiting a decision."""
        detail = url_for("payments:payment_detail")
        sources, statuses = choice_labels(Refund, "source"), choice_labels(Refund, "status")
        decides = self.request.user.has_perm("payments.approve_refund")
        approve, reject = escape(gettext("Approve")), escape(gettext("Reject"))
        confirm = escape(gettext("Reject this refund?"))

        def reason(r):
            lines = "".join(
                f'<div class="muted">{show(line.get("sku", ""))} × {show(line.get("quantity", ""))}</div>'
                for line in r.lines
            )
            return td(f"{show(r.reason)}{lines}")

        def buttons(r):
            if not (decides and r.status == Refund.Status.REQUESTED):
                return "<td></td>"
            return td(
                f'<button type="submit" form="approve-{r.pk}" class="primary">{approve}</button> '
                f'<button type="submit" form="reject-{r.pk}" class="danger" data-confirm="{confirm}">{reject}</button>'
            )

        return [
            lambda r: td(when(r.requested_at)),
            lambda r: td(f'<a href="{detail(r.payment_id)}">{show(r.order.number)}</a>'),
            lambda r: td(show(r.payment.method.name)),
            lambda r: td(escape(format_money(r.amount)), "num"),
            reason,
            lambda r: td(show(sources.get(r.source, r.source))),
            lambda r: td(f'<span class="tag">{show(statuses.get(r.status, r.status))}</span>'),
            lambda r: td(show((r.decided_by.username if r.decided_by_id else "") or "—")),
            buttons,
        ]


class RiskList(ListPage):
    filterset_class = RiskFilter
    default_ordering = "-assessed_at"
    export_name = "risk-review"
    columns = [
        Column("assessed_at", _("Assessed at")),
        Column("order__number", _("Order")),
        Column("order__total", _("Total")),
        Column("order__ship_phone", _("Phone"), personal=PHONE),
        Column("score", _("Score")),
        Column("hits", _("Rules hit"), sortable=False, value=lambda a: "; ".join(h.get("detail", "") for h in a.hits)),
        Column("decision", _("Decision"), value=lambda a: a.get_decision_display()),
    ]

    @property
    def search_fields(self):  # type: ignore[override]
        return ("order__number__istartswith", phone_search(self.request.user, "order__ship_phone"))

    def scope(self):
        return selectors.risk_assessments()


class BlacklistList(ListPage):
    filterset_class = BlacklistFilter
    search_fields = ("value__icontains",)
    default_ordering = "-created_at"
    export_name = "blacklist"
    columns = [
        Column("kind", _("Kind"), value=lambda e: e.get_kind_display()),
        Column("value", _("Value")),
        Column("reason", _("Reason"), sortable=False),
        Column("created_by__username", _("Added by")),
        Column("created_at", _("Added at")),
    ]

    def scope(self):
        return selectors.blacklist()


class MethodList(ListPage):
    default_ordering = "position"
    export_name = "payment-methods"
    columns = [
        Column("position", _("Display order")),
        Column("name", _("Name")),
        Column("is_enabled", _("Enabled")),
        Column("min_amount", _("Minimum")),
        Column("max_amount", _("Maximum")),
        Column("daily_limit", _("Daily limit per customer")),
        Column("fee_percent", _("Fee (%)")),
        Column("fee_fixed", _("Fixed fee")),
        Column("settlement_days", _("Settlement (T+N)")),
    ]

    def scope(self):
        return selectors.payment_methods()


class SettlementList(ListPage):
    filterset_class = SettlementFilter
    default_ordering = "-day"
    export_name = "settlements"
    columns = [
        Column("day", _("Business day")),
        Column("method__name", _("Payment method"), order_by=("method__position",)),
        Column("payment_count", _("Payments")),
        Column("gross", _("Gross")),
        Column("fees", _("Fees")),
        Column("refunds", _("Refunded")),
        Column("net", _("Net")),
        Column("due_on", _("Due on")),
    ]

    def scope(self):
        return selectors.settlements()


class ReconciliationList(ListPage):
    default_ordering = "-created_at"
    export_name = "reconciliations"
    columns = [
        Column("created_at", _("Imported at")),
        Column("method__name", _("Payment method")),
        Column("day", _("Statement day")),
        Column("filename", _("File")),
        Column("matched", _("Matched")),
        Column("missing", _("Missing")),
        Column("mismatched", _("Mismatched")),
    ]

    def scope(self):
        return selectors.reconciliations()
