"""Staff roles: Django groups and the permissions each one holds (DESIGN §7).

A rule is "app_label.codename", where the codename may end in "*" ("catalog.*", "orders.view_*"); a rule
starting with "!" takes a permission back from the role's other rules ("!customers.erase_customer").
`sync_roles` runs in a data migration and after every migrate, so permissions that later modules
add reach their roles without another edit here.
"""

from fnmatch import fnmatch

from django.utils.translation import gettext_lazy as _

OWNER = "owner"
OPERATOR = "operator"
ADMIN_ROLES = {OWNER, OPERATOR}  # roles whose accounts get is_staff: they may open the Django admin
ROLE_LABELS = {
    "owner": _("Owner"),
    "operations": _("Operations"),
    "warehouse": _("Warehouse"),
    "customer_service": _("Customer service"),
    "finance": _("Finance"),
    "marketing": _("Marketing"),
    "operator": _("Operator"),
}

ROLE_RULES = {
    "owner": ["*.*"],
    "operations": [
        "shop.access_catalog",
        "shop.access_inventory",
        "shop.access_orders",
        "shop.access_marketing",
        "shop.access_customers",
        "shop.access_aftersales",
        "shop.access_reports",
        "catalog.*",
        "inventory.view_*",
        "orders.*",
        "marketing.*",
        "customers.*",
        # Privacy (customers.privacy): operations see full phones (order exceptions, merges, address fixes),
        # but a customer's data file and erasure are the owner's, and customer service's, decisions.
        "!customers.export_customer_data",
        "!customers.erase_customer",
        "aftersales.*",
        "reports.*",
        "!reports.view_finance_report",  # the finance report reads payments, a module operations may not open
        # Scheduled report emails go out in the owner's name to whole roles: the owner sets them up (analytics).
        "!reports.manage_reportschedule",
        # Operations post the store's announcements: the settings section offers them that page alone.
        "shop.access_settings",
        "shop.view_announcement",
        "shop.add_announcement",
        "shop.change_announcement",
    ],
    "warehouse": [
        "shop.access_catalog",
        "shop.access_inventory",
        "shop.access_orders",
        "catalog.view_*",
        "inventory.*",
        "orders.view_*",
        "orders.ship_order",
        "orders.change_shipment",
        "orders.add_shipment",
        "orders.view_shipment",
        # Returned parcels arrive at the warehouse: it opens after-sales requests, marks them received and
        # inspects each line (restock or write off); approving, refunding and exchanging stay with 客服.
        "shop.access_aftersales",
        "aftersales.view_aftersalesrequest",
        "aftersales.receive_aftersalesrequest",
        # The inventory reports (turnover, stock value, slow movers, dead stock) and the warehouse clerk's own
        # figures (orders shipped, time to ship) (analytics).
        "shop.access_reports",
        "reports.view_inventory_reports",
        "reports.view_own_staff_figures",
    ],
    "customer_service": [
        "shop.access_catalog",
        "shop.access_orders",
        "shop.access_customers",
        "shop.access_aftersales",
        "catalog.view_*",
        "orders.view_*",
        "orders.change_order",
        "customers.*",
        # 客服 answers a customer's request for their data (the data file), but erasing them is the owner's.
        "!customers.erase_customer",
        "aftersales.*",
        # After-sales requests, their reasons and their steps are 客服's; the policy behind them (auto-approval
        # rules that approve money without a person, categories excluded from no-reason returns, the SLA
        # settings) is the owner's and operations' to set: customer service reads it.
        "!aftersales.add_autoapprovalrule",
        "!aftersales.change_autoapprovalrule",
        "!aftersales.delete_autoapprovalrule",
        "!aftersales.add_aftersalesexcludedcategory",
        "!aftersales.change_aftersalesexcludedcategory",
        "!aftersales.delete_aftersalesexcludedcategory",
        # Read-only stock, so 客服 can answer 有货吗: the stock list and the product page's stock column.
        "shop.access_inventory",
        "inventory.view_stocklevel",
        # 客服 sees their own figures (messages answered, first-response time), not their colleagues' (analytics).
        "shop.access_reports",
        "reports.view_own_staff_figures",
    ],
    "finance": [
        "shop.access_orders",
        "shop.access_payments",
        "shop.access_reports",
        "orders.view_*",
        "payments.*",
        "reports.*",
        "!reports.manage_reportschedule",  # the owner's (analytics)
    ],
    # 运维: the shop's technical staff, who work in the Django admin (issue 18). They see every record and
    # repair through the admin's audited actions (each calls its module's service). On the staff pages they
    # hold view permissions only: every module opens read-only for them (the admin's "edit on the staff page"
    # links land there), every write stays with the business roles (tests/shop/test_rbac.py says which).
    "operator": [
        "shop.access_*",
        "*.view_*",
        "shop.repair_*",
    ],
    "marketing": [
        "shop.access_catalog",
        "shop.access_marketing",
        "shop.access_customers",
        "shop.access_reports",
        "catalog.view_*",
        "marketing.*",
        "customers.view_*",
        # Segments (客户分群) are marketing's targeting tool: the coupon and message campaigns marketing runs
        # go to a segment, so marketing builds and keeps its own segments. A segment only selects customers
        # (it changes no customer); every other customer record stays read-only for marketing.
        "customers.add_segment",
        "customers.change_segment",
        "customers.delete_segment",
        "reports.view_*",
        "!reports.view_finance_report",  # the finance report reads payments, a module marketing may not open
        # Marketing reads the promotion ROI and customers reports; stock and staff figures are not theirs (analytics).
        "!reports.view_inventory_reports",
        "!reports.view_staff_reports",
        "!reports.view_own_staff_figures",
    ],
}


def role_permissions(role, permissions):
    """The permissions of `permissions` that the rules of `role` grant."""
    grants = [r for r in ROLE_RULES[role] if not r.startswith("!")]
    takes = [r[1:] for r in ROLE_RULES[role] if r.startswith("!")]

    def held(code):
        return any(fnmatch(code, rule) for rule in grants) and not any(fnmatch(code, rule) for rule in takes)

    return [p for p in permissions if held(f"{p.content_type.app_label}.{p.codename}")]


def sync_roles(apps=None):
    """Create the role groups and give each exactly the permissions its rules grant."""
    if apps is None:
        from django.apps import apps
    Group, Permission = apps.get_model("auth", "Group"), apps.get_model("auth", "Permission")
    permissions = list(Permission.objects.select_related("content_type"))
    for role in ROLE_RULES:
        group, _created = Group.objects.get_or_create(name=role)
        group.permissions.set(role_permissions(role, permissions))


def user_roles(user):
    return [g.name for g in user.groups.all() if g.name in ROLE_RULES]
