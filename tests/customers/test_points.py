# ruff: noqa: F811  (the orders fixtures imported below are used as arguments of the same name)
"""The points ledger: earned at completion (times the tier multiplier), redeemed at intake (also when
orders race for one balance), returned on cancellation and refunds (in proportion), adjusted by staff,
expired first-in-first-out, birthday gifts; the balance is the ledger's sum after every one of them."""

from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone

from customers import selectors, services
from customers.models import Customer, MemberTier, PointsEntry
from orders import services as order_services
from orders.models import Order
from shop.errors import DomainError, RuleRefused
from shop.models import AuditEntry
from shop.selectors import store_settings
from tests.orders.conftest import ADDRESS, api, body, make_sku, sku, without_intake_rules  # noqa: F401

K = PointsEntry.Kind
PHONE = "13800138000"


def customer(phone=PHONE, points=0, **extra):
    buyer, _created = Customer.objects.get_or_create(phone=phone, defaults={"name": "张三", **extra})
    if points:
        services.points_adjust(customer=buyer, points=points, reason="开业赠送", actor="test")
    return Customer.objects.get(pk=buyer.pk)


def balance(phone=PHONE):
    return Customer.objects.get(phone=phone).points_balance


def assert_ledger_consistent():
    assert list(selectors.points_ledger_mismatches()) == []
    assert Customer.objects.filter(points_balance__lt=0).count() == 0


def place(*lines, points=0, phone=PHONE, external_id=None):
    order, _created = order_services.order_place(
        external_id=external_id or "",
        customer={"phone": phone, "name": "张三"},
        shipping_address=dict(ADDRESS),
        lines=list(lines),
        payment_method="alipay",
        points=points,
        actor="test",
    )
    return order


def complete(order, django_capture_on_commit_callbacks):
    """Take a paid order through to completed; the order_completed receivers run on commit."""
    Order.objects.filter(pk=order.pk).update(status=Order.Status.DELIVERED, delivered_at=timezone.now())
    with django_capture_on_commit_callbacks(execute=True):
        order_services.order_complete(order=order, actor=None)
    return Order.objects.get(pk=order.pk)


# -- earning -------------------------------------------------------------------------------------------
@pytest.mark.django_db
def test_a_completed_order_earns_paid_amount_times_rate_times_tier_multiplier_once(
    sku, django_capture_on_commit_callbacks
):
    settings = store_settings()
    settings.points_per_yuan = Decimal("2.00")
    settings.save()
    gold = MemberTier.objects.create(name="金卡", rank=3, points_multiplier=Decimal("1.50"))
    customer(tier=gold)
    order = place(("TEE-W-M", 2))  # 2 × 99.50 = 199.00
    order = order_services.order_mark_paid(order=order, amount=order.total, paid_at=timezone.now())
    complete(order, django_capture_on_commit_callbacks)
    [earn] = PointsEntry.objects.filter(kind=K.EARN)
    assert (earn.points, earn.order_number, earn.amount) == (597, order.number, Decimal("199.00"))  # floor(597.0)
    assert earn.remaining == 597 and earn.expires_at.date() == (earn.created_at + timedelta(days=365)).date()
    assert balance() == 597
    # The signal delivered again (a retry) grants nothing more.
    from orders.receivers import earn_points

    earn_points(sender=Order, order=order)
    assert PointsEntry.objects.filter(kind=K.EARN).count() == 1 and balance() == 597
    assert_ledger_consistent()


# -- redeeming at intake -------------------------------------------------------------------------------
@pytest.mark.django_db
def test_points_redeemed_through_the_api_discount_the_lines_and_the_balance(api, sku, make_sku):
    make_sku("MUG-1", price="35.00", stock=5)
    customer(points=1500)
    response = api("post", "/orders", body(("TEE-W-M", 2), ("MUG-1", 1), points=1000))  # ¥10 of ¥234
    assert response.status_code == 201, response.content
    result = response.json()
    assert Decimal(result["subtotal"]) == Decimal("234.00")
    assert Decimal(result["discount"]) == Decimal("10.00") and Decimal(result["total"]) == Decimal("224.00")
    # ¥10 allocated by what each line costs: 199/234 and 35/234 of it, to the cent, summing to ¥10.
    assert [(ln["sku"], Decimal(ln["discount"]), Decimal(ln["line_total"])) for ln in result["lines"]] == [
        ("TEE-W-M", Decimal("8.50"), Decimal("190.50")),
        ("MUG-1", Decimal("1.50"), Decimal("33.50")),
    ]
    order = Order.objects.get(number=result["number"])
    assert order.points_used == 1000
    [redeem] = PointsEntry.objects.filter(kind=K.REDEEM)
    assert (redeem.points, redeem.order_number, redeem.amount) == (-1000, order.number, Decimal("10.00"))
    assert balance() == 500
    assert_ledger_consistent()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("points", "status", "code"),
    [
        (1001, 422, "points_insufficient"),  # over the balance
        (6000, 422, "points_insufficient"),
        (-5, 400, None),  # negative
        (1.5, 400, None),  # not a whole number
        ("many", 400, None),
    ],
)
def test_a_bad_redemption_is_refused_with_the_reason_and_nothing_written(api, sku, points, status, code):
    customer(points=1000)
    response = api("post", "/orders", body(("TEE-W-M", 1), points=points))
    assert response.status_code == status, response.content
    error = response.json()["error"]
    assert "points" in error["fields"]
    if code:
        assert error["code"] == code and "1000" in error["message"]
    assert Order.objects.count() == 0 and balance() == 1000
    assert PointsEntry.objects.exclude(kind=K.ADJUST).count() == 0


@pytest.mark.django_db
def test_points_may_pay_at_most_the_store_share_of_the_goods(api, sku):
    customer(points=10_000)
    response = api("post", "/orders", body(("TEE-W-M", 1), points=5000))  # ¥50 of ¥99.50, over 50 %
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "points_over_limit" and "4975" in response.json()["error"]["message"]
    settings = store_settings()
    settings.points_max_percent = 100
    settings.points_per_yuan_redeemed = 10
    settings.save()
    response = api("post", "/orders", body(("TEE-W-M", 1), points=995))  # ¥99.50: nothing left to pay
    assert response.status_code == 201, response.content
    assert Decimal(response.json()["total"]) == 0 and response.json()["status"] == "paid"
    assert balance() == 10_000 - 995
    assert_ledger_consistent()


def _redeem_race(i, points):
    try:
        order, _created = order_services.order_place(
            external_id=f"PTS-RACE-{i}",
            customer={"phone": PHONE, "name": "张三"},
            shipping_address=ADDRESS,
            lines=[("RACE-1", 1)],
            payment_method="wechat",
            points=points,
        )
        return "ok"
    except DomainError as e:
        return e.code
    finally:
        connection.close()


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("without_intake_rules")
def test_orders_racing_for_one_balance_never_overdraw_it(make_sku):
    """Eight orders at once each redeem 400 of the customer's 1,000 points: exactly two get them (SQLite
    serialises the writers; PostgreSQL locks the customer row); the balance stays the ledger's sum."""
    make_sku("RACE-1", price="100.00", stock=50)
    customer(points=1000)
    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(lambda i: _redeem_race(i, 400), range(8)))
    assert results.count("ok") == 2, results
    assert set(results) == {"ok", "points_insufficient"}
    assert balance() == 200
    assert PointsEntry.objects.filter(kind=K.REDEEM).count() == 2 == Order.objects.count()
    assert_ledger_consistent()


def _take_by_hand(_i):
    try:
        services.points_adjust(customer=Customer.objects.get(phone=PHONE), points=-300, reason="扣减", actor="test")
        return "ok"
    except DomainError as e:
        return e.code
    finally:
        connection.close()


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("without_intake_rules")
def test_redemptions_adjustments_and_cancellations_racing_keep_the_balance_the_ledger_sum(make_sku):
    make_sku("RACE-1", price="100.00", stock=50)
    customer(points=1000)
    first = place(("RACE-1", 1), points=100, external_id="PTS-FIRST")  # cancelled during the race: +100

    def work(i):
        if i == 0:
            try:
                order_services.order_cancel(order=first, actor="test", reason="不要了")
                return "cancelled"
            finally:
                connection.close()
        return _redeem_race(i, 300) if i % 2 else _take_by_hand(i)

    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(work, range(9)))
    ok = results.count("ok")
    assert "cancelled" in results and set(results) <= {"ok", "cancelled", "points_insufficient", "points_negative"}
    assert ok == 3  # 1,000 points: three takes of 300 fit, whatever their order
    assert balance() == 1000 - 300 * ok
    assert_ledger_consistent()


# -- returning -----------------------------------------------------------------------------------------
@pytest.mark.django_db
def test_cancelling_or_closing_an_unpaid_order_returns_its_points_once(sku):
    customer(points=1000)
    cancelled = place(("TEE-W-M", 1), points=300)
    closed = place(("TEE-W-M", 1), points=200)
    assert balance() == 500
    order_services.order_cancel(order=cancelled, actor="test", reason="顾客不要了", by_customer=True)
    assert balance() == 800
    order_services.orders_close_unpaid(now=timezone.now() + timedelta(hours=2))
    assert balance() == 1000
    returns = PointsEntry.objects.filter(kind=K.RETURN).order_by("pk")
    assert [(r.order_number, r.points) for r in returns] == [(cancelled.number, 300), (closed.number, 200)]
    # A retry of the return (or a refund of the same order later) gives nothing twice.
    services.points_return_for_order(customer=cancelled.customer, order_number=cancelled.number)
    assert balance() == 1000 and returns.count() == 2
    assert_ledger_consistent()


@pytest.fixture
def payments_ready(monkeypatch):
    import importlib

    from django.apps import apps

    from payments.gateways import PROVIDERS

    for code in PROVIDERS:
        monkeypatch.setenv(f"PAYMENT_SECRET_{code.upper()}", f"test-secret-{code}")
    importlib.import_module("payments.migrations.0002_seed").seed(apps, None)


def _pay(order):
    from payments import services as payment_services
    from payments.gateways import sign
    from tests.payments.conftest import callback_body

    data = callback_body(order.number, order.total, f"TX{order.number}")
    result = payment_services.payment_callback_handle(
        provider="alipay", body=data, signature=sign("test-secret-alipay", data)
    )
    return result.payment


def _refund(payment, amount, django_capture_on_commit_callbacks):
    from payments import services as payment_services
    from tests.payments.conftest import deliver_refund_callbacks

    refund = payment_services.refund_request(payment=payment, actor="test", reason="退一部分", amount=Decimal(amount))
    with django_capture_on_commit_callbacks(execute=True):
        payment_services.refund_approve(refund=refund, actor="test")
    refund.refresh_from_db()
    return deliver_refund_callbacks(refund)[0]


@pytest.mark.django_db
def test_refunds_return_redeemed_and_reverse_earned_points_in_proportion(
    sku, payments_ready, django_capture_on_commit_callbacks
):
    from tests.payments.conftest import deliver_refund_callbacks

    customer(points=2000)
    order = place(("TEE-W-M", 2), points=1000)  # ¥199 - ¥10 = ¥189 paid
    assert order.total == Decimal("189.00")
    payment = _pay(order)
    order = complete(Order.objects.get(pk=order.pk), django_capture_on_commit_callbacks)
    assert PointsEntry.objects.get(kind=K.EARN).points == 189
    assert balance() == 1000 + 189

    first = _refund(payment, "47.25", django_capture_on_commit_callbacks)  # a quarter of what was paid
    assert first.status == "succeeded"
    assert [(e.kind, e.points) for e in PointsEntry.objects.filter(reference=f"refund:{first.pk}").order_by("pk")] == [
        (K.RETURN, 250),
        (K.REVERSE, -47),  # 189 / 4 = 47.25, half-up
    ]
    assert balance() == 1000 + 189 + 250 - 47
    deliver_refund_callbacks(first)  # the provider's retry: no second effect
    assert balance() == 1000 + 189 + 250 - 47

    _refund(payment, "141.75", django_capture_on_commit_callbacks)  # the rest: every point comes back or goes
    assert PointsEntry.objects.filter(kind=K.RETURN).aggregate(n=models_sum())["n"] == 1000
    assert PointsEntry.objects.filter(kind=K.REVERSE).aggregate(n=models_sum())["n"] == -189
    assert balance() == 2000
    assert_ledger_consistent()


def models_sum():
    from django.db.models import Sum

    return Sum("points")


@pytest.mark.django_db
def test_a_refund_before_completion_lowers_what_the_order_earns(
    sku, payments_ready, django_capture_on_commit_callbacks
):
    customer()
    order = place(("TEE-W-M", 2))  # ¥199
    payment = _pay(order)
    _refund(payment, "99.50", django_capture_on_commit_callbacks)
    assert balance() == 0 and not PointsEntry.objects.exists()
    complete(Order.objects.get(pk=order.pk), django_capture_on_commit_callbacks)
    assert PointsEntry.objects.get(kind=K.EARN).points == 99  # floor(99.50)
    _refund(payment, "99.50", django_capture_on_commit_callbacks)
    assert balance() == 0
    assert_ledger_consistent()


# -- staff adjustment ----------------------------------------------------------------------------------
@pytest.mark.django_db
def test_staff_adjust_points_from_the_customer_page_with_a_reason_audited(client_as):
    buyer = customer(points=100)
    client = client_as("customer_service")
    page = client.get(f"/customers/{buyer.pk}/").content.decode()
    assert 'data-testid="points-panel"' in page and 'data-testid="points-adjust"' in page
    response = client.post(f"/customers/{buyer.pk}/points/adjust/", {"points": "50", "reason": "投诉补偿"})
    assert response.status_code == 302
    assert balance() == 150
    entry = PointsEntry.objects.filter(kind=K.ADJUST).latest("pk")
    assert (entry.points, entry.reason, entry.actor.username) == (50, "投诉补偿", "customer_service_user")
    audit = AuditEntry.objects.filter(action="customers.points_adjust").latest("pk")
    assert audit.before == {"points_balance": 100} and audit.after["points_balance"] == 150
    page = client.get(f"/customers/{buyer.pk}/").content.decode()
    assert "投诉补偿" in page and "+50" in page


@pytest.mark.django_db
def test_an_adjustment_below_zero_or_without_reason_is_refused_and_nothing_written(client_as):
    buyer = customer(points=100)
    client = client_as("operations")
    url = f"/customers/{buyer.pk}/points/adjust/"
    for data in (
        {"points": "-101", "reason": "扣错"},
        {"points": "10", "reason": " "},
        {"points": "1.5", "reason": "x"},
    ):
        response = client.post(url, data)
        assert response.status_code == 200, data  # the form again, with the reason
    assert "100" in client.post(url, {"points": "-101", "reason": "扣错"}).content.decode()
    assert balance() == 100 and PointsEntry.objects.count() == 1
    with pytest.raises(RuleRefused) as e:
        services.points_adjust(customer=buyer, points=-101, reason="扣错", actor="test")
    assert e.value.code == "points_negative"
    services.points_adjust(customer=buyer, points=-100, reason="清零", actor="test")
    assert balance() == 0
    assert_ledger_consistent()


@pytest.mark.django_db
def test_marketing_sees_the_points_but_may_not_adjust_them(client_as):
    buyer = customer(points=100)
    client = client_as("marketing")
    page = client.get(f"/customers/{buyer.pk}/").content.decode()
    assert 'data-testid="points-panel"' in page and 'data-testid="points-adjust"' not in page
    assert client.post(f"/customers/{buyer.pk}/points/adjust/", {"points": "5", "reason": "x"}).status_code == 403
    assert balance() == 100


# -- expiry (FIFO) and birthday gifts -------------------------------------------------------------------
@pytest.mark.django_db
def test_redemptions_take_the_oldest_lots_first_and_the_job_expires_what_is_left(monkeypatch):
    buyer = customer()
    start = timezone.now() - timedelta(days=400)
    old = services.points_adjust(customer=buyer, points=100, reason="旧", actor="test", now=start)
    new = services.points_adjust(customer=buyer, points=200, reason="新", actor="test", now=start + timedelta(days=30))
    services.points_redeem(
        customer=buyer, order_number="O-1", points=150, value=Decimal("1.50"), now=start + timedelta(days=60)
    )
    old.refresh_from_db()
    new.refresh_from_db()
    assert (old.remaining, new.remaining) == (0, 150)  # the oldest lot went first
    # The old lot is past its date but empty: nothing expires; the newer lot's 150 go at its date.
    assert services.points_expire_due(now=start + timedelta(days=366)) == {"customers": 0, "points": 0}
    result = services.points_expire_due(now=start + timedelta(days=396))
    assert result == {"customers": 1, "points": 150}
    [expired] = PointsEntry.objects.filter(kind=K.EXPIRE)
    assert (expired.points, expired.reference) == (-150, f"lot:{new.pk}")
    assert balance() == 0
    # The job again: nothing more.
    assert services.points_expire_due(now=start + timedelta(days=400))["points"] == 0
    assert PointsEntry.objects.filter(kind=K.EXPIRE).count() == 1
    assert_ledger_consistent()


@pytest.mark.django_db
def test_lots_past_their_date_expire_before_a_redemption_is_allowed():
    buyer = customer()
    start = timezone.now() - timedelta(days=370)
    services.points_adjust(customer=buyer, points=100, reason="旧", actor="test", now=start)
    services.points_adjust(customer=buyer, points=200, reason="新", actor="test", now=start + timedelta(days=10))
    assert balance() == 300  # the job has not run yet
    with pytest.raises(RuleRefused) as e:
        services.points_redeem(customer=buyer, order_number="O-2", points=250, value=Decimal("2.50"))
    assert e.value.code == "points_insufficient"
    services.points_redeem(customer=buyer, order_number="O-3", points=200, value=Decimal("2.00"))
    assert balance() == 0 and PointsEntry.objects.filter(kind=K.EXPIRE).get().points == -100
    assert_ledger_consistent()


@pytest.mark.django_db
def test_the_jobs_run_from_the_command_line_and_twice_change_nothing():
    from django.core.management import call_command

    gold = MemberTier.objects.create(name="金卡", rank=3, birthday_points=88)
    today = timezone.localdate()
    born = date(1990, today.month, min(today.day, 28))
    buyer = customer(tier=gold, birthday=born)
    customer(phone="13900139000", birthday=born)  # no tier: no gift
    services.points_adjust(
        customer=buyer, points=10, reason="旧", actor="test", now=timezone.now() - timedelta(days=400)
    )
    for _run in range(2):
        services.points_birthday_grant(today=born.replace(year=today.year))
        call_command("run_job", "expire_coupons_and_points")
    assert PointsEntry.objects.filter(kind=K.BIRTHDAY).count() == 1
    assert PointsEntry.objects.filter(kind=K.EXPIRE).count() == 1
    assert balance() == 88 and balance("13900139000") == 0
    call_command("run_job", "birthday_points")  # the scheduled job, whatever day it is
    assert PointsEntry.objects.filter(kind=K.BIRTHDAY).count() == 1
    assert_ledger_consistent()


@pytest.mark.django_db
def test_a_29_february_birthday_is_celebrated_on_28_february_in_other_years():
    gold = MemberTier.objects.create(name="金卡", rank=3, birthday_points=50)
    customer(tier=gold, birthday=date(2000, 2, 29))
    assert services.points_birthday_grant(today=date(2027, 2, 28)) == {"granted": 1}
    assert services.points_birthday_grant(today=date(2028, 2, 28)) == {"granted": 0}
    assert services.points_birthday_grant(today=date(2028, 2, 29)) == {"granted": 1}
    assert balance() == 100


# -- the ledger page -----------------------------------------------------------------------------------
@pytest.mark.django_db
def test_the_ledger_list_filters_by_kind_and_date_searches_by_phone_and_exports(owner_client):
    a = customer(points=100)
    customer(phone="13900139000", points=70)
    services.points_redeem(customer=a, order_number="O-9", points=30, value=Decimal("0.30"))
    page = owner_client.get("/customers/points/").content.decode()
    assert page.count("开业赠送") == 2 and "O-9" in page
    page = owner_client.get("/customers/points/", {"kind": "redeem"}).content.decode()
    assert "O-9" in page and "开业赠送" not in page
    page = owner_client.get("/customers/points/", {"q": "1390"}).content.decode()
    assert page.count("开业赠送") == 1 and "O-9" not in page
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    assert "O-9" not in owner_client.get("/customers/points/", {"since": tomorrow}).content.decode()
    response = owner_client.get("/customers/points/", {"export": "csv", "kind": "redeem"})
    lines = b"".join(response.streaming_content).decode("utf-8-sig").strip().splitlines()
    assert len(lines) == 2 and "O-9" in lines[1] and "-30" in lines[1]


@pytest.mark.django_db
def test_the_store_settings_page_offers_the_points_settings(owner_client):
    page = owner_client.get("/settings/").content.decode()
    for name in ("points_per_yuan", "points_valid_days", "points_per_yuan_redeemed", "points_max_percent"):
        assert f'name="{name}"' in page


@pytest.mark.django_db
def test_the_ledger_list_and_the_customer_page_cost_the_same_queries_at_any_size(owner_client):
    from django.test.utils import CaptureQueriesContext

    buyers = [customer(phone=f"1380000{i:04d}") for i in range(3)]
    for i in range(60):
        services.points_adjust(customer=buyers[i % 3], points=10, reason=f"第{i}次", actor="test")

    def queries(url, **params):
        with CaptureQueriesContext(connection) as ctx:
            assert owner_client.get(url, params).status_code == 200
        return len(ctx.captured_queries)

    assert queries("/customers/points/", per_page=20) == queries("/customers/points/", per_page=50)
    few = customer(phone="13911112222", points=5)
    assert queries(f"/customers/{few.pk}/") == queries(f"/customers/{buyers[0].pk}/")
