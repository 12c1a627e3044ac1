"""Past one machine (`python -m reliability --servers 2 --workers 2`): the checks that only mean something with
more than one app server and worker sharing one PostgreSQL and one Redis.

- sessions: a staff login on one server is valid on the other, and a logout on the other ends it on the first;
- contests: many buyers on both servers race for a hot SKU of N units and for a flash sale of N units: exactly N
  are sold of each, none oversold (the API's answers and the database's rows agree);
- job ticks: every minute job ran once per tick (JobRun rows grouped by job and tick: one done, the other
  messages of the tick — one per beat — recorded as skipped).
"""

import threading
import time
import uuid
from collections import Counter, defaultdict
from datetime import timedelta

from reliability.load import Session

MINUTE_JOBS = ("outbox_dispatch", "close_unpaid_orders")


def _address(n):
    return {
        "name": "抢购顾客",
        "phone": f"137{n:08d}",
        "province": "上海",
        "city": "上海",
        "district": "静安区",
        "detail": f"南京西路 {n} 号",
    }


def sessions_across(bases, username, password):
    """Log in on the first server, use the session on every other one, log out on the last, come back."""
    first = Session(bases[0])
    first.headers["Accept-Language"] = "en"
    first.request("GET", "/login/")
    csrf = {"X-CSRFToken": first.cookies.get("csrftoken", "")}
    login = first.request("POST", "/login/", data={"username": username, "password": password}, headers=csrf)
    seen = {}
    for base in bases[1:]:
        other = Session(base)
        other.cookies = first.cookies  # the browser's cookie jar: one for the site, whichever server answers
        seen[base] = other.request("GET", "/").status_code
    last = Session(bases[-1])
    last.cookies = first.cookies
    logout = last.request("POST", "/logout/", headers={"X-CSRFToken": first.cookies.get("csrftoken", "")})
    after = first.request("GET", "/")
    ok = (
        login.status_code == 302
        and all(code == 200 for code in seen.values())
        and after.status_code == 302
        and "/login/" in after.headers.get("Location", "")
    )
    return {
        "login_on": bases[0],
        "login_status": login.status_code,
        "dashboard_on_others": seen,
        "logout_on": bases[-1],
        "logout_status": logout.status_code,
        "first_after_logout": after.status_code,
        "ok": ok,
    }


def contest_setup(units):
    """A hot SKU with exactly `units` in stock, and a running flash sale of `units` of another SKU (one per buyer)."""
    from django.utils import timezone

    from catalog.models import Product, Sku
    from inventory.models import Warehouse
    from inventory.services import stock_receive
    from marketing import flash

    tag = uuid.uuid4().hex[:6].upper()
    warehouse = Warehouse.objects.order_by("pk").first()
    skus = []
    for kind in ("HOT", "FS"):
        product = Product.objects.create(code=f"P-{kind}-{tag}", name="抢购商品", status=Product.Status.PUBLISHED)
        sku = Sku.objects.create(product=product, code=f"{kind}-{tag}", price="99.00", cost="30.00")
        stock_receive(sku=sku, warehouse=warehouse, quantity=units if kind == "HOT" else units * 3, actor=None)
        skus.append(sku)
    now = timezone.now()
    session = flash.flash_session_save(
        actor=None, name=f"抢购 {tag}", starts_at=now - timedelta(seconds=5), ends_at=now + timedelta(hours=1)
    )
    item = flash.flash_item_add(
        actor=None, session=session, sku=skus[1], sale_price="9.90", quantity=units, per_customer_limit=1
    )
    return {"hot_sku": skus[0].code, "flash_sku": skus[1].code, "flash_session": session.pk, "flash_item": item.pk}


def contest_run(bases, key, setup, buyers):
    """`buyers` buyers (alternating servers) each try one unit of the hot SKU and one of the flash sale, all at once."""
    answers = {"hot": Counter(), "flash": Counter()}
    by_server = {"hot": defaultdict(int), "flash": defaultdict(int)}
    lock, start = threading.Lock(), threading.Barrier(buyers)

    def buyer(n):
        session = Session(bases[n % len(bases)])
        session.headers["Authorization"] = f"Bearer {key}"
        start.wait()
        for what, sku, extra in (
            ("hot", setup["hot_sku"], {}),
            ("flash", setup["flash_sku"], {"flash_sale_id": setup["flash_session"]}),
        ):
            payload = {
                "external_id": f"contest-{uuid.uuid4().hex[:16]}",
                "customer": {"phone": f"136{n:08d}", "name": "抢购顾客"},
                "shipping_address": _address(n),
                "lines": [{"sku": sku, "quantity": 1}],
                "payment_method": "alipay",
                **extra,
            }
            try:
                status = session.request(
                    "POST", "/api/v1/orders", json_body=payload, headers={"Idempotency-Key": str(uuid.uuid4())}
                ).status_code
            except OSError as e:
                status = type(e).__name__
            with lock:
                answers[what][status] += 1
                if status == 201:
                    by_server[what][bases[n % len(bases)]] += 1

    threads = [threading.Thread(target=buyer, args=(n,)) for n in range(buyers)]
    started = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    seconds = round(time.monotonic() - started, 1)
    return {
        "answers": {w: {str(k): v for k, v in c.items()} for w, c in answers.items()},
        "sold_by_server": {w: dict(c) for w, c in by_server.items()},
        "seconds": seconds,
    }


def contest_check(setup, units, run):
    """What the database holds after the contest, against what the buyers were told."""
    from django.db import close_old_connections
    from django.db.models import Sum

    from inventory.models import StockLevel
    from marketing.models import FlashClaim, FlashSaleItem
    from orders.models import OrderLine

    close_old_connections()
    hot_lines = OrderLine.objects.filter(sku__code=setup["hot_sku"]).aggregate(n=Sum("quantity"))["n"] or 0
    level = StockLevel.objects.filter(sku__code=setup["hot_sku"]).aggregate(
        on_hand=Sum("on_hand"), reserved=Sum("reserved")
    )
    item = FlashSaleItem.objects.get(pk=setup["flash_item"])
    claims = FlashClaim.objects.filter(item=item).aggregate(n=Sum("quantity"))["n"] or 0
    hot_ok, flash_ok = run["answers"]["hot"].get("201", 0), run["answers"]["flash"].get("201", 0)
    result = {
        "units": units,
        "hot": {
            "accepted": hot_ok,
            "ordered_units": hot_lines,
            "on_hand": level["on_hand"],
            "reserved": level["reserved"],
            "oversold": max(0, hot_lines - units),
        },
        "flash": {
            "accepted": flash_ok,
            "claimed_units": claims,
            "sold": item.quantity - item.remaining,
            "remaining": item.remaining,
            "oversold": max(0, claims - units),
        },
    }
    result["ok"] = (
        hot_ok == units == hot_lines
        and level["reserved"] <= level["on_hand"]
        and flash_ok == units == claims == item.quantity - item.remaining
    )
    return result


def job_ticks(since):
    """For each minute job: its JobRun rows since `since`, grouped by tick: how many ran, how many were skipped."""
    from django.db import close_old_connections

    from shop.jobs import kind_of
    from shop.models import JobRun

    close_old_connections()
    out = {}
    for name in MINUTE_JOBS:
        rows = JobRun.objects.filter(kind=kind_of(name), created_at__gte=since)
        ran = Counter(rows.exclude(state=JobRun.State.SKIPPED).exclude(tick=None).values_list("tick", flat=True))
        skipped = Counter(
            tick for tick in rows.filter(state=JobRun.State.SKIPPED).values_list("result__tick", flat=True)
        )
        out[name] = {
            "ticks": len(ran),
            "ran_once": sum(1 for n in ran.values() if n == 1),
            "ran_more": sum(1 for n in ran.values() if n > 1),
            "skipped_messages": sum(skipped.values()),
            "per_tick": {
                tick.strftime("%H:%M"): {"ran": n, "skipped": skipped.get(tick.isoformat(), 0)}
                for tick, n in sorted(ran.items())
            },
        }
    return out
