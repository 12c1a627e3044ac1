"""The other half of test_replica.py: run in a process whose DATABASE_URL is the primary and DATABASE_REPLICA_URL the
streaming standby (`python -m tests.reliability.replica_child`). It migrates, writes orders and their payments (the
rollups follow), waits for the standby to replay them, and prints what the reports read there and on the primary."""

import json
import os
import time
from datetime import timedelta

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connections  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402


def lsn(alias, sql):
    with connections[alias].cursor() as cursor:
        cursor.execute(sql)
        return cursor.fetchone()[0]


def main():
    # The tables straight from the models (as pytest-django's --nomigrations does: the migrations take a minute
    # on a loaded machine), then the one seed intake needs: the payment methods.
    import importlib
    from decimal import Decimal

    from django.apps import apps
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.test import Client

    from catalog.models import Product, Sku
    from inventory.models import Warehouse
    from inventory.services import stock_receive
    from orders.services import order_place
    from payments.gateways import get_gateway
    from payments.services import payment_callback_handle
    from reports import selectors
    from reports.models import SalesDay
    from reports.periods import Period, local_today
    from reports.routers import ReplicaRouter

    settings.MIGRATION_MODULES = {config.label: None for config in apps.get_app_configs()}
    schema = time.monotonic()
    call_command("migrate", run_syncdb=True, verbosity=0)
    importlib.import_module("payments.migrations.0002_seed").seed(apps, None)
    schema = round(time.monotonic() - schema, 1)
    out = {
        "schema_seconds": schema,
        "router": {"read": ReplicaRouter().db_for_read(SalesDay), "write": ReplicaRouter().db_for_write(SalesDay)},
    }
    orders = int(os.environ.get("REPLICA_ORDERS", "20"))
    started = time.monotonic()
    with CaptureQueriesContext(connections["replica"]) as on_replica:
        product = Product.objects.create(code="P-REPL", name="复制测试", status=Product.Status.PUBLISHED)
        sku = Sku.objects.create(product=product, code="REPL-1", price=Decimal("88.00"), cost=Decimal("30.00"))
        warehouse = Warehouse.objects.create(code="SH", name="上海仓", province="上海", city="上海")
        stock_receive(sku=sku, warehouse=warehouse, quantity=1000, actor=None)
        gateway = get_gateway("alipay")
        for n in range(orders):
            order, _ = order_place(
                customer={"phone": f"1380013{n:04d}", "name": "顾客"},
                shipping_address={
                    "name": "顾客",
                    "phone": f"1380013{n:04d}",
                    "province": "上海",
                    "city": "上海",
                    "district": "静安区",
                    "detail": f"南京西路 {n} 号",
                },  # fmt: skip
                lines=[(sku.code, 1 + n % 3)],
                payment_method="alipay",
            )
            if n % 2 == 0:
                body, signature = gateway.simulate_payment(order_number=order.number, amount=order.total)
                payment_callback_handle(provider="alipay", body=body, signature=signature)
    out["writes_seconds"] = round(time.monotonic() - started, 2)
    out["replica_queries_during_writes"] = len(on_replica.captured_queries)

    target = lsn("default", "SELECT pg_current_wal_lsn()::text")
    waited = time.monotonic()
    while lsn("replica", f"SELECT pg_wal_lsn_diff(pg_last_wal_replay_lsn(), '{target}') >= 0") is not True:
        if time.monotonic() - waited > 30:
            raise SystemExit("the standby did not replay the writes in 30 s")
        time.sleep(0.01)
    out["replay_wait_ms"] = round(1000 * (time.monotonic() - waited), 1)
    out["replica_in_recovery"] = lsn("replica", "SELECT pg_is_in_recovery()")

    today = local_today()
    period = Period(start=today - timedelta(days=1), end=today + timedelta(days=1))
    with CaptureQueriesContext(connections["replica"]) as reads:
        on_the_replica = selectors.sales_totals(period)
        by_method = selectors.sales_by(period, "payment_method")
    out["replica_queries_for_report"] = len(reads.captured_queries)
    real_alias = selectors.read_alias
    selectors.read_alias = lambda: "default"  # the same selector, reading the primary
    try:
        on_the_primary = selectors.sales_totals(period)
        by_method_primary = selectors.sales_by(period, "payment_method")
    finally:
        selectors.read_alias = real_alias
    out["replica"] = {k: str(v) for k, v in on_the_replica.items()}
    out["primary"] = {k: str(v) for k, v in on_the_primary.items()}
    out["by_method_match"] = by_method == by_method_primary and bool(by_method)

    owner = get_user_model().objects.create_superuser("replica-owner", password="x")
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(owner)
    with CaptureQueriesContext(connections["replica"]) as page_reads:
        page = client.get("/reports/sales-payment-method/?preset=30d")
    out["page"] = {"status": page.status_code, "replica_queries": len(page_reads.captured_queries)}

    try:
        SalesDay.objects.using("replica").update(orders_placed=0)
        out["replica_refuses_writes"] = False
    except Exception as e:  # a hot standby: "cannot execute UPDATE in a read-only transaction"
        out["replica_refuses_writes"] = "read-only" in str(e)
    print("RESULT " + json.dumps(out, ensure_ascii=False))


if __name__ == "__main__":
    main()
