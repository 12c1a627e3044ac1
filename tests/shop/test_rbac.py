"""Every role against every back-office URL, compared with a table written here by hand (DESIGN §7).

The table says, for each role, which pages it may open; every other page answers 403 (and a refused
POST writes nothing); anonymous users go to the login page. It is deliberately NOT derived from
shop/roles.py, so a permission granted there by mistake fails this test. A new URL pattern fails
`test_the_table_names_every_page` until it is placed in one of the groups below.

The URL list is generated from the URL patterns and every `<int:pk>` is filled with a real object
(tests/shop/world.py), so each page is really reached.
"""

import pytest
from django.contrib.auth.models import AnonymousUser

from shop.roles import ROLE_RULES
from tests.shop.world import PAGES, PUBLIC, ROUTES, build_world, row_counts, url

# -- the pages, grouped by what they are for -----------------------------------------------------------
EVERY_STAFF = {"dashboard", "notification_list", "notification_open", "jobrun_detail", "jobrun_download"}

CATALOG_READ = {
    "catalog:product_list",
    "catalog:product_edit",
    "catalog:product_export",
    "catalog:category_list",
    "catalog:category_detail",
    "catalog:brand_list",
    "catalog:tag_list",
    "catalog:attributedefinition_list",
    "module_home",  # the world opens /modules/catalog/
}
CATALOG_WRITE = {
    "catalog:product_create",
    "catalog:product_import",
    "catalog:product_images",
    "catalog:product_image_action",
    "catalog:product_publish",
    "catalog:product_schedule",
    "catalog:product_skus",
    "catalog:product_price_apply",
    "catalog:category_edit",
    "catalog:category_delete",
    "catalog:brand_edit",
    "catalog:brand_delete",
    "catalog:tag_edit",
    "catalog:tag_delete",
    "catalog:attributedefinition_edit",
    "catalog:attributedefinition_delete",
}
STOCK_READ = {"inventory:stock_list", "inventory:low_stock"}  # 有货吗: what customer service may see
INVENTORY_READ = STOCK_READ | {
    "inventory:expiring_batches",
    "inventory:movement_list",
    "inventory:turnover",  # leads to reports:inventory-turnover (issue 15)
    "inventory:po_list",
    "inventory:po_detail",
    "inventory:stocktake_list",
    "inventory:stocktake_detail",
    "inventory:stocktake_sheet",
    "inventory:supplier_list",
    "inventory:supplied_sku_list",
    "inventory:rule_list",
    "inventory:replenishment_list",
    "inventory:warehouse_list",
}
INVENTORY_WRITE = {
    "inventory:stock_adjust",
    "inventory:stock_receive",
    "inventory:stock_transfer",
    "inventory:po_create",
    "inventory:po_place",
    "inventory:po_cancel",
    "inventory:po_receive",
    "inventory:stocktake_create",
    "inventory:stocktake_count",
    "inventory:stocktake_approve",
    "inventory:supplier_create",
    "inventory:supplier_edit",
    "inventory:supplier_sku_add",
    "inventory:supplier_sku_remove",
    "inventory:rule_set",
    "inventory:rule_delete",
    "inventory:replenishment_set",
    "inventory:replenishment_delete",
    "inventory:warehouse_create",
    "inventory:warehouse_edit",
}
ORDERS_READ = {
    "orders:order_list",
    "orders:order_detail",
    "orders:order_timeline",
    "orders:packing_slip",
    "orders:abnormal_list",
    "orders:packing_slips",
    "orders:pick_list",
    "orders:queue_allocate",
    "orders:work_queue",
    "orders:carrier_list",
    "orders:freight_list",
    "orders:rule_list",
}
ORDERS_SERVICE = {  # what customer service changes on an order: address, note, hold/release, cancel, merge
    "orders:order_address",
    "orders:order_note",
    "orders:order_flag",
    "orders:order_resolve",
    "orders:order_cancel",
    "orders:merge",
    "orders:order_unmerge",
}
ORDERS_FULFIL = {
    "orders:order_allocate",
    "orders:order_pick",
    "orders:order_ship",
    "orders:order_deliver",
    "orders:ship_csv",
    "orders:tracking_event_add",
}
ORDERS_SETUP = {
    "orders:order_price",
    "orders:carrier_create",
    "orders:carrier_edit",
    "orders:freight_create",
    "orders:freight_edit",
    "orders:rule_create",
    "orders:rule_edit",
    "orders:rule_delete",
}
CUSTOMERS = {
    "customers:customer_list",
    "customers:customer_detail",
    "customers:tier_list",
    "customers:rfm",
    "customers:push_list",
    "customers:points_list",
    "customers:customer_timeline",
    # the inbox reads (marketing holds customers.view_*)
    "customers:message_list",
    "customers:message_detail",
    "customers:segment_list",
    "customers:segment_detail",
    "customers:segment_count",  # the live count: reads only
}
# Segments select customers for campaigns: marketing builds them too (shop/roles.py says why).
SEGMENTS_WRITE = {
    "customers:segment_create",
    "customers:segment_edit",
    "customers:segment_recount",
    "customers:segment_delete",
}
CUSTOMERS_WRITE = {
    "customers:tier_create",
    "customers:tier_edit",
    "customers:tier_delete",
    "customers:rfm_recompute",
    "customers:customer_edit",
    "customers:customer_tags",
    "customers:address_create",
    "customers:address_edit",
    "customers:address_delete",
    "customers:address_default",
    "customers:points_adjust",
    "customers:note_add",
    "customers:note_done",
    "customers:message_assign",
    "customers:message_reply",
    "customers:message_status",
}
CUSTOMERS_PHONES = {"customers:phone_reveal"}  # full phone numbers: who calls customers and fixes addresses
CUSTOMERS_DATA = {"customers:customer_data_file"}  # a customer's data file: owner and customer service
CUSTOMERS_ERASE = {"customers:customer_erase"}  # erasing a customer on request: the owner alone
PAYMENTS = {
    "payments:payment_list",
    "payments:payment_detail",
    "payments:summary",
    "payments:refund_request",
    "payments:refund_list",
    "payments:refund_approve",
    "payments:refund_reject",
    "payments:cod_collect",
    "payments:blacklist",
    "payments:blacklist_add",
    "payments:blacklist_remove",
    "payments:method_list",
    "payments:method_edit",
    "payments:reconciliation_list",
    "payments:reconciliation_detail",
    "payments:reconciliation_import",
    "payments:settlement_list",
    "payments:risk_queue",
    "payments:risk_approve",
    "payments:risk_reject",
    "payments:risk_rules",
    "payments:risk_rule_edit",
}
MARKETING = {
    "marketing:flash_session_list",
    "marketing:flash_session_create",
    "marketing:flash_session_detail",
    "marketing:flash_item_add",
    "marketing:group_buy_list",
    "marketing:group_buy_create",
    "marketing:group_buy_detail",
    "marketing:price_preview",
    "marketing:coupon_list",
    "marketing:coupon_create",
    "marketing:coupon_edit",
    "marketing:coupon_codes_generate",
    "marketing:code_list",
    "marketing:activity_list",
    "marketing:activity_create",
    "marketing:activity_edit",
    "marketing:timed_list",
    "marketing:timed_create",
    "marketing:timed_edit",
    "marketing:member_price_list",
    "marketing:member_price_create",
    "marketing:member_price_edit",
    "marketing:member_price_delete",
    "marketing:stacking_list",
    "marketing:stacking_create",
    "marketing:stacking_edit",
    "marketing:bundle_list",
    "marketing:bundle_create",
    "marketing:bundle_edit",
    "marketing:experiment_list",
    "marketing:experiment_create",
    "marketing:experiment_detail",
    "marketing:experiment_edit",
    "marketing:experiment_promote",
    "marketing:experiment_issue",
    "marketing:coupon_issue",
    "marketing:coupon_report",
    "marketing:activity_report",
    "marketing:timed_report",
    "marketing:calendar",
}
# -- after-sales requests (退货 / 换货 / 仅退款) --
AFTERSALES_READ = {"aftersales:request_list", "aftersales:request_detail", "aftersales:evidence_image"}
AFTERSALES_SETUP_READ = {"aftersales:reason_list", "aftersales:policy"}
AFTERSALES_SERVICE = {  # 客服 decides, refunds and closes; enters a request from the order page; edits reasons
    "aftersales:request_approve",
    "aftersales:request_reject",
    "aftersales:request_assign",
    "aftersales:request_note",
    "aftersales:request_refund",
    "aftersales:request_close",
    "aftersales:request_new",
    "aftersales:reason_create",
    "aftersales:reason_edit",
    "aftersales:reason_delete",
    "aftersales:reasons_reorder",
}
AFTERSALES_WAREHOUSE = {  # the returned parcel: received, inspected (restock / write off); the replacement shipped
    "aftersales:request_receive",
    "aftersales:request_inspect",
    "aftersales:request_ship_replacement",
}
AFTERSALES_POLICY = {  # auto-approval rules, excluded categories, SLA settings: owner and operations
    "aftersales:policy_settings",
    "aftersales:excluded_category_add",
    "aftersales:excluded_category_remove",
    "aftersales:rule_create",
    "aftersales:rule_edit",
    "aftersales:rule_delete",
}
AFTERSALES = AFTERSALES_READ | AFTERSALES_SETUP_READ | AFTERSALES_SERVICE | AFTERSALES_WAREHOUSE | AFTERSALES_POLICY
# -- after-sales: complaints (投诉), the knowledge base (FAQ), the after-sales report -----------------------
# Owner, operations and customer service (aftersales.*); finance, warehouse and marketing are refused.
COMPLAINTS = {
    "aftersales:complaint_list",
    "aftersales:complaint_create",
    "aftersales:complaint_sla",
    "aftersales:complaint_detail",
    "aftersales:complaint_assign",
    "aftersales:complaint_respond",
    "aftersales:complaint_escalate",
    "aftersales:complaint_resolve",
    "aftersales:complaint_close",
    "aftersales:complaint_reopen",
    "aftersales:complaint_satisfaction",
}
FAQ = {
    "aftersales:faq_list",
    "aftersales:faq_create",
    "aftersales:faq_search",
    "aftersales:faq_edit",
    "aftersales:faq_delete",
    "aftersales:faq_category_list",
    "aftersales:faq_category_edit",
    "aftersales:faq_category_delete",
}
AFTERSALES_REPORT = {"aftersales:report"}
# -- aftersales: reviews and satisfaction surveys (owner, operations, customer service hold aftersales.*) --
AFTERSALES_REVIEWS = {
    "aftersales:review_list",
    "aftersales:review_detail",
    "aftersales:review_moderate",
    "aftersales:review_reply",
    "aftersales:keyword_list",
    "aftersales:keyword_delete",
    "aftersales:product_ratings",
    "aftersales:survey_results",
}
# -- reports: rollups (sales and finance reports) --
REPORTS_SALES = {
    "reports:sales-channel",
    "reports:sales-category",
    "reports:sales-product",
    "reports:sales-brand",
    "reports:sales-province",
    "reports:sales-payment-method",
    "reports:sales-hour",
}
REPORTS_FINANCE = {"reports:finance", "reports:finance-method"}
# -- end reports: rollups --
# -- reports: inventory, staff, marketing, customers reports and scheduled emails (analytics) ------------------
REPORTS_INVENTORY = {  # warehouse, operations, finance (stock at cost), owner
    "reports:inventory-turnover",
    "reports:inventory-stock-value",
    "reports:inventory-slow-movers",
    "reports:inventory-dead-stock",
}
REPORTS_STAFF = {"reports:staff-performance"}  # every staff user's figures: owner, operations, finance
REPORTS_STAFF_MINE = {"reports:staff-mine"}  # one's own figures: every role that has any (not marketing)
REPORTS_MARKETING = {"reports:marketing-roi", "reports:customers"}  # marketing, operations, finance, owner
REPORTS_SCHEDULES = {  # scheduled report emails go to whole roles: the owner alone
    "reports:schedule_list",
    "reports:schedule_create",
    "reports:schedule_edit",
    "reports:schedule_delete",
}
REPORTS_ANALYTICS = REPORTS_INVENTORY | REPORTS_STAFF | REPORTS_STAFF_MINE | REPORTS_MARKETING | REPORTS_SCHEDULES
ANNOUNCEMENTS = {"announcement_list", "announcement_create", "announcement_edit"}
OWNER_SETTINGS = {
    "store_settings",
    "announcement_delete",
    "staff_list",
    "staff_create",
    "staff_edit",
    "staff_password",
    "audit_list",
    "apikey_list",
    "apikey_revoke",
}
# -- reports: anomaly monitoring (dashboard): the reports roles read the findings; marketing only reads
ANOMALIES_READ = {"reports:anomaly_list", "reports:anomaly_detail"}
ANOMALIES_ACKNOWLEDGE = {"reports:anomaly_acknowledge"}

ALL = (
    EVERY_STAFF
    | CATALOG_READ
    | CATALOG_WRITE
    | INVENTORY_READ
    | INVENTORY_WRITE
    | ORDERS_READ
    | ORDERS_SERVICE
    | ORDERS_FULFIL
    | ORDERS_SETUP
    | CUSTOMERS
    | CUSTOMERS_WRITE
    | CUSTOMERS_PHONES
    | CUSTOMERS_DATA
    | CUSTOMERS_ERASE
    | SEGMENTS_WRITE
    | PAYMENTS
    | MARKETING
    | AFTERSALES
    | ANNOUNCEMENTS
    | OWNER_SETTINGS
    | COMPLAINTS
    | FAQ
    | AFTERSALES_REPORT
    | AFTERSALES_REVIEWS
    | REPORTS_ANALYTICS
    | REPORTS_SALES  # reports: rollups
    | REPORTS_FINANCE  # reports: rollups
    | ANOMALIES_READ
    | ANOMALIES_ACKNOWLEDGE
)

# -- admin (issue 18): operators (运维) work in the Django admin. They hold every view permission and open every
# module, so the staff pages that only read open for them too (read-only: the admin's "edit on the staff page"
# links land there); every page that writes, reveals a full phone or exports a customer's data answers 403.
OPERATOR_READ = EVERY_STAFF | {
    "announcement_list",
    "apikey_list",
    "audit_list",
    "catalog:attributedefinition_list",
    "catalog:brand_list",
    "catalog:category_detail",
    "catalog:category_list",
    "catalog:product_edit",
    "catalog:product_export",
    "catalog:product_list",
    "catalog:tag_list",
    "customers:customer_detail",
    "customers:customer_list",
    "customers:customer_timeline",
    "customers:message_detail",
    "customers:message_list",
    "customers:points_list",
    "customers:push_list",
    "customers:rfm",
    "customers:segment_count",
    "customers:segment_detail",
    "customers:segment_list",
    "customers:tier_list",
    "inventory:expiring_batches",
    "inventory:low_stock",
    "inventory:movement_list",
    "inventory:po_detail",
    "inventory:po_list",
    "inventory:replenishment_list",
    "inventory:rule_list",
    "inventory:stock_list",
    "inventory:stocktake_detail",
    "inventory:stocktake_list",
    "inventory:stocktake_sheet",
    "inventory:supplied_sku_list",
    "inventory:supplier_list",
    "inventory:turnover",
    "inventory:warehouse_list",
    "marketing:activity_list",
    "marketing:activity_report",
    "marketing:bundle_list",
    "marketing:calendar",
    "marketing:code_list",
    "marketing:coupon_list",
    "marketing:coupon_report",
    "marketing:experiment_detail",
    "marketing:experiment_list",
    "marketing:flash_session_detail",
    "marketing:flash_session_list",
    "marketing:group_buy_detail",
    "marketing:group_buy_list",
    "marketing:member_price_list",
    "marketing:price_preview",
    "marketing:stacking_list",
    "marketing:timed_list",
    "marketing:timed_report",
    "module_home",
    "orders:abnormal_list",
    "orders:carrier_list",
    "orders:freight_list",
    "orders:order_detail",
    "orders:order_list",
    "orders:order_timeline",
    "orders:packing_slip",
    "orders:packing_slips",
    "orders:pick_list",
    "orders:queue_allocate",
    "orders:rule_list",
    "orders:work_queue",
    "payments:blacklist",
    "payments:method_list",
    "payments:payment_detail",
    "payments:payment_list",
    "payments:reconciliation_detail",
    "payments:reconciliation_list",
    "payments:refund_list",
    "payments:risk_queue",
    "payments:risk_rules",
    "payments:settlement_list",
    "payments:summary",
    "staff_list",
}

# -- operators read the after-sales and report pages too (view permissions: "*.view_*") --
OPERATOR_READ_LATER = {
    "aftersales:complaint_detail",
    "aftersales:complaint_list",
    "aftersales:complaint_sla",
    "aftersales:evidence_image",
    "aftersales:faq_category_list",
    "aftersales:faq_edit",
    "aftersales:faq_list",
    "aftersales:faq_search",
    "aftersales:keyword_list",
    "aftersales:policy",
    "aftersales:product_ratings",
    "aftersales:reason_list",
    "aftersales:report",
    "aftersales:request_detail",
    "aftersales:request_list",
    "aftersales:review_detail",
    "aftersales:review_list",
    "aftersales:survey_results",
    "reports:anomaly_detail",
    "reports:anomaly_list",
    "reports:customers",
    "reports:finance",
    "reports:finance-method",
    "reports:inventory-dead-stock",
    "reports:inventory-slow-movers",
    "reports:inventory-stock-value",
    "reports:inventory-turnover",
    "reports:marketing-roi",
    "reports:sales-brand",
    "reports:sales-category",
    "reports:sales-channel",
    "reports:sales-hour",
    "reports:sales-payment-method",
    "reports:sales-product",
    "reports:sales-province",
    "reports:staff-mine",
    "reports:staff-performance",
}

# -- role -> the pages it may open (everything else: 403) ------------------------------------------------
MAY_OPEN = {
    "owner": ALL,
    "operations": (
        EVERY_STAFF
        | CATALOG_READ
        | CATALOG_WRITE
        | INVENTORY_READ
        | ORDERS_READ
        | ORDERS_SERVICE
        | ORDERS_FULFIL
        | ORDERS_SETUP
        | CUSTOMERS
        | CUSTOMERS_WRITE
        | CUSTOMERS_PHONES
        | SEGMENTS_WRITE
        | MARKETING
        | AFTERSALES
        | ANNOUNCEMENTS
        | COMPLAINTS
        | FAQ
        | AFTERSALES_REPORT
        | AFTERSALES_REVIEWS
        | REPORTS_INVENTORY
        | REPORTS_STAFF
        | REPORTS_STAFF_MINE
        | REPORTS_MARKETING
        | REPORTS_SALES  # reports: rollups
        | ANOMALIES_READ
        | ANOMALIES_ACKNOWLEDGE
    ),
    "warehouse": EVERY_STAFF
    | CATALOG_READ
    | INVENTORY_READ
    | INVENTORY_WRITE
    | ORDERS_READ
    | ORDERS_FULFIL
    | AFTERSALES_READ
    | AFTERSALES_WAREHOUSE
    | REPORTS_INVENTORY
    | REPORTS_STAFF_MINE,
    "customer_service": EVERY_STAFF
    | CATALOG_READ
    | STOCK_READ
    | ORDERS_READ
    | ORDERS_SERVICE
    | CUSTOMERS
    | CUSTOMERS_WRITE
    | CUSTOMERS_PHONES
    | CUSTOMERS_DATA
    | SEGMENTS_WRITE
    | AFTERSALES_READ
    | AFTERSALES_SETUP_READ
    | AFTERSALES_SERVICE
    | AFTERSALES_WAREHOUSE
    | COMPLAINTS
    | FAQ
    | AFTERSALES_REPORT
    | AFTERSALES_REVIEWS
    | REPORTS_STAFF_MINE,
    "finance": EVERY_STAFF
    | ORDERS_READ
    | PAYMENTS
    | REPORTS_SALES  # reports: rollups
    | REPORTS_FINANCE  # reports: rollups
    | ANOMALIES_READ  # reports: anomaly monitoring
    | ANOMALIES_ACKNOWLEDGE
    | REPORTS_INVENTORY
    | REPORTS_STAFF
    | REPORTS_STAFF_MINE
    | REPORTS_MARKETING,
    "marketing": EVERY_STAFF
    | CATALOG_READ
    | CUSTOMERS
    | SEGMENTS_WRITE
    | MARKETING
    | REPORTS_SALES  # reports: rollups
    | ANOMALIES_READ  # reports: anomaly monitoring
    | REPORTS_MARKETING,
    # -- admin (issue 18): operators work in the Django admin --------------------------------------------
    "operator": OPERATOR_READ | OPERATOR_READ_LATER,
}

# -- permission checks made inside a view, for a POST to a page the role may open ----------------------
# (url name, posted data, roles whose POST gets past the check). The data is empty or names no rows,
# so an allowed POST only answers with a message or the re-rendered form.
INLINE_CHECKS = [
    ("catalog:product_list", {"action": "price"}, {"owner", "operations"}),
    ("catalog:product_list", {"action": "publish"}, {"owner", "operations"}),
    ("catalog:product_edit", {}, {"owner", "operations"}),
    ("catalog:category_list", {}, {"owner", "operations"}),
    ("catalog:brand_list", {}, {"owner", "operations"}),
    ("catalog:tag_list", {}, {"owner", "operations"}),
    ("catalog:attributedefinition_list", {}, {"owner", "operations"}),
    ("customers:message_list", {"action": "assign"}, {"owner", "operations", "customer_service"}),
    ("orders:order_list", {"action": "allocate"}, {"owner", "operations", "warehouse"}),
    ("orders:order_list", {"action": "merge"}, {"owner", "operations", "customer_service"}),
    ("payments:refund_list", {"action": "approve"}, {"owner", "finance"}),
    ("aftersales:request_list", {"action": "approve"}, {"owner", "operations", "customer_service"}),
    ("payments:risk_rules", {}, {"owner", "finance"}),
    ("apikey_list", {}, {"owner"}),
    # after-sales: complaints
    ("aftersales:complaint_list", {"action": "assign"}, {"owner", "operations", "customer_service"}),
    ("aftersales:complaint_list", {"action": "close"}, {"owner", "operations", "customer_service"}),
    # aftersales: reviews
    ("aftersales:review_list", {"action": "approve"}, {"owner", "operations", "customer_service"}),
    ("aftersales:keyword_list", {}, {"owner", "operations", "customer_service"}),
]
ROUTE_OF = {name: route for route, name, _view in ROUTES}


def test_every_page_declares_its_permission():
    undeclared = [name for _route, name, view in PAGES if not getattr(view, "is_staff_view", False)]
    assert undeclared == [], f"pages without @staff_view: {undeclared}"


def test_the_table_names_every_page():
    names = {name for _route, name, _view in PAGES}
    assert names - ALL == set(), "pages missing from the RBAC table: place them in a group"
    assert ALL - names == set(), "the RBAC table names pages that no longer exist"
    assert set(MAY_OPEN) == set(ROLE_RULES)


def test_anonymous_is_sent_to_login(client, owner):
    world = build_world(owner)
    wrong = []
    for route, name, _view in ROUTES:
        for method in ("get", "post"):
            response = getattr(client, method)(url(route, world))
            if response.status_code != 302 or not response["Location"].startswith("/login/"):
                wrong.append(f"{method.upper()} {name}: {response.status_code}")
    assert wrong == []


def _refused(client, path, data):
    """A POST that must be refused: 403 with the error page, and no row written."""
    counts_before = row_counts()
    response = client.post(path, data)
    problems = []
    if response.status_code != 403 or "403" not in response.content.decode():
        problems.append(f"POST answered {response.status_code}")
    changed = {t: (n, counts_before[t]) for t, n in row_counts().items() if n != counts_before[t]}
    if changed:
        problems.append(f"refused POST wrote rows {changed}")
    return problems


@pytest.mark.parametrize("role", sorted(MAY_OPEN))
def test_each_role_opens_its_pages_and_gets_403_elsewhere(client, make_staff, role):
    user = make_staff(role)
    world = build_world(make_staff("owner", username="world_owner"), user=user)
    client.force_login(user)
    wrong = []
    for route, name, _view in PAGES:
        path = url(route, world)
        status = client.get(path).status_code
        if name in MAY_OPEN[role]:
            # 405: a POST-only action URL, reached past its permission check (staff_view wraps require_POST)
            if status not in (200, 302, 405):
                wrong.append(f"{name}: expected its page, got {status}")
        elif status != 403:
            wrong.append(f"{name}: expected 403, got {status}")
    assert wrong == [], f"{role}:\n" + "\n".join(wrong)


def test_a_refused_post_answers_403_and_writes_nothing(client, make_staff):
    """Marketing is refused most pages: posting to each of them is refused before anything is written."""
    user = make_staff("marketing")
    world = build_world(make_staff("owner", username="world_owner"), user=user)
    client.force_login(user)
    client.get("/")  # the first request creates the store settings row
    refused = [(route, name) for route, name, _view in PAGES if name not in MAY_OPEN["marketing"]]
    assert len(refused) > 80
    wrong = []
    for route, name in refused:
        wrong += [f"{name}: {p}" for p in _refused(client, url(route, world), {"name": "x", "reason": "x"})]
    assert wrong == []


@pytest.mark.parametrize("role", sorted(MAY_OPEN))
def test_permission_checks_inside_views(client, make_staff, role):
    """The checks a view makes itself (a POST to a page the role may read) follow the table too."""
    user = make_staff(role)
    world = build_world(make_staff("owner", username="world_owner"), user=user)
    client.force_login(user)
    client.get("/")  # the first request creates the store settings row
    wrong = []
    for name, data, allowed in INLINE_CHECKS:
        path = url(ROUTE_OF[name], world)
        if role in allowed:
            status = client.post(path, data).status_code
            if status not in (200, 302):
                wrong.append(f"POST {name} {data}: expected the form or a message, got {status}")
        elif name in MAY_OPEN[role]:
            wrong += [f"POST {name} {data}: {p}" for p in _refused(client, path, data)]
    assert wrong == [], f"{role}:\n" + "\n".join(wrong)


def test_password_pages_open_for_any_staff_user(client, make_staff):
    client.force_login(make_staff("marketing"))
    for name in PUBLIC:
        assert client.get(url(ROUTE_OF[name], {"kwargs": {}})).status_code == 200


def test_module_home_follows_the_module_access(client, make_staff):
    client.force_login(make_staff("finance"))
    assert client.get("/modules/payments/").status_code == 200
    assert client.get("/modules/catalog/").status_code == 403
    assert client.get("/modules/nonexistent/").status_code == 404


def test_warehouse_is_refused_finance_pages_and_sees_no_finance_nav(client, make_staff):
    client.force_login(make_staff("warehouse"))
    assert client.get("/modules/payments/").status_code == 403
    nav = client.get("/").content.decode()
    assert 'data-module="payments"' not in nav
    assert 'data-module="inventory"' in nav


def test_owner_sees_every_module_in_the_navigation(owner_client):
    html = owner_client.get("/").content.decode()
    for module in (
        "catalog",
        "inventory",
        "orders",
        "payments",
        "marketing",
        "customers",
        "aftersales",
        "reports",
        "settings",
    ):
        assert f'data-module="{module}"' in html


def test_anonymous_user_has_no_permissions():
    assert not AnonymousUser().has_perm("shop.access_catalog")
