"""Codes never reach the Chinese UI: audit actions, modules, field keys, actors, references and roles have
labels from one registry (shop.labels), and money in the audit log has 2 places."""

import ast
import fnmatch
import pathlib
from decimal import Decimal

from django.conf import settings
from django.urls import reverse

from shop.audit import record, snapshot

APPS = ["shop", "catalog", "customers", "inventory", "marketing", "orders", "payments", "aftersales", "reports"]


def _pattern(node):
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(v.value if isinstance(v, ast.Constant) else "*" for v in node.values)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return (_pattern(node.left) or "*") + (_pattern(node.right) or "*")
    return None


def recorded_action_codes():
    """{code or pattern: where} for every action handed to record()/_audit() or passed as action="m.verb"."""
    root = pathlib.Path(settings.BASE_DIR)
    found = {}
    for app in APPS:
        for path in (root / app).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if not isinstance(node, ast.Call):
                    continue
                name = getattr(node.func, "id", getattr(node.func, "attr", ""))
                candidates = [node.args[1]] if name in ("record", "_audit") and len(node.args) >= 2 else []
                candidates += [k.value for k in node.keywords if k.arg == "action"]
                for candidate in candidates:
                    code = _pattern(candidate)
                    if code and "." in code:
                        found.setdefault(code, f"{path.relative_to(root)}:{node.lineno}")
    return found


def _expansions():
    """What each computed action code can become, taken from the code that computes it."""
    from aftersales.services.reviews import REVIEW_MACHINE
    from aftersales.state import TRANSITIONS as REQUEST_TRANSITIONS
    from catalog.models import AttributeDefinition, Brand, Tag
    from inventory.models import PurchaseOrder, StockMovement
    from orders.state import TRANSITIONS

    named = [m._meta.model_name for m in (Brand, Tag, AttributeDefinition)]
    return {
        "catalog.*_save": [f"catalog.{n}_save" for n in named],
        "catalog.*_delete": [f"catalog.{n}_delete" for n in named],
        "catalog.product_*": ["catalog.product_publish", "catalog.product_unpublish"],
        "catalog.product_tag_*": ["catalog.product_tag_add", "catalog.product_tag_remove"],
        "inventory.*": [f"inventory.{k}" for k in (StockMovement.Kind.RELEASE, StockMovement.Kind.SALE)],
        "inventory.po_*": [f"inventory.po_{s}" for s in PurchaseOrder.Status.values],
        "orders.*": [f"orders.{a}" for a in TRANSITIONS],
        "aftersales.request_*": [f"aftersales.request_{a}" for a in REQUEST_TRANSITIONS],
        # aftersales: reviews
        "aftersales.review_*": [f"aftersales.review_{a}" for a in REVIEW_MACHINE.transitions],
    }


def test_every_recorded_action_has_a_label():
    from shop import labels

    codes = recorded_action_codes()
    assert len(codes) > 50
    expansions = _expansions()
    missing = []
    for code, where in codes.items():
        if "*" in code:
            if code not in expansions:
                missing.append(f"{code} ({where}): a computed code; list what it becomes in _expansions()")
                continue
            concrete = expansions[code]
            assert all(fnmatch.fnmatch(c, code) for c in concrete)
        else:
            concrete = [code]
        missing += [f"{c} ({where})" for c in concrete if c not in labels.ACTIONS]
    assert missing == []


def test_the_audit_log_speaks_chinese(owner_client, owner, make_staff):
    staff = make_staff("finance", username="cashier")
    record(
        None,
        "payments.settle",
        None,
        after={
            "gross": Decimal("13.2200000000000"),
            "fees": Decimal("0.08"),
            "refunds": Decimal("0"),
            "net": Decimal("13.14"),
        },
    )
    record("storefront", "orders.place", None, after={"number": "N1", "total": Decimal("99.50")})
    record("api:ERP", "inventory.release", None, after={"reference": "order:2026120100001"})
    before = snapshot(staff, ["first_name", "is_active"])
    staff.first_name, staff.is_active = "王会计", False
    record(owner, "settings.staff_update", staff, before=before, after=snapshot(staff, ["first_name", "is_active"]))

    html = owner_client.get(reverse("audit_list")).content.decode()
    body = html[html.index('class="list"') :]
    for code in (
        "payments.settle",
        "orders.place",
        "inventory.release",
        "settings.staff_update",
        ">fees<",
        ">gross<",
        ">system<",
        ">storefront<",
        "api:ERP",
        "order:2026",
        ">payments<",
        ">settings<",
    ):
        assert code not in body, code
    assert "13.2200000000000" not in body and "13.22" in body
    for text in (
        "结算",
        "手续费",
        "总额",
        "系统",
        "店铺前台",
        "API：ERP",
        "订单 2026120100001",
        "支付",
        "设置",
        "修改前",
        "修改后",
        "字段",
        "王会计",
        "名字",
    ):
        assert text in body, text
    # before and after are separate columns: the old name and the new one are in cells of their own
    assert "<td>—</td><td>王会计</td>" in body
    assert "<td>否</td>" in body and "<td>是</td>" in body


def test_decimals_are_stored_with_two_places(db):
    entry = record(
        None, "payments.settle", None, after={"gross": Decimal("13.2200000000000"), "rate": Decimal("0.0060")}
    )
    entry.refresh_from_db()
    assert entry.after == {"gross": "13.22", "rate": "0.006"}


def test_object_history_and_staff_list_use_labels(owner_client, owner, make_staff):
    staff = make_staff("customer_service", username="kefu")
    owner_client.post(
        reverse("staff_edit", args=[staff.pk]),
        {"first_name": "客服小李", "email": "", "roles": ["customer_service", "finance"], "is_active": "on"},
    )
    html = owner_client.get(reverse("staff_edit", args=[staff.pk])).content.decode()
    history = html[html.index("<h2>历史记录") :]
    assert "settings.staff_update" not in history and "customer_service" not in history
    assert "编辑员工账号" in history and "客服、财务" in history and "<td>客服小李</td>" in history
    staff_list = owner_client.get(reverse("staff_list")).content.decode()
    rows = staff_list[staff_list.index('class="list"') :]
    assert "customer_service" not in rows and ">finance<" not in rows
    assert "客服" in rows and "财务" in rows


def test_a_key_named_like_a_reverse_relation_falls_back_to_the_shared_name(db, owner):
    """A purchase order's audit `lines` (here a group's `user`) is a reverse relation: it has no verbose name."""
    from django.contrib.auth.models import Group

    group = Group.objects.get(name="finance")
    entry = record(owner, "settings.staff_update", group, after={"user": "x", "name": "finance"})
    assert [label for label, _old, _new in labels_of(entry)] == ["名称", "user"]


def labels_of(entry):
    from django.utils import translation

    from shop import labels

    with translation.override("zh-hans"):
        return [(str(f), o, n) for f, o, n in labels.audit_changes(entry)]
