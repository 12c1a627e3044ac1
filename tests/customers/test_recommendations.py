"""Recommendations on a small known basket set: the bought-together pairs and their scores, the product page and
customer page panels, the push list export and the nightly job."""

import csv
import io
from datetime import timedelta
from decimal import Decimal
from itertools import count

import openpyxl
import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from catalog.models import Product, Sku
from customers.models import BestSeller, Customer, CustomerTag, ProductPair
from customers.selectors import customer_recommendations, rank_recommendations
from customers.services import recommendations_recompute
from orders.models import Order, OrderLine
from shop.jobs import beat_schedule

S = Order.Status
_numbers = count(1)


def make_product(code, *, status=Product.Status.PUBLISHED, skus=1):
    product = Product.objects.create(code=code, name=f"商品{code}", status=status, price_min=Decimal("10.00"))
    for n in range(skus):
        Sku.objects.create(product=product, code=f"{code}-{n}", price=Decimal("10.00"))
    return product


def make_order(customer, skus, *, status=S.PAID, days_ago=5):
    """An order row with one line per SKU, made directly (exact statuses and dates)."""
    order = Order.objects.create(
        number=f"R{next(_numbers):010d}",
        status=status,
        customer=customer,
        payment_method="alipay",
        placed_at=timezone.now() - timedelta(days=days_ago),
        ship_name=customer.name,
        ship_phone=customer.phone,
        ship_province="上海",
        ship_city="上海市",
        ship_district="浦东新区",
        ship_detail="世纪大道1号",
    )
    for sku in skus:
        OrderLine.objects.create(
            order=order, sku=sku, sku_code=sku.code, name="x", quantity=1, unit_price=sku.price, line_total=sku.price
        )
    return order


def customer(n):
    return Customer.objects.create(phone=f"1380000{n:04d}", name=f"顾客{n}")


@pytest.fixture
def store(db):
    """Seven paid baskets, three that do not count, products A-F on sale and U off sale.

    1 c1: A B C (paid)   2 c2: A A' B (shipped; two SKUs of A)   3 c3: A C (completed)   4 c4: B C (delivered)
    5 c5: A B U (allocated)   6 c1: D E F (picking)   7 c2: E (shipped)
    X is only in a cancelled, an unpaid and a closed order (with A): it must not count.
    Baskets 7; holding A 4, B 4, C 3, E 2, D 1, F 1, U 1.
    """
    p = {code: make_product(code) for code in "ABCDEF"}
    p["A"] = Product.objects.get(pk=p["A"].pk)
    Sku.objects.create(product=p["A"], code="A-1", price=Decimal("12.00"))
    p["U"] = make_product("U", status=Product.Status.UNPUBLISHED)
    p["X"] = make_product("X")
    sku = {code: product.skus.order_by("id").first() for code, product in p.items()}
    c = {n: customer(n) for n in range(1, 9)}
    make_order(c[1], [sku["A"], sku["B"], sku["C"]], status=S.PAID)
    make_order(c[2], [sku["A"], Sku.objects.get(code="A-1"), sku["B"]], status=S.SHIPPED)
    make_order(c[3], [sku["A"], sku["C"]], status=S.COMPLETED)
    make_order(c[4], [sku["B"], sku["C"]], status=S.DELIVERED)
    make_order(c[5], [sku["A"], sku["B"], sku["U"]], status=S.ALLOCATED)
    make_order(c[1], [sku["D"], sku["E"], sku["F"]], status=S.PICKING)
    make_order(c[2], [sku["E"]], status=S.SHIPPED)
    make_order(c[6], [sku["A"], sku["X"]], status=S.CANCELLED)
    make_order(c[7], [sku["A"], sku["X"]], status=S.PENDING_PAYMENT)
    make_order(c[8], [sku["A"], sku["X"]], status=S.CLOSED)
    return {"p": p, "sku": sku, "c": c}


def pairs(p):
    names = {product.pk: code for code, product in p.items()}
    return [
        (names[r.product_id], names[r.other_id], r.together, round(r.score, 4), round(r.lift, 4), r.rank)
        for r in ProductPair.objects.order_by("product_id", "rank")
    ]


def test_pairs_and_scores_on_the_known_baskets(store):
    result = recommendations_recompute()
    # score = together / baskets with the product; lift = together * 7 / (n_product * n_other)
    assert pairs(store["p"]) == [
        ("A", "B", 3, 0.75, 1.3125, 1),
        ("A", "C", 2, 0.5, 1.1667, 2),
        ("B", "A", 3, 0.75, 1.3125, 1),
        ("B", "C", 2, 0.5, 1.1667, 2),
        ("C", "A", 2, 0.6667, 1.1667, 1),  # a tie on count and lift: the lower product id first
        ("C", "B", 2, 0.6667, 1.1667, 2),
    ]
    assert result == {"pairs": 6, "products": 3, "best_sellers": 7}
    assert not ProductPair.objects.filter(product_id=store["p"]["X"].pk).exists()  # cancelled/unpaid/closed


def test_single_co_purchases_count_with_a_lower_threshold_and_ties_go_to_the_higher_lift(store):
    recommendations_recompute(min_together=1)
    rows = pairs(store["p"])
    # D was bought once with E and F; F is in fewer baskets (1 against 2), so its lift is higher: F first.
    assert [r for r in rows if r[0] == "D"] == [("D", "F", 1, 1.0, 7.0, 1), ("D", "E", 1, 1.0, 3.5, 2)]
    assert [r[1] for r in rows if r[0] == "A"] == ["B", "C", "U"]
    assert all(r[0] != r[1] for r in rows)  # never a product with itself, although A was twice in basket 2
    assert not [r for r in rows if "X" in r[:2]]


def test_only_the_top_n_pairs_of_each_product_are_kept(store):
    recommendations_recompute(min_together=1, top_n=1)
    assert [(r[0], r[1]) for r in pairs(store["p"])] == [
        ("A", "B"),
        ("B", "A"),
        ("C", "A"),
        ("D", "F"),
        ("E", "D"),  # D and F: each once with E, each in one basket: the lower id
        ("F", "D"),
        ("U", "A"),
    ]


def test_old_orders_leave_the_pairs(store):
    recommendations_recompute(now=timezone.now() + timedelta(days=366))
    assert not ProductPair.objects.exists() and not BestSeller.objects.exists()


def test_best_sellers_rank_by_baskets_then_product_id(store):
    recommendations_recompute()
    names = {product.pk: code for code, product in store["p"].items()}
    assert [(names[b.product_id], b.orders) for b in BestSeller.objects.order_by("rank")] == [
        ("A", 4),
        ("B", 4),
        ("C", 3),
        ("E", 2),
        ("D", 1),
        ("F", 1),
        ("U", 1),
    ]


def test_the_job_is_scheduled_and_running_it_twice_leaves_the_same_rows(store):
    entry = beat_schedule()["recompute_recommendations"]
    assert entry["task"] == "houtai.recompute_recommendations"
    assert (entry["schedule"].hour, entry["schedule"].minute) == ({4}, {30})
    call_command("run_job", "recompute_recommendations")
    first = pairs(store["p"]), list(BestSeller.objects.values_list("product_id", "orders", "rank"))
    call_command("run_job", "recompute_recommendations")
    assert (pairs(store["p"]), list(BestSeller.objects.values_list("product_id", "orders", "rank"))) == first
    assert ProductPair.objects.count() == 6


def test_a_cancelled_order_leaves_the_pairs_at_the_next_run(store):
    recommendations_recompute()
    Order.objects.filter(customer=store["c"][3]).update(status=S.CANCELLED)  # A C no longer counts
    recommendations_recompute()
    assert [(r[0], r[1], r[2]) for r in pairs(store["p"])] == [
        ("A", "B", 3),
        ("B", "A", 3),
        ("B", "C", 2),
        ("C", "B", 2),
    ]


# -- a customer's ranking -------------------------------------------------------------------------------
def test_the_ranking_weighs_confidence_by_recency_and_falls_back_to_best_sellers():
    now = timezone.now()
    a, b, c, d, e, f, g = range(1, 8)
    bought = {a: now, c: now - timedelta(days=90)}  # C weighs half: bought one half-life ago
    pairs_of = {a: [(b, 0.5), (d, 0.2), (c, 0.9)], c: [(d, 0.8), (e, 0.3)]}
    ranked = rank_recommendations(bought, pairs_of, [a, f, b, g], now=now, limit=5)
    # D = 0.2 + 0.8 / 2 = 0.6 (mostly because of C), B = 0.5, E = 0.15; C is bought; then F, G (A bought, B listed)
    assert [(p, round(s, 4), why) for p, s, why in ranked] == [
        (d, 0.6, c),
        (b, 0.5, a),
        (e, 0.15, c),
        (f, 0.0, None),
        (g, 0.0, None),
    ]
    assert [p for p, _s, _w in rank_recommendations(bought, pairs_of, [a, f, b, g], now=now, limit=2)] == [d, b]


def test_a_customer_gets_what_goes_with_their_purchases_then_best_sellers_never_what_they_bought(store):
    recommendations_recompute()
    p = store["p"]
    picks = customer_recommendations(store["c"][3])  # bought A and C
    assert [r.product for r in picks] == [p["B"], p["E"], p["D"], p["F"]]  # U is off sale
    weight = 0.5 ** (5 / 90)  # both bought five days ago: half-life 90 days
    assert picks[0].because == p["A"] and picks[0].score == pytest.approx((0.75 + 2 / 3) * weight, rel=1e-4)
    assert [r.is_best_seller for r in picks] == [False, True, True, True]
    assert customer_recommendations(store["c"][1]) == []  # bought everything on sale
    newcomer = customer(99)
    assert [r.product for r in customer_recommendations(newcomer, limit=3)] == [p["A"], p["B"], p["C"]]


def test_a_customer_recommendations_take_four_queries_however_much_they_bought(store, django_assert_num_queries):
    recommendations_recompute()
    many = store["c"][2]  # bought A, B, E; with these, D too
    for _n in range(5):
        make_order(many, [store["sku"]["A"], store["sku"]["D"]])
    with django_assert_num_queries(4):
        customer_recommendations(store["c"][3])
    with django_assert_num_queries(4):
        customer_recommendations(many)


# -- pages ---------------------------------------------------------------------------------------------------
def test_the_product_page_shows_the_published_products_bought_with_it(store, owner_client):
    recommendations_recompute(min_together=1)  # A's pairs: B, C and U (off sale)
    p = store["p"]
    html = owner_client.get(f"/catalog/products/{p['A'].pk}/").content.decode()
    assert 'data-testid="related-bought-together"' in html
    panel = html.split('data-testid="related-bought-together"')[1].split("</section>")[0]
    assert panel.index(p["B"].name) < panel.index(p["C"].name)
    assert f'href="/catalog/products/{p["B"].pk}/"' in panel and "75%" in panel
    assert p["U"].name not in panel


def test_the_bought_together_panel_is_for_roles_that_see_recommendations(store, client_as):
    recommendations_recompute()
    html = client_as("warehouse").get(f"/catalog/products/{store['p']['A'].pk}/").content.decode()
    assert "related-bought-together" not in html


def test_the_customer_page_shows_the_recommendations_in_order(store, client_as):
    recommendations_recompute()
    p = store["p"]
    html = client_as("customer_service").get(f"/customers/{store['c'][3].pk}/").content.decode()
    panel = html.split('data-testid="related-recommendations"')[1].split("</section>")[0]
    positions = [panel.index(f'href="/catalog/products/{p[code].pk}/"') for code in "BEDF"]
    assert positions == sorted(positions)
    with translation.override("zh-hans"):
        assert _("Often bought with %(name)s") % {"name": p["A"].name} in panel
    assert (
        f'href="/catalog/products/{p["A"].pk}/"' not in panel and f'href="/catalog/products/{p["C"].pk}/"' not in panel
    )


def test_the_customer_page_query_count_does_not_grow_with_their_purchases(store, owner_client):
    recommendations_recompute()
    few, many = store["c"][4], store["c"][2]
    for _n in range(6):
        make_order(many, [store["sku"]["A"], store["sku"]["D"]])

    def queries(c):
        owner_client.get(f"/customers/{c.pk}/")  # warm the session and the store settings
        with CaptureQueriesContext(connection) as ctx:
            assert owner_client.get(f"/customers/{c.pk}/").status_code == 200
        return len(ctx)

    assert queries(few) == queries(many)


# -- the push list -------------------------------------------------------------------------------------------
def read_csv(response):
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def test_the_push_list_exports_the_filtered_customers_with_their_products(store, client_as):
    recommendations_recompute()
    p, c = store["p"], store["c"]
    vip = CustomerTag.objects.create(name="VIP")
    c[3].tags.add(vip)
    c[4].tags.add(vip)
    client = client_as("marketing")
    response = client.get("/customers/push-list/", {"tags": vip.pk, "export": "csv"})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = read_csv(response)
    names = "、".join
    with translation.override("zh-hans"):
        assert rows[0] == [_("Customer"), _("Mobile phone"), _("Recommended products"), _("Product codes")]
    # newest customer first, as the list orders them; c4 bought B and C: A goes with both, then E D F
    assert rows[1:] == [
        [c[4].name, c[4].phone, names(p[k].name for k in "AEDF"), ",".join(p[k].code for k in "AEDF")],
        [c[3].name, c[3].phone, names(p[k].name for k in "BEDF"), ",".join(p[k].code for k in "BEDF")],
    ]
    rows = read_csv(client.get("/customers/push-list/", {"tags": vip.pk, "top": "2"}))
    assert [r[3] for r in rows[1:]] == [f"{p['A'].code},{p['E'].code}", f"{p['B'].code},{p['E'].code}"]
    rows = read_csv(client.get("/customers/push-list/", {"q": c[5].phone, "top": "junk"}))
    assert [r[0] for r in rows[1:]] == [c[5].name]


def test_the_push_list_as_excel(store, owner_client):
    recommendations_recompute()
    c, p = store["c"], store["p"]
    response = owner_client.get("/customers/push-list/", {"q": c[3].phone, "export": "xlsx"})
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[1] == (c[3].name, c[3].phone, "、".join(p[k].name for k in "BEDF"), ",".join(p[k].code for k in "BEDF"))


def test_the_customer_list_links_the_push_list_with_its_filters(store, client_as):
    html = client_as("marketing").get("/customers/", {"q": "138", "gender": "male"}).content.decode()
    assert 'href="/customers/push-list/?q=138&amp;gender=male&amp;export=csv"' in html


def test_the_push_list_reads_a_fixed_number_of_queries_per_chunk(store, owner_client):
    recommendations_recompute()

    def queries(params):
        response = owner_client.get("/customers/push-list/", params)
        with CaptureQueriesContext(connection) as ctx:
            rows = read_csv(response)
        return len(ctx), len(rows) - 1

    few = queries({"q": store["c"][3].phone})
    every = queries({})
    assert few[1] == 1 and every[1] == 8
    assert few[0] == every[0]


def test_orders_placed_paid_and_cancelled_through_the_order_services(db):
    """The whole path: intake, payment and cancellation by the orders app, then the job and the product's pairs."""
    from inventory.models import Warehouse
    from inventory.services import stock_receive
    from orders.services import order_cancel, order_mark_paid, order_place

    warehouse = Warehouse.objects.create(code="SH", name="上海仓", province="上海")
    products = {code: make_product(f"SV{code}") for code in "ABC"}
    for product in products.values():
        stock_receive(sku=product.skus.get(), warehouse=warehouse, quantity=50, actor="test")
    address = {"name": "张三", "phone": "13800138000", "province": "上海", "city": "上海市", "district": "浦东新区"}

    def place(*codes, phone):
        order, _created = order_place(
            customer={"phone": phone, "name": "张三"},
            shipping_address={**address, "detail": "世纪大道100号", "phone": phone},
            lines=[(f"SV{code}-0", 1) for code in codes],
            payment_method="alipay",
        )
        return order

    def paid(*codes, phone):
        order = place(*codes, phone=phone)
        return order_mark_paid(order=order, amount=order.total, paid_at=order.placed_at)

    paid("A", "B", phone="13800000001")
    paid("A", "B", phone="13800000002")
    place("A", "C", phone="13800000003")  # never paid
    place("A", "C", phone="13800000004")
    order_cancel(order=paid("A", "C", phone="13800000005"), actor=None, reason="不要了")
    paid("A", "C", phone="13800000006")
    recommendations_recompute()
    pair = ProductPair.objects.get(product=products["A"])
    assert (pair.other, pair.together, pair.score) == (products["B"], 2, pytest.approx(2 / 3))
