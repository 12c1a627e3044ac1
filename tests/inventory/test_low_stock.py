import pytest

from inventory import selectors, services
from inventory.tasks import low_stock_alerts
from shop.models import Notification
from shop.selectors import store_settings

pytestmark = pytest.mark.django_db


def _alerts():
    return list(Notification.objects.filter(kind="low_stock").values_list("recipient__username", "title"))


def test_low_stock_job_alerts_the_warehouse_team_once_per_episode(
    sku, warehouse, owner, make_staff, mailoutbox, django_capture_on_commit_callbacks
):
    make_staff("warehouse", email="cangku@example.com")
    make_staff("finance")
    services.low_stock_rule_set(sku=sku, kind="absolute", value=5, actor=owner)
    services.stock_receive(sku=sku, warehouse=warehouse, quantity=8, actor=owner)
    assert low_stock_alerts() == {"opened": 0, "closed": 0}

    services.stock_reserve(items=[(sku, 4)], reference="SO1")  # 4 available <= 5
    with django_capture_on_commit_callbacks(execute=True):
        assert low_stock_alerts()["opened"] == 1
    assert low_stock_alerts()["opened"] == 0  # the same episode: no second alert
    assert _alerts() == [("warehouse_user", "1 个 SKU 库存不足")]
    assert len(mailoutbox) == 1 and sku.code in mailoutbox[0].body

    services.stock_receive(sku=sku, warehouse=warehouse, quantity=10, actor=owner)
    assert low_stock_alerts() == {"opened": 0, "closed": 1}
    services.stock_commit(reference="SO1")
    services.stock_adjust(sku=sku, warehouse=warehouse, quantity=-10, reason="破损", actor=owner)
    assert low_stock_alerts()["opened"] == 1
    assert len(_alerts()) == 2


def test_threshold_defaults_to_the_store_setting_and_days_of_cover_follow_sales(make_sku, warehouse, owner):
    settings = store_settings()
    settings.low_stock_default_threshold = 3
    settings.save()
    plain, fast = make_sku("PLAIN"), make_sku("FAST")
    for sku in (plain, fast):
        services.stock_receive(sku=sku, warehouse=warehouse, quantity=64, actor=owner)
    services.stock_adjust(sku=plain, warehouse=warehouse, quantity=-61, reason="盘亏", actor=owner)
    services.low_stock_rule_set(sku=fast, kind="days", value=7, actor=owner)
    services.stock_reserve(items=[(fast, 30)], reference="SO1")
    services.stock_commit(reference="SO1")  # 30 sold in 30 days: 1 a day, 7 days of cover = 7
    rows = {s.code: (s.available, s.threshold) for s in selectors.sku_stock()}
    assert rows == {"PLAIN": (3, 3), "FAST": (34, 7)}
    assert [s.code for s in selectors.low_stock()] == ["PLAIN"]


def test_the_warehouse_dashboard_counts_skus_at_low_stock(client_as, make_staff):
    from decimal import Decimal

    from catalog.models import Category, Product, Sku
    from inventory.models import Warehouse
    from inventory.services import stock_receive

    category = Category.objects.add_root({"name": "仪表盘测试"})
    product = Product.objects.create(code="DASH-1", name="低库存商品", category=category)
    sku = Sku.objects.create(product=product, code="DASH-1-A", price=Decimal("9.90"))
    warehouse = Warehouse.objects.create(name="上海仓", code="SH-D", priority=1)
    stock_receive(sku=sku, warehouse=warehouse, quantity=2, actor=make_staff("owner", username="boss"))
    html = client_as("warehouse").get("/").content.decode()
    figure = html.split('data-work="inventory_low_stock"><strong>')[1].split("<")[0]
    assert figure == "1" and "低库存 SKU" in html
