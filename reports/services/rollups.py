"""Keeping the sales rollups (reports.models.rollups) up to date, and rebuilding them from the raw rows.

Incremental: reports/receivers.py calls `rollup_order_recorded`, `rollup_refund_succeeded` and
`rollup_payment_failure` inside the transaction of the event (orders.signals.order_recorded,
payments.signals.*), so a figure commits with its event. Each change is `_bump`: an UPDATE ... SET f = f + x
on the row's key, and when no row exists yet an INSERT in a savepoint; if a concurrent event inserted the
row first (the unique key refuses the second INSERT), the UPDATE runs again. No read-then-write, so two
events on one row never lose an increment (PostgreSQL READ COMMITTED and SQLite's single writer alike).

Rebuild: `rollups_rebuild(start=, end=)` deletes the local days [start, end] and recomputes them with one
INSERT ... SELECT per table over the raw rows (orders, lines, refunds, payments), set-based on both
vendors (the local day and hour come from Django's own per-vendor SQL for time zones). The per-SKU refund
shares are computed in Python with the same function the incremental path uses (refunds are few).

The finance rollup (PaymentDay) counts payments captured or flagged (`rollup_payment_received`, on
payments.signals.payment_received), moves them to their batch's rows when a settlement batch takes them
(`rollup_payments_settled`), and counts every confirmed refund (in `rollup_refund_succeeded`).

Which refunds count as a sales refund: every confirmed refund except those of a payment the order could not
take (Refund.Source.PAYMENT_EXCEPTION: money that was never a sale). The finance report reads payments'
own rows for the money, these included.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import Count, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import gettext as _

from orders.models import OrderLine
from payments.models import Payment, Refund
from reports.models import PaymentDay, SalesDay, SalesDaySku, SalesDimension, SalesHour, SalesSkuSpan
from reports.periods import day_start
from shop.actors import Actor
from shop.audit import record
from shop.errors import DomainError
from shop.money import allocate

ZERO = Decimal("0.00")
EXCLUDED_REFUND_SOURCES = (Refund.Source.PAYMENT_EXCEPTION,)
MAX_REBUILD_DAYS = 800


def _bump(model, key: dict, values: dict) -> None:
    """Add `values` to the row of `key` (created when missing), safely under concurrent events."""
    _bump_many(model, [(key, values)])


def _bump_many(model, items) -> None:
    """Add each (key, values) of `items` to its row of `model` in one statement: INSERT … ON CONFLICT (the key's
    unique constraint) DO UPDATE SET figure = figure + EXCLUDED.figure (PostgreSQL and SQLite alike). Rows go in
    key order, so two events never wait on each other's rows in turn; a row whose values are all zero is left."""
    fields = {f.attname: f for f in model._meta.concrete_fields if not f.primary_key}
    merged: dict = {}
    key_names: list = []
    for key, values in items:
        values = {f: v for f, v in values.items() if v}
        if not values:
            continue
        key_names = key_names or list(key)
        figures = merged.setdefault(tuple(key[k] for k in key_names), {})
        for f, v in values.items():
            figures[f] = figures.get(f, 0) + v
    if not merged:
        return
    figure_names = [name for name in fields if name not in key_names]
    table, quote = model._meta.db_table, connection.ops.quote_name
    names = key_names + figure_names
    columns = [quote(fields[name].column) for name in names]
    figure_columns = [quote(fields[name].column) for name in figure_names]
    defaults = {name: fields[name].get_default() for name in figure_names}
    params: list = []
    for key in sorted(merged):
        figures = merged[key]
        values = [*key, *(figures.get(name, defaults[name]) for name in figure_names)]
        params.extend(fields[name].get_db_prep_save(v, connection) for name, v in zip(names, values, strict=True))
    row = "(" + ", ".join(["%s"] * len(columns)) + ")"
    sql = (
        f"INSERT INTO {quote(table)} ({', '.join(columns)}) VALUES {', '.join([row] * len(merged))} "
        f"ON CONFLICT ({', '.join(columns[: len(key_names)])}) DO UPDATE SET "
        + ", ".join(f"{c} = {quote(table)}.{c} + EXCLUDED.{c}" for c in figure_columns)
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def _local(moment) -> tuple[date, int]:
    local = timezone.localtime(moment)
    return local.date(), local.hour


def _day_key(order, day, province) -> dict:
    return {"day": day, "channel": order.channel, "province": province, "payment_method": order.payment_method}


def ship_seconds(order) -> int:
    """Whole seconds from payment (or placement, for an uncollected COD order) to shipping."""
    start = order.paid_at or order.placed_at
    return int(order.shipped_at.timestamp()) - int(start.timestamp())


def _day_rows(order, province, kind) -> list[tuple]:
    """(model, key, figures) of the province-keyed rows (SalesDay, SalesDaySku) one order event adds."""
    channel = order.channel
    if kind == "placed":
        day, _h = _local(order.placed_at)
        return [(SalesDay, _day_key(order, day, province), {"orders_placed": 1})]
    if kind == "paid":
        day, _h = _local(order.paid_at)
        lines = list(
            OrderLine.objects.filter(order_id=order.pk).values_list("sku_id", "quantity", "line_total", "discount")
        )
        figures = {
            "orders_paid": 1,
            "units": sum(q for _sku, q, _t, _d in lines),
            "gross": order.subtotal,
            "discounts": order.discount,
            "shipping": order.shipping_fee,
            "adjustments": order.adjustment,
            "paid": order.total,
        }
        rows: list[tuple] = [(SalesDay, _day_key(order, day, province), figures)]
        per_sku: dict = defaultdict(lambda: [0, ZERO, ZERO])
        for sku_id, quantity, line_total, discount in lines:
            sku_figures = per_sku[sku_id]
            sku_figures[0] += quantity
            sku_figures[1] += line_total + discount
            sku_figures[2] += discount
        for sku_id in sorted(per_sku):  # one order of keys: two orders never wait on each other's rows in turn
            quantity, gross, discount = per_sku[sku_id]
            key = {"day": day, "sku_id": sku_id, "channel": channel, "province": province}
            rows.append(
                (SalesDaySku, key, {"orders_paid": 1, "units": quantity, "gross": gross, "discounts": discount})
            )
        return rows
    if kind in ("cancel", "close"):
        day, _h = _local(order.cancelled_at)
        figures = {"cancellations": 1, "cancelled_paid": 1 if order.paid_at else 0}
        return [(SalesDay, _day_key(order, day, province), figures)]
    return []


def _refund_rows(refund, order, province) -> list[tuple]:
    if refund.source in EXCLUDED_REFUND_SOURCES:
        return []
    day, _h = _local(refund.confirmed_at)
    rows: list[tuple] = [(SalesDay, _day_key(order, day, province), {"refunds": refund.amount, "refund_count": 1})]
    for sku_id, amount, units in sorted(refund_line_shares(refund, _order_lines(order.pk))):
        key = {"day": day, "sku_id": sku_id, "channel": order.channel, "province": province}
        rows.append((SalesDaySku, key, {"refunds": amount, "refund_units": units}))
    return rows


def _apply(rows, sign=1) -> None:
    """The rows of an event into their tables: one statement per table (the day, its dimensions, the SKUs)."""
    by_model: dict = defaultdict(list)
    for model, key, figures in rows:
        signed = {f: v * sign for f, v in figures.items()}
        by_model[model].append((key, signed))
        if model is SalesDay:
            by_model[SalesDimension].extend((dimension_key, signed) for dimension_key in _dimension_keys(key))
    for model, items in by_model.items():
        _bump_many(model, items)


DIMENSIONS = ("channel", "province", "payment_method")


def _dimension_keys(day_key) -> list[dict]:
    return [{"dimension": d, "day": day_key["day"], "value": day_key[d]} for d in DIMENSIONS]


@transaction.atomic(savepoint=False)  # inside its event's transaction: no savepoint round trips
def rollup_order_recorded(*, order, kind, previous_province=None) -> None:
    """One order event (orders.signals.order_recorded kinds) into the rollups. Kind "province" (the address
    changed before shipping) moves everything the order counted so far from the previous province to its new
    one, so the rows stay equal to a rebuild, which reads the order's province as it is now."""
    if kind == "province":
        _order_move(order, previous_province)
        return
    _apply(_day_rows(order, order.ship_province, kind))
    if kind == "paid":
        paid_day, _hour = _local(order.paid_at)
        if paid_day < timezone.localdate():  # a sale on a closed day (moves net out per SKU and day)
            _drop_spans(paid_day, paid_day)
    hour_figures = {
        "placed": lambda: (order.placed_at, {"orders_placed": 1}),
        "paid": lambda: (
            order.paid_at,
            {"orders_paid": 1, "paid": order.total, "gross": order.subtotal, "discounts": order.discount},
        ),
        "cancel": lambda: (order.cancelled_at, {"cancellations": 1}),
        "close": lambda: (order.cancelled_at, {"cancellations": 1}),
        "shipped": lambda: (order.shipped_at, {"shipped": 1, "ship_seconds": ship_seconds(order)}),
    }.get(kind)
    if hour_figures:
        moment, figures = hour_figures()
        day, hour = _local(moment)
        _bump(SalesHour, {"day": day, "hour": hour}, figures)


def _drop_spans(start: date, end: date) -> None:
    """Drop the dashboard's per-SKU sums of closed days (SalesSkuSpan) that cover any day of start..end: its next
    load sums them again."""
    SalesSkuSpan.objects.filter(first_day__lte=end, last_day__gte=start).delete()


def _order_move(order, previous_province) -> None:
    if previous_province is None or previous_province == order.ship_province:
        return
    kinds = ["placed"] + (["paid"] if order.paid_at else []) + (["cancel"] if order.cancelled_at else [])
    refunds = list(
        Refund.objects.filter(order_id=order.pk, status=Refund.Status.SUCCEEDED).only(
            "amount", "lines", "source", "confirmed_at"
        )
    )
    for province, sign in ((previous_province, -1), (order.ship_province, 1)):
        rows = [row for kind in kinds for row in _day_rows(order, province, kind)]
        rows += [row for refund in refunds for row in _refund_rows(refund, order, province)]
        _apply(rows, sign)
        if sign < 0:
            _drop_empty(rows)


def _drop_empty(rows) -> None:
    """Delete the rows a move left at zero (a rebuild would not have them)."""
    for model, key, _figures in rows:
        targets = [(model, key)] + ([(SalesDimension, k) for k in _dimension_keys(key)] if model is SalesDay else [])
        for target, target_key in targets:
            zero = {f.name: 0 for f in target._meta.concrete_fields if f.name not in target_key and not f.primary_key}
            zero.pop("sku", None)
            target.objects.filter(**target_key, **zero).delete()


def refund_line_shares(refund, lines) -> list[tuple[int, Decimal, int]]:
    """(sku_id, amount, units) of a refund over its order's lines: the lines it names (their amounts and
    quantities), or else the whole amount split over every line in proportion to the line totals
    (shop.money.allocate, to the cent), with every unit refunded when the paid order was cancelled.

    `lines`: [(line_id, sku_id, quantity, line_total)] of the order, by line id."""
    if not lines:
        return []
    if refund.lines:
        by_id = {line_id: sku_id for line_id, sku_id, _q, _t in lines}
        return [
            (by_id[int(row["line"])], Decimal(str(row["amount"])), int(row.get("quantity") or 0))
            for row in refund.lines
            if int(row["line"]) in by_id
        ]
    shares = allocate(refund.amount, [line_total for _id, _sku, _q, line_total in lines])
    all_units = refund.source == Refund.Source.ORDER_CANCELLED
    return [
        (sku_id, share, quantity if all_units else 0)
        for (_id, sku_id, quantity, _t), share in zip(lines, shares, strict=True)
    ]


def _order_lines(order_id) -> list:
    return list(
        OrderLine.objects.filter(order_id=order_id).order_by("pk").values_list("pk", "sku_id", "quantity", "line_total")
    )


@transaction.atomic(savepoint=False)  # inside its event's transaction: no savepoint round trips
def rollup_refund_succeeded(*, refund) -> None:
    """A confirmed refund into the rollups, on the local day and hour it was confirmed: every one into the
    finance rollup, the sales refunds (no payment exceptions) into the sales rollups."""
    day, hour = _local(refund.confirmed_at)
    key = {"day": day, "method_id": refund.payment.method_id, "batch": 0}
    _bump(PaymentDay, key, {"refunds": refund.amount, "refund_count": 1})
    if refund.source in EXCLUDED_REFUND_SOURCES:
        return
    order = refund.order
    _apply(_refund_rows(refund, order, order.ship_province))
    _bump(SalesHour, {"day": day, "hour": hour}, {"refunds": refund.amount, "refund_count": 1})


@transaction.atomic(savepoint=False)  # inside its event's transaction: no savepoint round trips
def rollup_payment_failure(*, payment, delta=1) -> None:
    """A failed payment (+1) or a failed one later paid (-1), on the hour it was received."""
    day, hour = _local(payment.received_at)
    _bump(SalesHour, {"day": day, "hour": hour}, {"payment_failures": delta})


@transaction.atomic(savepoint=False)  # inside its event's transaction: no savepoint round trips
def rollup_payment_received(*, payment) -> None:
    """A payment captured or flagged into the finance rollup, on the local day it was paid."""
    day, _hour = _local(payment.paid_at)
    key = {"day": day, "method_id": payment.method_id, "batch": payment.settlement_id or 0}
    figures = {"payments": 1, "gross": payment.amount, "fees": payment.fee, "discounts": payment.order.discount}
    _bump(PaymentDay, key, figures)


@transaction.atomic(savepoint=False)  # inside its event's transaction: no savepoint round trips
def rollup_payments_settled(*, batch) -> None:
    """The payments a new settlement batch took, moved from the rows of no batch to the batch's own (per day
    paid: a late payment keeps its day); a row of no batch left at zero is deleted (a rebuild has none)."""
    days = (
        Payment.objects.filter(settlement=batch)
        .annotate(day=TruncDate("paid_at", tzinfo=timezone.get_current_timezone()))
        .order_by()
        .values("day")
        .annotate(payments=Count("pk"), gross=Sum("amount"), fees=Sum("fee"), discounts=Sum("order__discount"))
    )
    moves = []
    for row in days:
        figures = {f: row[f] for f in ("payments", "gross", "fees", "discounts")}
        key = {"day": row["day"], "method_id": batch.method_id}
        moves.append(({**key, "batch": 0}, {f: -v for f, v in figures.items()}))
        moves.append(({**key, "batch": batch.pk}, figures))
    _bump_many(PaymentDay, moves)
    PaymentDay.objects.filter(
        method_id=batch.method_id, batch=0, day__in=[key["day"] for key, _f in moves], payments=0, refund_count=0
    ).delete()


# -- rebuild ---------------------------------------------------------------------------------------------
class _Sql:
    """Collects SQL text and its parameters in order."""

    def __init__(self):
        self.parts: list[str] = []
        self.params: list = []

    def add(self, sql, params=()):
        self.parts.append(sql)
        self.params.extend(params)
        return self

    def text(self):
        return " ".join(self.parts)


def _local_date(column) -> tuple[str, tuple]:
    return connection.ops.datetime_cast_date_sql(column, (), timezone.get_current_timezone_name())


def _local_hour(column) -> tuple[str, tuple]:
    return connection.ops.datetime_extract_sql("hour", column, (), timezone.get_current_timezone_name())


def _epoch(column) -> str:
    if connection.vendor == "postgresql":
        return f"FLOOR(EXTRACT(EPOCH FROM {column}))"
    return f"CAST(strftime('%%s', {column}) AS INTEGER)"


DAY_METRICS = [
    "orders_placed",
    "orders_paid",
    "units",
    "gross",
    "discounts",
    "shipping",
    "adjustments",
    "paid",
    "refunds",
    "refund_count",
    "cancellations",
    "cancelled_paid",
]
PAYMENT_METRICS = ["payments", "gross", "fees", "discounts", "refunds", "refund_count"]
HOUR_METRICS = [
    "orders_placed",
    "orders_paid",
    "paid",
    "gross",
    "discounts",
    "refunds",
    "refund_count",
    "cancellations",
    "payment_failures",
    "shipped",
    "ship_seconds",
]


def _select(keys: list[tuple[str, tuple]], metrics: list[str], given: dict, table: str, where: str, params):
    """SELECT key AS k1, ..., metric AS m (0 for the ones not given) FROM table WHERE where."""
    sql = _Sql().add("SELECT")
    columns = []
    for i, (expression, expression_params) in enumerate(keys):
        columns.append(f"{expression} AS k{i}")
        sql.params.extend(expression_params)
    for name in metrics:
        columns.append(f"{given.get(name, '0')} AS {name}")
    sql.add(", ".join(columns)).add(f"FROM {table} WHERE {where}", params)
    return sql


def _union_insert(target: str, key_names: list[str], metrics: list[str], selects: list[_Sql]) -> int:
    keys = ", ".join(f"k{i}" for i in range(len(key_names)))
    sums = ", ".join(f"SUM({m})" for m in metrics)
    statement = _Sql().add(f"INSERT INTO {target} ({', '.join(key_names + metrics)}) SELECT {keys}, {sums} FROM (")
    for i, part in enumerate(selects):
        if i:
            statement.add("UNION ALL")
        statement.add(part.text(), part.params)
    statement.add(f") u GROUP BY {keys}")
    with connection.cursor() as cursor:
        cursor.execute(statement.text(), statement.params)
        return cursor.rowcount


def _order_keys(column):
    return [_local_date(column), ("o.channel", ()), ("o.ship_province", ()), ("o.payment_method", ())]


SHIP_START = "COALESCE(o.paid_at, o.placed_at)"
BETWEEN = "{col} >= %s AND {col} < %s"


def _range(start: date, end: date) -> tuple:
    """The parameters of BETWEEN for the local days [start, end]."""
    since, until = day_start(start), day_start(end + timedelta(days=1))
    return connection.ops.adapt_datetimefield_value(since), connection.ops.adapt_datetimefield_value(until)


@transaction.atomic
def rollups_rebuild(*, start: date, end: date, actor=None) -> dict:
    """Recompute every rollup of the local days [start, end] from the raw rows; safe to run again.
    A staff member's rebuild (the admin's) is audited; the command's is not."""
    if end < start:
        raise DomainError(_("The end date is before the start date."), code="range_reversed")
    if (end - start).days + 1 > MAX_REBUILD_DAYS:
        raise DomainError(
            _("Rebuild at most %(days)s days at a time.") % {"days": MAX_REBUILD_DAYS}, code="range_too_long"
        )
    since, until = day_start(start), day_start(end + timedelta(days=1))
    for model in (SalesDay, SalesDaySku, SalesHour):
        model.objects.filter(day__gte=start, day__lte=end).delete()
    _drop_spans(start, end)
    between, rng = BETWEEN, _range(start, end)
    excluded = ", ".join(f"'{s}'" for s in EXCLUDED_REFUND_SOURCES)
    order = "orders_order o"
    refunds = "payments_refund r JOIN orders_order o ON o.id = r.order_id"
    refund_where = f"r.status = 'succeeded' AND r.source NOT IN ({excluded}) AND " + between.format(
        col="r.confirmed_at"
    )
    units = "COALESCE((SELECT SUM(l.quantity) FROM orders_orderline l WHERE l.order_id = o.id), 0)"
    day_rows = _union_insert(
        SalesDay._meta.db_table,
        ["day", "channel", "province", "payment_method"],
        DAY_METRICS,
        [
            _select(
                _order_keys("o.placed_at"),
                DAY_METRICS,
                {"orders_placed": "1"},
                order,
                between.format(col="o.placed_at"),
                rng,
            ),
            _select(
                _order_keys("o.paid_at"),
                DAY_METRICS,
                {
                    "orders_paid": "1",
                    "units": units,
                    "gross": "o.subtotal",
                    "discounts": "o.discount",
                    "shipping": "o.shipping_fee",
                    "adjustments": "o.adjustment",
                    "paid": "o.total",
                },
                order,
                between.format(col="o.paid_at"),
                rng,
            ),
            _select(
                _order_keys("o.cancelled_at"),
                DAY_METRICS,
                {"cancellations": "1", "cancelled_paid": "CASE WHEN o.paid_at IS NULL THEN 0 ELSE 1 END"},
                order,
                between.format(col="o.cancelled_at"),
                rng,
            ),
            _select(
                _order_keys("r.confirmed_at"),
                DAY_METRICS,
                {"refunds": "r.amount", "refund_count": "1"},
                refunds,
                refund_where,
                rng,
            ),
        ],
    )
    sku_metrics = ["orders_paid", "units", "gross", "discounts", "refunds", "refund_units"]
    lines = "orders_orderline l JOIN orders_order o ON o.id = l.order_id"
    date_sql, date_params = _local_date("o.paid_at")
    inner = (
        _Sql()
        .add(
            f"SELECT {date_sql} AS k0, l.sku_id AS k1, o.channel AS k2, o.ship_province AS k3, o.id AS order_id, "
            "l.quantity AS units, l.line_total + l.discount AS gross, l.discount AS discounts",
            date_params,
        )
        .add(f"FROM {lines} WHERE " + between.format(col="o.paid_at"), rng)
    )
    statement = (
        _Sql()
        .add(
            f"INSERT INTO {SalesDaySku._meta.db_table} (day, sku_id, channel, province, {', '.join(sku_metrics)}) "
            "SELECT k0, k1, k2, k3, COUNT(DISTINCT order_id), SUM(units), SUM(gross), SUM(discounts), 0, 0 FROM ("
        )
        .add(inner.text(), inner.params)
        .add(") u GROUP BY k0, k1, k2, k3")
    )
    with connection.cursor() as cursor:
        cursor.execute(statement.text(), statement.params)
        sku_rows = cursor.rowcount
    _rebuild_sku_refunds(since, until)
    hour_keys = lambda col: [_local_date(col), _local_hour(col)]  # noqa: E731
    hour_rows = _union_insert(
        SalesHour._meta.db_table,
        ["day", "hour"],
        HOUR_METRICS,
        [
            _select(
                hour_keys("o.placed_at"),
                HOUR_METRICS,
                {"orders_placed": "1"},
                order,
                between.format(col="o.placed_at"),
                rng,
            ),
            _select(
                hour_keys("o.paid_at"),
                HOUR_METRICS,
                {"orders_paid": "1", "paid": "o.total", "gross": "o.subtotal", "discounts": "o.discount"},
                order,
                between.format(col="o.paid_at"),
                rng,
            ),
            _select(
                hour_keys("o.cancelled_at"),
                HOUR_METRICS,
                {"cancellations": "1"},
                order,
                between.format(col="o.cancelled_at"),
                rng,
            ),
            _select(
                hour_keys("r.confirmed_at"),
                HOUR_METRICS,
                {"refunds": "r.amount", "refund_count": "1"},
                refunds,
                refund_where,
                rng,
            ),
            _select(
                hour_keys("p.received_at"),
                HOUR_METRICS,
                {"payment_failures": "1"},
                "payments_payment p",
                f"p.status = '{Payment.Status.FAILED}' AND " + between.format(col="p.received_at"),
                rng,
            ),
            _select(
                hour_keys("o.shipped_at"),
                HOUR_METRICS,
                {
                    "shipped": "1",
                    "ship_seconds": f"{_epoch('o.shipped_at')} - {_epoch('COALESCE(o.paid_at, o.placed_at)')}",
                },
                order,
                between.format(col="o.shipped_at"),
                rng,
            ),
        ],
    )
    _rebuild_dimensions(start, end)
    payment_rows = _rebuild_payment_days(start, end)
    result = {
        "days": (end - start).days + 1,
        "day_rows": day_rows,
        "sku_rows": sku_rows,
        "hour_rows": hour_rows,
        "payment_rows": payment_rows,
    }
    if Actor.of(actor).is_staff:
        record(actor, "reports.rollups_rebuild", after={"from": start, "to": end, **result})
    return result


def _rebuild_dimensions(start: date, end: date) -> None:
    """The per-dimension rows of the range, added up again from SalesDay."""
    SalesDimension.objects.filter(day__gte=start, day__lte=end).delete()
    sums = ", ".join(f"SUM({m})" for m in DAY_METRICS)
    with connection.cursor() as cursor:
        for dimension in DIMENSIONS:
            cursor.execute(
                f"INSERT INTO {SalesDimension._meta.db_table} (dimension, day, value, {', '.join(DAY_METRICS)}) "
                f"SELECT %s, day, {dimension}, {sums} FROM {SalesDay._meta.db_table} WHERE day >= %s AND day <= %s "
                f"GROUP BY day, {dimension}",
                [dimension, start, end],
            )


def _rebuild_payment_days(start: date, end: date) -> int:
    """The finance rollup of the local days [start, end], recomputed from the payments and refunds."""
    PaymentDay.objects.filter(day__gte=start, day__lte=end).delete()
    between, rng = BETWEEN, _range(start, end)
    captured = ", ".join(f"'{s}'" for s in (Payment.Status.CAPTURED, Payment.Status.FLAGGED))
    return _union_insert(
        PaymentDay._meta.db_table,
        ["day", "method_id", "batch"],
        PAYMENT_METRICS,
        [
            _select(
                [_local_date("p.paid_at"), ("p.method_id", ()), ("COALESCE(p.settlement_id, 0)", ())],
                PAYMENT_METRICS,
                {"payments": "1", "gross": "p.amount", "fees": "p.fee", "discounts": "o.discount"},
                "payments_payment p JOIN orders_order o ON o.id = p.order_id",
                f"p.status IN ({captured}) AND " + between.format(col="p.paid_at"),
                rng,
            ),
            _select(
                [_local_date("r.confirmed_at"), ("p.method_id", ()), ("0", ())],
                PAYMENT_METRICS,
                {"refunds": "r.amount", "refund_count": "1"},
                "payments_refund r JOIN payments_payment p ON p.id = r.payment_id",
                f"r.status = '{Refund.Status.SUCCEEDED}' AND " + between.format(col="r.confirmed_at"),
                rng,
            ),
        ],
    )


def _rebuild_sku_refunds(since, until) -> None:
    refunds = list(
        Refund.objects.filter(status=Refund.Status.SUCCEEDED, confirmed_at__gte=since, confirmed_at__lt=until)
        .exclude(source__in=EXCLUDED_REFUND_SOURCES)
        .select_related("order")
        .only("amount", "lines", "source", "confirmed_at", "order__channel", "order__ship_province")
    )
    lines_by_order: dict = defaultdict(list)
    for row in (
        OrderLine.objects.filter(order_id__in={r.order_id for r in refunds})
        .order_by("order_id", "pk")
        .values_list("order_id", "pk", "sku_id", "quantity", "line_total")
    ):
        lines_by_order[row[0]].append(row[1:])
    totals: dict = defaultdict(lambda: [ZERO, 0])
    for refund in refunds:
        day, _hour = _local(refund.confirmed_at)
        for sku_id, amount, units in refund_line_shares(refund, lines_by_order[refund.order_id]):
            figures = totals[(day, sku_id, refund.order.channel, refund.order.ship_province)]
            figures[0] += amount
            figures[1] += units
    _bump_many(
        SalesDaySku,
        [
            ({"day": day, "sku_id": sku_id, "channel": channel, "province": province},
             {"refunds": amount, "refund_units": units})
            for (day, sku_id, channel, province), (amount, units) in totals.items()
        ],
    )  # fmt: skip
