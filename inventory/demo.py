"""Demo data: three warehouses, suppliers, and stock for the catalogue's demo SKUs (through stock_receive)."""

from decimal import Decimal

from django.contrib.auth import get_user_model

from catalog.models import Sku
from inventory import services
from inventory.models import StockMovement, Supplier, SupplierSku, Warehouse
from shop.demo import OWNER_USERNAME
from shop.money import to_cents

WAREHOUSES = [
    ("SH", "上海仓", "上海", "上海", 10),
    ("GZ", "广州仓", "广东", "广州", 20),
    ("BJ", "北京仓", "北京", "北京", 30),
]
SUPPLIERS = [
    ("杭州织造服饰有限公司", "王经理", "0571-8688 1201", 7),
    ("广州美妆供应链有限公司", "李小姐", "020-3888 6502", 5),
    ("深圳数码贸易有限公司", "陈先生", "0755-2666 9103", 10),
]


def seed(stdout):
    actor = get_user_model().objects.filter(username=OWNER_USERNAME).first()
    warehouses = [
        Warehouse.objects.get_or_create(
            code=code, defaults={"name": name, "province": province, "city": city, "priority": priority}
        )[0]
        for code, name, province, city, priority in WAREHOUSES
    ]
    suppliers = [
        Supplier.objects.get_or_create(
            name=name, defaults={"contact_name": contact, "phone": phone, "lead_time_days": days}
        )[0]
        for name, contact, phone, days in SUPPLIERS
    ]
    skus = list(Sku.objects.filter(is_active=True).order_by("pk"))
    if not skus or StockMovement.objects.exists():
        stdout.write(f"inventory: {len(warehouses)} warehouses, {len(suppliers)} suppliers")
        return
    for i, sku in enumerate(skus):
        for w, warehouse in enumerate(warehouses):
            # every 25th SKU is nearly out of stock, so the low-stock page and alerts have something to show
            quantity = (i * 7 + w * 13) % 60 - 5 * w if i % 25 else w
            if quantity > 0:
                services.stock_receive(
                    sku=sku,
                    warehouse=warehouse,
                    quantity=quantity,
                    actor=actor,
                    reference=f"DEMO-{warehouse.code}",
                )
        SupplierSku.objects.get_or_create(
            supplier=suppliers[i % len(suppliers)],
            sku=sku,
            defaults={"cost": sku.cost or to_cents(sku.price * Decimal("0.5"))},
        )
    stdout.write(f"inventory: {len(warehouses)} warehouses, {len(suppliers)} suppliers, stock for {len(skus)} SKUs")
