"""Demo data: carriers, a freight template, a dispatch rule, and 90 days of orders in every state,
placed and moved through the real services (idempotent: a second run adds nothing)."""

import random
from datetime import timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.utils import timezone

from catalog.models import Product, Sku
from customers.services import customer_upsert
from orders import services
from orders.models import Carrier, DispatchRule, FreightRegion, FreightTemplate, Order, OrderEvent
from shop.demo import OWNER_USERNAME
from shop.errors import DomainError

ORDERS = 300
CARRIERS = [
    ("顺丰速运", "sf", r"SF\d{12}", "https://www.sf-express.com/chn/sc/waybill/list?no={number}"),
    ("圆通速递", "yto", r"YT\d{13}", "https://www.yto.net.cn/query?no={number}"),
    ("中通快递", "zto", r"7\d{11,14}", "https://www.zto.com/express/expressCheck.html?txtBill={number}"),
    ("京东物流", "jd", r"JD[A-Z0-9]{10,15}", "https://www.jdl.com/orderSearch/?waybillCodes={number}"),
]
# Of every 20 orders, how many end in each state.
STATES = (
    ["completed"] * 6
    + ["delivered"] * 3
    + ["shipped"] * 3
    + ["picking", "allocated", "paid", "paid"]
    + ["cancelled", "closed", "pending_payment", "abnormal"]
)


def _setup():
    carriers = [
        Carrier.objects.get_or_create(
            code=code, defaults={"name": name, "tracking_pattern": pattern, "tracking_url": url}
        )[0]
        for name, code, pattern, url in CARRIERS
    ]
    if not FreightTemplate.objects.exists():
        template = FreightTemplate.objects.create(
            name="全国默认（按重量）",
            basis="weight",
            first_units=1,
            first_fee=Decimal("8.00"),
            additional_units=1,
            additional_fee=Decimal("4.00"),
            free_over=Decimal("99.00"),
            remote_provinces="新疆,西藏",
            remote_surcharge=Decimal("15.00"),
            is_default=True,
        )
        FreightRegion.objects.create(
            template=template, provinces="江苏,浙江,上海", first_fee=Decimal("6.00"), additional_fee=Decimal("2.00")
        )
    if not DispatchRule.objects.exists():
        DispatchRule.objects.create(
            name="高客单价优先（顺丰）", position=1, min_total=Decimal("500.00"), carrier=carriers[0], priority_boost=12
        )
        DispatchRule.objects.create(name="新疆西藏人工审核", position=2, provinces="新疆,西藏", hold=True)
    return carriers


def _tracking(carrier, rnd):
    digits = "".join(rnd.choice("0123456789") for _i in range(15))
    return {"sf": "SF" + digits[:12], "yto": "YT" + digits[:13], "zto": "7" + digits[:12], "jd": "JD" + digits[:12]}[
        carrier.code
    ]


def seed(stdout):
    from django.db import connection

    if connection.vendor == "sqlite":
        # Hundreds of small transactions: do not wait for the disk on each commit of demo data.
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA synchronous=OFF")
        try:
            return _seed(stdout)
        finally:
            with connection.cursor() as cursor:
                cursor.execute("PRAGMA synchronous=FULL")
    return _seed(stdout)


def _seed(stdout):
    from faker import Faker

    carriers = _setup()
    if Order.objects.filter(external_id__startswith="DEMO-").exists():
        stdout.write(f"orders: {Order.objects.count()} orders (already seeded)")
        return
    skus = list(
        Sku.objects.filter(is_active=True, product__status=Product.Status.PUBLISHED, stock_levels__on_hand__gt=0)
        .distinct()
        .order_by("pk")[:200]
    )
    if not skus:
        stdout.write("orders: no published SKUs with stock; no demo orders")
        return
    fake = Faker("zh_CN")
    fake.seed_instance(5)
    rnd = random.Random(5)
    actor = get_user_model().objects.filter(username=OWNER_USERNAME).first() or "demo"
    customers = []
    for _i in range(40):
        try:
            customers.append(customer_upsert(phone=fake.phone_number(), name=fake.name(), email=fake.email()))
        except DomainError:
            continue
    now = timezone.now()
    made = 0
    for i in range(ORDERS):
        target = STATES[i % len(STATES)]
        age = (
            timedelta(minutes=rnd.randint(1, 20))
            if target == "pending_payment"
            else timedelta(days=rnd.uniform(0, 90))
            if target in ("completed", "cancelled", "closed")
            else timedelta(days=rnd.uniform(0, 12))
        )
        if target in ("completed", "delivered"):
            age = max(age, timedelta(days=9 if target == "delivered" else 25))
        placed = now - age
        customer = rnd.choice(customers)
        lines = [(sku.code, rnd.randint(1, 2)) for sku in rnd.sample(skus, rnd.randint(1, 3))]
        try:
            order, _created = services.order_place(
                external_id=f"DEMO-{i:05d}",
                customer={"phone": customer.phone, "name": customer.name},
                shipping_address={
                    "name": customer.name,
                    "phone": customer.phone,
                    "province": fake.province(),
                    "city": fake.city(),
                    "district": fake.district() + "区",
                    "detail": fake.street_address(),
                    "postcode": fake.postcode(),
                },
                lines=lines,
                payment_method=rnd.choice(["alipay", "alipay", "wechat", "wechat", "unionpay", "cod"]),
                channel=rnd.choice(["web", "app", "miniprogram"]),
                note=rnd.choice(["", "", "请尽快发货", "周末送货"]),
                actor="storefront",
                now=placed,
            )
            _advance(order, target, placed=placed, actor=actor, carriers=carriers, rnd=rnd, now=now)
        except DomainError:
            continue
        made += 1
    stdout.write(f"orders: {made} demo orders over 90 days, {len(carriers)} carriers")


def _advance(order, target, *, placed, actor, carriers, rnd, now):
    """Move a freshly placed demo order to its target state, then backdate its timestamps."""
    if order.is_abnormal:
        services.order_clear_abnormal(order=order, actor=actor)
    if target == "pending_payment":
        return
    if target == "closed":
        if order.pay_by is None:  # cash on delivery has no time to pay: the customer cancels instead
            services.order_cancel(order=order, actor="storefront", reason="客户取消", by_customer=True)
        else:
            services.orders_close_unpaid(now=order.pay_by + timedelta(seconds=1))
        return
    paid_at = placed + timedelta(minutes=rnd.randint(1, 20))
    services.order_mark_paid(order=order, amount=order.total, paid_at=paid_at, actor="payment")
    order.refresh_from_db()
    if target == "abnormal":
        if not order.is_abnormal:
            services.order_flag_abnormal(
                order=order, reason=rnd.choice(["out_of_stock", "risk", "address"]), actor=actor
            )
        return
    if target == "cancelled":
        services.order_cancel(order=order, actor=actor, reason="客户申请取消")
        return
    if order.is_abnormal:
        services.order_clear_abnormal(order=order, actor=actor)
    if target == "paid":
        return
    services.order_allocate(order=order, actor=actor)
    if target == "allocated":
        return
    services.order_pick(order=order, actor=actor)
    if target == "picking":
        return
    carrier = order.preferred_carrier or rnd.choice(carriers)
    services.order_ship(order=order, carrier=carrier, tracking_number=_tracking(carrier, rnd), actor=actor)
    shipped_at = paid_at + timedelta(hours=rnd.randint(2, 30))
    Order.objects.filter(pk=order.pk).update(shipped_at=shipped_at)
    order.shipments.update(shipped_at=shipped_at)
    if target in ("delivered", "completed"):
        services.order_deliver(order=order, actor=actor)
        delivered_at = shipped_at + timedelta(days=rnd.randint(1, 4))
        Order.objects.filter(pk=order.pk).update(delivered_at=min(delivered_at, now - timedelta(days=8)))
    if target == "completed":
        services.order_complete(order=order, actor=actor)
        Order.objects.filter(pk=order.pk).update(completed_at=placed + timedelta(days=15))
    stamps = {
        "placed": placed,
        "pay": paid_at,
        "dispatch": paid_at,
        "allocate": paid_at + timedelta(hours=1),
        "pick": paid_at + timedelta(hours=2),
        "ship": shipped_at,
    }
    for kind, when in stamps.items():
        OrderEvent.objects.filter(order=order, kind=kind).update(created_at=min(when, now))
