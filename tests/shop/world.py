"""One real object of every model a back-office URL takes a pk of, and the URL kwargs that open each.

The generated walks (tests/shop/test_rbac.py, tests/shop/test_fuzz_forms.py) fill `<int:pk>` with these,
so every detail page and form is really reached instead of answering 404 to a made-up pk.
"""

import importlib
import re
from datetime import timedelta
from decimal import Decimal

from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

SKIP_PREFIXES = ("admin/", "api/", "i18n/", "login/", "logout/", "static/", "media/")


def _walk(patterns, prefix="", namespace=""):
    for p in patterns:
        route = prefix + str(p.pattern)
        if route.startswith(SKIP_PREFIXES):
            continue
        if isinstance(p, URLResolver):
            inner = f"{namespace}{p.namespace}:" if p.namespace else namespace
            yield from _walk(p.url_patterns, route, inner)
        elif isinstance(p, URLPattern):
            yield route, f"{namespace}{p.name}", p.callback


# (route, "namespace:name", view) for every back-office URL pattern, sorted by route.
ROUTES = sorted(_walk(get_resolver().url_patterns), key=lambda r: r[0])
PUBLIC = ("password_change", "password_change_done")  # Django's own views, any logged-in user
PAGES = [r for r in ROUTES if r[1] not in PUBLIC]


# For the walks that need no objects (tests/shop/test_huge_integers.py, test_navigation.py).
ROUTE_VIEWS = [(route, view) for route, _name, view in ROUTES]
DUMMY = {"int": "999999", "slug": "x", "str": "x", "path": "x", "uuid": "00000000-0000-0000-0000-000000000000"}


def dummy_url(route):
    """The route with made-up parameters (a pk that exists nowhere)."""
    return "/" + re.sub(r"<(?:(\w+):)?\w+>", lambda m: DUMMY[m.group(1) or "str"], route)


def url(route, world):
    """The route with every parameter filled from the world (KeyError: the world lacks that model)."""
    kwargs = world["kwargs"].get(_name_of(route), {})

    def fill(match):
        return str(kwargs[match.group(1)])

    return "/" + re.sub(r"<(?:\w+:)?(\w+)>", fill, route)


def _name_of(route):
    return next(name for r, name, _v in ROUTES if r == route)


def _seed_payments():
    """The seeded payment methods and risk rules (a transactional test elsewhere may have flushed them)."""
    importlib.import_module("payments.migrations.0002_seed").seed(apps, None)


def _png() -> bytes:
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), (0, 128, 0)).save(buffer, "PNG")
    return buffer.getvalue()


def build_world(owner, user=None):
    """Create one of everything and return {"kwargs": {url name: kwargs}, "objects": {...}}.

    The job run and the notification belong to `user` (default: the owner): only their owner opens them.
    """
    from catalog.models import AttributeDefinition, Brand, Category, Product, Sku, Tag
    from customers.models import (
        BestSeller,
        Customer,
        CustomerAddress,
        CustomerTag,
        MemberTier,
        ProductPair,
        Segment,
        TierChange,
    )
    from customers.services import points_adjust
    from inventory.models import (
        LowStockRule,
        PurchaseOrder,
        PurchaseOrderLine,
        ReplenishmentRule,
        Stocktake,
        StocktakeLine,
        Supplier,
        SupplierSku,
        Warehouse,
    )
    from inventory.services import stock_receive
    from orders.models import Carrier, DispatchRule, FreightTemplate, Order, OrderLine, Shipment
    from payments.models import (
        BlacklistEntry,
        Payment,
        PaymentMethod,
        ReconciliationRun,
        RiskAssessment,
        RiskRule,
        SettlementBatch,
    )
    from payments.services import refund_request
    from shop.models import Announcement, JobRun, Notification
    from shop.services import apikey_create
    from tests.catalog.factories import ImageFactory

    _seed_payments()
    now = timezone.now()
    today = timezone.localdate()
    category = Category.objects.add_root({"name": "上衣"})
    brand = Brand.objects.create(name="优衣库")
    tag = Tag.objects.create(name="新品")
    attribute = AttributeDefinition.objects.create(name="颜色")
    product = Product.objects.create(code="P-WORLD", name="纯棉T恤", brand=brand, category=category)
    sku = Sku.objects.create(product=product, code="WORLD-M", price=Decimal("99.00"), cost=Decimal("40.00"))
    image = ImageFactory(product=product)
    warehouse = Warehouse.objects.create(code="WSH", name="上海仓", province="上海", city="上海")
    stock_receive(sku=sku, warehouse=warehouse, quantity=50, actor=None)
    supplier = Supplier.objects.create(name="杭州纺织")
    supplier_sku = SupplierSku.objects.create(supplier=supplier, sku=sku, cost=Decimal("38.00"))
    po = PurchaseOrder.objects.create(supplier=supplier, warehouse=warehouse, created_by=owner)
    PurchaseOrderLine.objects.create(order=po, sku=sku, quantity=10, unit_cost=Decimal("38.00"))
    stocktake = Stocktake.objects.create(warehouse=warehouse, created_by=owner)
    StocktakeLine.objects.create(stocktake=stocktake, sku=sku, expected=50)
    low_rule = LowStockRule.objects.create(sku=sku, value=5)
    replenishment = ReplenishmentRule.objects.create(sku=sku, supplier=supplier, reorder_point=5, order_up_to=20)

    member_tier = MemberTier.objects.create(name="金卡", rank=2, threshold=Decimal("5000.00"))
    bag = Product.objects.create(code="P-WORLD-BAG", name="帆布袋", status=Product.Status.PUBLISHED)
    ProductPair.objects.create(product=product, other=bag, together=2, score=0.5, lift=1.5, rank=1)
    BestSeller.objects.create(product=bag, orders=2, rank=1)

    customer = Customer.objects.create(phone="13800138000", name="张三")
    TierChange.objects.create(customer=customer, to_tier=member_tier, reason=TierChange.Reason.RECOMPUTE)
    points_adjust(customer=customer, points=500, reason="开业赠送", actor=owner)  # a points ledger row
    vip = CustomerTag.objects.create(name="VIP")
    customer.tags.add(vip)
    segment = Segment.objects.create(name="VIP 客户", rules={"tags": {"match": "any", "ids": [vip.pk]}})
    address = CustomerAddress.objects.create(
        customer=customer,
        name="张三",
        phone="13800138000",
        province="上海",
        city="上海市",
        district="浦东新区",
        detail="世纪大道1号",
        is_default=True,
    )
    from customers.models import CustomerMessage, InteractionNote, OutboundMessage

    note = InteractionNote.objects.create(customer=customer, kind="call", text="回访", follow_up_at=now, author=owner)
    customer_message = CustomerMessage.objects.create(customer=customer, subject="什么时候发货", text="请尽快发货")
    OutboundMessage.objects.create(customer=customer, channel="sms", to=customer.phone, text="已发货", status="sent")
    carrier = Carrier.objects.create(name="顺丰速运", code="sf", tracking_pattern=r"SF\d{12}")
    freight = FreightTemplate.objects.create(name="全国包邮")
    dispatch = DispatchRule.objects.create(name="江浙沪走顺丰", provinces="上海,江苏,浙江", carrier=carrier)
    from customers.models import MemberTier
    from marketing.models import Activity, CouponTemplate, MemberPrice, StackingRule, TimedDiscount

    window = {"starts_at": now - timedelta(days=1), "ends_at": now + timedelta(days=1)}
    timed_discount = TimedDiscount.objects.create(name="限时九折", percent_off=Decimal("10"), **window)
    activity = Activity.objects.create(name="满200减20", tiers=[["200", "20"]], **window)
    coupon_template = CouponTemplate.objects.create(
        name="十元券", amount=Decimal("10"), valid_from=window["starts_at"], valid_until=window["ends_at"]
    )
    tier = MemberTier.objects.create(name="世界金卡", rank=90, discount_percent=Decimal("5"))
    member_price = MemberPrice.objects.create(tier=tier, sku=sku, price=Decimal("90.00"))
    stacking_rule = StackingRule.objects.create(kind="coupon", combines_with=["member_price"])
    from marketing.models import Bundle, BundleItem

    bundle = Bundle.objects.create(name="T恤两件套", price=Decimal("150.00"), **window)
    BundleItem.objects.create(bundle=bundle, sku=sku, quantity=2)

    def order(number, status, method="alipay"):
        made = Order.objects.create(
            number=number,
            status=status,
            customer=customer,
            subtotal=Decimal("99.00"),
            total=Decimal("99.00"),
            payment_method=method,
            placed_at=now,
            ship_name="张三",
            ship_phone="13800138000",
            ship_province="上海",
            ship_city="上海市",
            ship_district="浦东新区",
            ship_detail="世纪大道100号",
        )
        OrderLine.objects.create(
            order=made,
            sku=sku,
            sku_code=sku.code,
            name="纯棉T恤",
            quantity=1,
            unit_price=Decimal("99.00"),
            line_total=Decimal("99.00"),
        )
        return made

    paid = order("W000000000001", Order.Status.PAID)
    shipped = order("W000000000002", Order.Status.SHIPPED)
    cod = order("W000000000003", Order.Status.SHIPPED, method="cod")
    shipment = Shipment.objects.create(order=shipped, carrier=carrier, tracking_number="SF123456789012")
    alipay = PaymentMethod.objects.get(code="alipay")
    payment = Payment.objects.create(
        order=paid, method=alipay, transaction_id="TX-WORLD-1", amount=Decimal("99.00"), paid_at=now
    )
    refund = refund_request(payment=payment, actor=owner, reason="尺码不合适", amount=Decimal("10.00"))
    risk = RiskAssessment.objects.create(order=paid, score=80, decision=RiskAssessment.Decision.HELD)
    BlacklistEntry.objects.create(kind=BlacklistEntry.Kind.choices[0][0], value="13900000000", created_by=owner)
    blacklist = BlacklistEntry.objects.get()
    reconciliation = ReconciliationRun.objects.create(method=alipay, day=today, created_by=owner)
    SettlementBatch.objects.create(method=alipay, day=today - timedelta(days=1), due_on=today)

    from marketing.models import FlashSaleItem, FlashSession, GroupBuy, GroupBuyKey

    flash_session = FlashSession.objects.create(name="十点场", starts_at=now, ends_at=now + timedelta(hours=1))
    FlashSaleItem.objects.create(session=flash_session, sku=sku, sale_price=Decimal("9.90"), quantity=2, remaining=2)
    group_buy = GroupBuy.objects.create(
        id=GroupBuyKey.objects.create().pk,
        name="两人团",
        sku=sku,
        group_size=2,
        group_price=Decimal("59.00"),
        starts_at=now,
        ends_at=now + timedelta(days=1),
    )
    from marketing.models import Experiment, ExperimentVariant

    experiment = Experiment.objects.create(name="券面额测试", starts_at=now, ends_at=now + timedelta(days=7))
    ExperimentVariant.objects.create(experiment=experiment, position=0, name="对照", weight=1)
    ExperimentVariant.objects.create(experiment=experiment, position=1, name="十元券", weight=1)
    # after-sales: complaints and the knowledge base
    from aftersales.models import FaqArticle, FaqCategory
    from aftersales.services import complaint_create

    complaint = complaint_create(actor=owner, customer=customer, category="service", description="客服不回消息")
    faq_category = FaqCategory.objects.create(name="退换货")
    faq_article = FaqArticle.objects.create(category=faq_category, question="怎么退货", answer="<p>七天无理由</p>")
    staff = get_user_model().objects.create_user(username="world_staff", password="Correct-Horse-42")
    announcement = Announcement.objects.create(title="双十一发货安排", created_by=owner)
    key = apikey_create(actor=owner, name="storefront", scopes=["orders:read"])[0]
    user = user or owner
    job = JobRun.objects.create(kind="export", label="导出商品", created_by=user, state=JobRun.State.DONE)
    job.output.save("products.csv", ContentFile(b"code,name\nP-WORLD,T\n"))
    notification = Notification.objects.create(recipient=user, title="低库存", url="/inventory/low-stock/")
    # -- reports: anomaly monitoring (dashboard)
    from reports.models import Anomaly

    anomaly = Anomaly.objects.create(
        metric=Anomaly.Metric.ORDERS,
        hour=now.replace(minute=0, second=0, microsecond=0),
        direction=Anomaly.Direction.SPIKE,
        observed=Decimal("130"),
        expected=Decimal("40"),
        band_low=Decimal("20"),
        band_high=Decimal("60"),
        score=12.5,
        baseline=[[(now - timedelta(weeks=k)).isoformat(), 40] for k in range(8, 0, -1)],
        threshold_percent=50,
    )

    # -- after-sales requests: one request with a line and a photo, a reason, a rule, an excluded category --
    from aftersales.models import (
        AftersalesEvidence,
        AftersalesExcludedCategory,
        AftersalesLine,
        AftersalesReason,
        AftersalesRequest,
        AutoApprovalRule,
    )

    as_reason = AftersalesReason.objects.create(name="世界理由", code="world-reason", kinds=["return"])
    as_request = AftersalesRequest.objects.create(
        number="AS2026010100001", order=shipped, kind="return", reason=as_reason, respond_due_at=now
    )
    AftersalesLine.objects.create(request=as_request, order_line=shipped.lines.get(), quantity=1)
    as_evidence = AftersalesEvidence(request=as_request)
    as_evidence.image.save("world.png", ContentFile(_png()), save=True)
    as_rule = AutoApprovalRule.objects.create(name="世界规则", max_amount=Decimal("10.00"))
    as_excluded = AftersalesExcludedCategory.objects.create(category=category)
    # -- aftersales: reviews and surveys --
    from aftersales.models import ModerationKeyword, Review, Survey

    delivered = order("W000000000009", Order.Status.DELIVERED)
    review_line = delivered.lines.get()
    review = Review.objects.create(
        order_line=review_line,
        order=delivered,
        order_number=delivered.number,
        product=product,
        sku=sku,
        sku_code=sku.code,
        customer=customer,
        rating=2,
        text="尺码偏小",
    )
    moderation_keyword = ModerationKeyword.objects.create(word="假货")
    Survey.objects.create(kind=Survey.Kind.ORDER, order=delivered, order_number=delivered.number, customer=customer)

    # reports: scheduled report emails (analytics)
    from reports.models import ReportSchedule

    report_schedule = ReportSchedule.objects.create(report="customers", roles=["owner"], created_by=owner)
    pk = {
        "aftersales:request_detail": as_request,
        "aftersales:request_approve": as_request,
        "aftersales:request_reject": as_request,
        "aftersales:request_assign": as_request,
        "aftersales:request_note": as_request,
        "aftersales:request_receive": as_request,
        "aftersales:request_inspect": as_request,
        "aftersales:request_refund": as_request,
        "aftersales:request_ship_replacement": as_request,
        "aftersales:request_close": as_request,
        "aftersales:reason_edit": as_reason,
        "aftersales:reason_delete": as_reason,
        "aftersales:rule_edit": as_rule,
        "aftersales:rule_delete": as_rule,
        "aftersales:excluded_category_remove": as_excluded,
        "catalog:attributedefinition_edit": attribute,
        "catalog:attributedefinition_delete": attribute,
        "catalog:brand_edit": brand,
        "catalog:brand_delete": brand,
        "catalog:tag_edit": tag,
        "catalog:tag_delete": tag,
        "catalog:category_detail": category,
        "catalog:category_delete": category,
        "catalog:category_edit": category,
        "catalog:product_edit": product,
        "catalog:product_images": product,
        "catalog:product_publish": product,
        "catalog:product_schedule": product,
        "catalog:product_skus": product,
        "customers:customer_detail": customer,
        "marketing:timed_edit": timed_discount,
        "marketing:activity_edit": activity,
        "marketing:coupon_edit": coupon_template,
        "marketing:coupon_codes_generate": coupon_template,
        "marketing:coupon_issue": coupon_template,
        "marketing:coupon_report": coupon_template,
        "marketing:activity_report": activity,
        "marketing:timed_report": timed_discount,
        "marketing:member_price_edit": member_price,
        "marketing:member_price_delete": member_price,
        "marketing:stacking_edit": stacking_rule,
        "marketing:bundle_edit": bundle,
        "customers:customer_edit": customer,
        "customers:customer_tags": customer,
        "customers:address_create": customer,
        "customers:address_edit": address,
        "customers:address_delete": address,
        "customers:address_default": address,
        "customers:tier_edit": member_tier,
        "customers:tier_delete": member_tier,
        "customers:points_adjust": customer,
        "customers:customer_data_file": customer,
        "customers:customer_erase": customer,
        "customers:customer_timeline": customer,
        "customers:note_add": customer,
        "customers:note_done": note,
        "customers:message_detail": customer_message,
        "customers:message_assign": customer_message,
        "customers:message_reply": customer_message,
        "customers:message_status": customer_message,
        "customers:segment_detail": segment,
        "customers:segment_edit": segment,
        "customers:segment_recount": segment,
        "customers:segment_delete": segment,
        "inventory:po_detail": po,
        "inventory:po_cancel": po,
        "inventory:po_place": po,
        "inventory:po_receive": po,
        "inventory:replenishment_delete": replenishment,
        "inventory:rule_delete": low_rule,
        "inventory:stocktake_detail": stocktake,
        "inventory:stocktake_approve": stocktake,
        "inventory:stocktake_count": stocktake,
        "inventory:stocktake_sheet": stocktake,
        "inventory:supplier_edit": supplier,
        "inventory:supplier_sku_add": supplier,
        "inventory:supplier_sku_remove": supplier_sku,
        "inventory:warehouse_edit": warehouse,
        "orders:carrier_edit": carrier,
        "orders:rule_edit": dispatch,
        "orders:rule_delete": dispatch,
        "orders:freight_edit": freight,
        "orders:tracking_event_add": shipment,
        "payments:payment_detail": payment,
        "payments:refund_request": payment,
        "payments:blacklist_remove": blacklist,
        "payments:method_edit": alipay,
        "payments:reconciliation_detail": reconciliation,
        "payments:refund_approve": refund,
        "payments:refund_reject": refund,
        "payments:risk_approve": risk,
        "payments:risk_reject": risk,
        "payments:risk_rule_edit": RiskRule.objects.order_by("pk").first(),
        "marketing:flash_session_detail": flash_session,
        "marketing:flash_item_add": flash_session,
        "marketing:group_buy_detail": group_buy,
        "marketing:experiment_detail": experiment,
        "marketing:experiment_edit": experiment,
        "marketing:experiment_promote": experiment,
        "marketing:experiment_issue": experiment,
        "jobrun_detail": job,
        "jobrun_download": job,
        "notification_open": notification,
        "announcement_edit": announcement,
        "announcement_delete": announcement,
        "apikey_revoke": key,
        "staff_edit": staff,
        "staff_password": staff,
        # after-sales: complaints and the knowledge base
        "aftersales:complaint_detail": complaint,
        "aftersales:complaint_assign": complaint,
        "aftersales:complaint_respond": complaint,
        "aftersales:complaint_escalate": complaint,
        "aftersales:complaint_resolve": complaint,
        "aftersales:complaint_close": complaint,
        "aftersales:complaint_reopen": complaint,
        "aftersales:complaint_satisfaction": complaint,
        "aftersales:faq_edit": faq_article,
        "aftersales:faq_delete": faq_article,
        "aftersales:faq_category_edit": faq_category,
        "aftersales:faq_category_delete": faq_category,
        # aftersales: reviews
        "aftersales:review_detail": review,
        "aftersales:review_moderate": review,
        "aftersales:review_reply": review,
        "aftersales:keyword_delete": moderation_keyword,
        # reports: anomaly monitoring (dashboard)
        "reports:anomaly_detail": anomaly,
        "reports:anomaly_acknowledge": anomaly,
        # reports: scheduled report emails (analytics)
        "reports:schedule_edit": report_schedule,
        "reports:schedule_delete": report_schedule,
    }
    kwargs = {name: {"pk": obj.pk} for name, obj in pk.items()}
    for name in (
        "order_detail",
        "order_address",
        "order_allocate",
        "order_cancel",
        "order_deliver",
        "order_flag",
        "order_note",
        "packing_slip",
        "order_pick",
        "order_price",
        "order_resolve",
        "order_ship",
        "order_timeline",
        "order_unmerge",
    ):
        kwargs[f"orders:{name}"] = {"pk": paid.pk}
    kwargs["catalog:product_image_action"] = {"pk": product.pk, "image_pk": image.pk}
    kwargs["payments:cod_collect"] = {"order_pk": cod.pk}
    kwargs["orders:work_queue"] = {"queue": "allocate"}
    kwargs["module_home"] = {"module": "catalog"}
    kwargs["aftersales:evidence_image"] = {"pk": as_request.pk, "evidence_pk": as_evidence.pk}
    kwargs["aftersales:request_new"] = {"order_pk": shipped.pk}
    objects = {"product": product, "sku": sku, "order": paid, "payment": payment, "refund": refund}
    return {"kwargs": kwargs, "objects": objects}


OUR_APPS = ("shop", "catalog", "inventory", "orders", "payments", "customers", "marketing", "aftersales", "reports")


def row_counts():
    """{table: rows} for every table of our apps (and the users), read in one query."""
    from django.db import connection

    models = [m for m in apps.get_models() if m._meta.app_label in OUR_APPS and m._meta.managed]
    models.append(get_user_model())
    tables = sorted({m._meta.db_table for m in models})
    quote = connection.ops.quote_name
    sql = "SELECT " + ", ".join(f"(SELECT COUNT(*) FROM {quote(t)})" for t in tables)
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return dict(zip(tables, cursor.fetchone(), strict=True))
