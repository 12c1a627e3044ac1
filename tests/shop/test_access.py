"""Access (issue 17): objects across roles, mass assignment, CSRF on every form, session and API-key expiry, login
throttling per username and per address, production settings, and secrets that never leave where they belong.

The URL × role table itself is tests/shop/test_rbac.py; these tests reuse its table and world (tests/shop/world.py).
"""

import hashlib
import logging
import os
import subprocess
import sys
import time
from datetime import timedelta
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.sessions.models import Session
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from payments.gateways import PROVIDERS
from shop.middleware import IdleSessionMiddleware
from shop.models import ApiKey, AuditEntry
from shop.services import apikey_create
from tests.conftest import PASSWORD
from tests.shop.adminflow import EN, make_operator
from tests.shop.test_rbac import MAY_OPEN
from tests.shop.world import OUR_APPS, PAGES, ROUTES, build_world, dummy_url, row_counts, url

ROOT = Path(__file__).resolve().parents[2]


def table_digest():
    """{table: sha256 of every row's values}: an UPDATE shows here, not only an INSERT or DELETE (row_counts)."""
    models = [m for m in apps.get_models() if m._meta.app_label in OUR_APPS and m._meta.managed]
    models += [get_user_model(), Group]
    digest = {}
    for model in models:
        rows = model._default_manager.order_by("pk").values_list()
        digest[model._meta.db_table] = hashlib.sha256(repr(list(rows)).encode()).hexdigest()
    return digest


def changed_tables(before):
    return sorted(t for t, h in table_digest().items() if before.get(t) != h)


class _Forms(HTMLParser):
    """The fields of every <form method="post"> of a page, with the values the page fills in."""

    def __init__(self):
        super().__init__()
        self.forms, self._form, self._select, self._textarea = [], None, None, None
        self._first, self._multiple = None, False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and (a.get("method") or "").lower() == "post":
            self._form = {"action": a.get("action") or "", "data": {}}
            self.forms.append(self._form)
        elif tag == "option" and self._form is not None and self._select:
            if self._first is None:
                self._first = a.get("value") or ""
            if "selected" in a:
                self._form["data"][self._select].append(a.get("value") or "")
        elif self._form is None or not a.get("name"):
            return
        elif tag == "input" and a.get("type") not in ("submit", "button", "file"):
            if a.get("type") in ("checkbox", "radio") and "checked" not in a:
                return
            self._form["data"].setdefault(a["name"], []).append(a.get("value") or "")
        elif tag == "select":
            self._select, self._first, self._multiple = a["name"], None, "multiple" in a
            self._form["data"].setdefault(self._select, [])
        elif tag == "textarea":
            self._textarea = a["name"]
            self._form["data"][self._textarea] = [""]

    def handle_data(self, data):
        if self._textarea:
            self._form["data"][self._textarea][0] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select" and self._select:
            values = self._form["data"][self._select]
            if not values and not self._multiple and self._first is not None:  # a browser sends the first option
                values.append(self._first)
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def form_on(client, path, field):
    """The posted form of the page at `path` that has `field`, as the page fills it in ({name: [values]})."""
    parser = _Forms()
    parser.feed(client.get(path).content.decode())
    return next(f["data"] for f in parser.forms if field in f["data"])


# -- 1. objects across roles ----------------------------------------------------------------------------------
FINANCE_OBJECT_POSTS = [  # (url name, data another form would post): every one a finance row the world has
    ("payments:refund_approve", {"note": "x"}),
    ("payments:refund_reject", {"reason": "x"}),
    ("payments:risk_approve", {"note": "x"}),
    ("payments:risk_reject", {"reason": "x"}),
    ("payments:method_edit", {"name": "x", "enabled": "on", "fee_percent": "0", "max_amount": "1"}),
    ("payments:risk_rule_edit", {"enabled": "", "score": "0"}),
    ("payments:blacklist_remove", {}),
    ("payments:refund_request", {"amount": "99.00", "reason": "x"}),
    ("payments:cod_collect", {"amount": "99.00"}),
    ("payments:reconciliation_import", {"method": "alipay"}),
]


def test_warehouse_posting_to_finance_objects_gets_403_and_nothing_changes(client, make_staff):
    user = make_staff("warehouse")
    world = build_world(make_staff("owner", username="world_owner"), user=user)
    client.force_login(user)
    client.get("/")
    before = table_digest()
    wrong = []
    for name, data in FINANCE_OBJECT_POSTS:
        route = next(r for r, n, _v in ROUTES if n == name)
        status = client.post(url(route, world), data).status_code
        if status != 403:
            wrong.append(f"{name}: {status}")
    assert wrong == []
    assert changed_tables(before) == []


def test_every_refused_post_changes_no_row(client, make_staff, role="customer_service"):
    """test_rbac counts rows after each refused POST; here every refused page of a role is posted with real ids and
    the fields other forms take (status, total, price, role…), and the content of every table is compared."""
    user = make_staff(role)
    world = build_world(make_staff("owner", username="world_owner"), user=user)
    client.force_login(user)
    client.get("/")
    hostile = {
        "status": "completed",
        "total": "0.01",
        "price": "0.01",
        "amount": "99999",
        "roles": "owner",
        "role": "owner",
        "is_superuser": "on",
        "name": "x",
        "reason": "x",
        "quantity": "5",
    }
    refused = [(route, name) for route, name, _v in PAGES if name not in MAY_OPEN[role]]
    assert len(refused) > 80  # payments, settings, staff, stock changes, catalogue and marketing writes
    before = table_digest()
    wrong = [name for route, name in refused if client.post(url(route, world), hostile).status_code != 403]
    assert wrong == []
    assert changed_tables(before) == []


def test_one_users_job_runs_files_and_notifications_stay_theirs(client, make_staff):
    """The only objects that belong to one staff user: another user editing the id in the URL gets a 404."""
    from shop.models import JobRun, Notification

    owner = make_staff("owner", username="world_owner")
    mine = make_staff("warehouse")
    build_world(owner, user=owner)  # the job run (with its export file) and the notification are the owner's
    job, note = JobRun.objects.get(), Notification.objects.get()
    client.force_login(mine)
    assert client.get(f"/jobs/{job.pk}/").status_code == 404
    assert client.get(reverse("jobrun_download", args=[job.pk])).status_code == 404
    assert client.post(reverse("notification_open", args=[note.pk])).status_code == 404
    note.refresh_from_db()
    assert note.read_at is None


def test_staff_cannot_manage_another_staff_account_by_its_id(client, make_staff):
    owner = make_staff("owner")
    client.force_login(make_staff("customer_service"))
    client.get("/")  # the first request creates the store settings row
    before = table_digest()
    for name, data in [
        ("staff_edit", {"roles": ["customer_service"], "is_active": ""}),
        ("staff_password", {"password": "Another-Pass-77", "new_password1": "Another-Pass-77"}),
    ]:
        assert client.post(reverse(name, args=[owner.pk]), data).status_code == 403
        assert client.get(reverse(name, args=[owner.pk])).status_code == 403
    assert changed_tables(before) == []
    owner.refresh_from_db()
    assert owner.is_active and owner.check_password(PASSWORD) and owner.groups.filter(name="owner").exists()


# -- 1b. mass assignment: the fields of a form a role may use, and nothing else ---------------------------------
def test_customer_service_extra_fields_on_the_customer_form_change_nothing_else(client, make_staff):
    from customers.models import Customer, MemberTier

    user = make_staff("customer_service")
    build_world(make_staff("owner", username="world_owner"), user=user)
    customer = Customer.objects.get(phone="13800138000")
    before = {f: getattr(customer, f) for f in ("tier_id", "points_balance", "lifetime_spend", "order_count")}
    client.force_login(user)
    path = reverse("customers:customer_edit", args=[customer.pk])
    data = form_on(client, path, "name")
    data.update(
        name=["张三丰"],
        tier=[str(MemberTier.objects.order_by("-rank").first().pk)],
        points_balance=["999999"],
        lifetime_spend=["999999.00"],
        order_count=["99"],
        rfm_segment=["champions"],
        erased_at=["2026-01-01 00:00"],
        id=["1"],
    )
    response = client.post(path, data)
    assert response.status_code == 302, response.context["form"].errors
    customer.refresh_from_db()
    assert customer.name == "张三丰"  # the form was accepted: only its own fields were taken
    assert {f: getattr(customer, f) for f in before} == before
    assert customer.rfm_segment != "champions" and customer.erased_at is None


def test_customer_service_extra_fields_on_the_order_address_change_no_money_or_status(client, make_staff):
    from orders.models import Order

    user = make_staff("customer_service")
    world = build_world(make_staff("owner", username="world_owner"), user=user)
    order = world["objects"]["order"]
    money = ("status", "total", "subtotal", "discount", "shipping_fee", "payment_method", "customer_id", "number")
    before = {f: getattr(order, f) for f in money}
    client.force_login(user)
    path = reverse("orders:order_address", args=[order.pk])
    data = form_on(client, path, "detail")
    data.update(
        detail=["世纪大道200号"],
        status=[Order.Status.COMPLETED],
        total=["0.01"],
        subtotal=["0.01"],
        discount=["98.99"],
        shipping_fee=["0"],
        payment_method=["cod"],
        customer=["999"],
        number=["HACKED"],
    )
    assert client.post(path, data).status_code == 302
    order.refresh_from_db()
    assert order.ship_detail == "世纪大道200号"
    assert {f: getattr(order, f) for f in money} == before


def test_an_address_cannot_be_moved_to_another_customer_by_a_posted_field(client, make_staff):
    from customers.models import Customer, CustomerAddress

    user = make_staff("customer_service")
    build_world(make_staff("owner", username="world_owner"), user=user)
    other = Customer.objects.create(phone="13900139000", name="李四")
    address = CustomerAddress.objects.get()
    client.force_login(user)
    path = reverse("customers:address_edit", args=[address.pk])
    data = form_on(client, path, "detail")
    data.update(detail=["世纪大道2号"], customer=[str(other.pk)], customer_id=[str(other.pk)])
    assert client.post(path, data).status_code == 302
    address.refresh_from_db()
    assert address.detail == "世纪大道2号" and address.customer.name == "张三"


def test_nobody_makes_themselves_superuser_or_owner_through_a_form(client, make_staff):
    """Their own password form (any staff user) and the owner's staff form: no superuser flag, no other username."""
    owner_group = Group.objects.get(name="owner")
    agent = make_staff("customer_service")
    client.force_login(agent)
    client.post(
        "/password/",
        {
            "old_password": PASSWORD,
            "new_password1": "Another-Pass-77",
            "new_password2": "Another-Pass-77",
            "is_superuser": "on",
            "is_staff": "on",
            "groups": str(owner_group.pk),
            "user_permissions": "1",
        },
    )
    agent.refresh_from_db()
    assert agent.check_password("Another-Pass-77")  # the form itself worked
    assert (
        not agent.is_superuser
        and not agent.is_staff
        and list(agent.groups.values_list("name", flat=True)) == ["customer_service"]
    )
    owner = make_staff("owner")
    staff = make_staff("warehouse")
    client.force_login(owner)
    path = reverse("staff_edit", args=[staff.pk])
    data = form_on(client, path, "email")
    data.update(
        email=["w@example.com"], is_superuser=["on"], is_staff=["on"], username=["root"], password=["x"], id=["1"]
    )
    assert client.post(path, data).status_code == 302
    staff.refresh_from_db()
    assert staff.email == "w@example.com"
    assert (staff.username, staff.is_superuser, staff.is_staff) == ("warehouse_user", False, False)
    assert staff.check_password(PASSWORD)


# -- 2. CSRF on every form --------------------------------------------------------------------------------------
ADMIN_PARAMS = {"app_label": "shop", "object_id": "1", "content_type_id": "1"}


def _every_url(world):
    """(name, path) for every URL pattern of the site except the JSON API, static and media files."""

    def walk(patterns, prefix="", namespace=""):
        for p in patterns:
            route = prefix + str(p.pattern)
            if isinstance(p, URLResolver):
                inner = f"{namespace}{p.namespace}:" if p.namespace else namespace
                yield from walk(p.url_patterns, route, inner)
            elif isinstance(p, URLPattern) and p.name:
                yield route, f"{namespace}{p.name}", p

    for route, name, pattern in walk(get_resolver().url_patterns):
        if route.startswith(("api/", "static/", "media/")):  # the API: Bearer keys, no session (see below)
            continue
        if name.startswith("admin:"):
            params = set(pattern.pattern.regex.groupindex)
            yield name, reverse(name, kwargs={p: ADMIN_PARAMS.get(p, "1") for p in params})
        elif name in world["kwargs"]:
            yield name, reverse(name, kwargs=world["kwargs"][name])
        else:
            yield name, dummy_url(route)


def test_every_post_without_a_csrf_token_is_refused_and_writes_nothing(make_staff):
    """A logged-in owner's browser, tricked into posting from another site (no CSRF token), changes nothing: each of
    the site's URL patterns — pages, actions, login, logout, language switch, the operators' admin — answers 403
    before its view runs (the middleware refuses a POST without a token whatever view it would reach).

    The JSON API (/api/v1/) is exempt by design: it authenticates only with `Authorization: Bearer <key>`, never with
    the session cookie a forged form would carry, so a cross-site POST is unauthenticated there (last assertion)."""
    owner = make_staff("owner", is_staff=True, is_superuser=True)
    world = build_world(owner)
    client = Client(enforce_csrf_checks=True)
    client.force_login(owner)
    client.get("/")
    urls = sorted(set(_every_url(world)))
    counts, before = row_counts(), table_digest()
    wrong = [f"{name} {path}: {s}" for name, path in urls if (s := client.post(path, {"name": "x"}).status_code) != 403]
    assert wrong == []
    assert row_counts() == counts and changed_tables(before) == []
    assert len(urls) > 400  # every page (test_rbac's table) and the admin's
    # the API: the owner's session cookie authenticates nothing there
    response = client.post("/api/v1/orders", "{}", content_type="application/json")
    assert response.status_code == 401 and response.json()["error"]["code"] == "unauthorized"
    # login itself: a forged login form (login CSRF) is refused too
    assert Client(enforce_csrf_checks=True).post("/login/", {"username": "x", "password": "y"}).status_code == 403


# -- 3. session expiry ------------------------------------------------------------------------------------------
def _login(client, user):
    response = client.post("/login/", {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302
    return Session.objects.get(session_key=client.session.session_key)


def test_a_session_lasts_a_working_day_from_login_however_busy(client, owner, settings):
    assert settings.SESSION_COOKIE_AGE == 12 * 3600 and settings.SESSION_IDLE_SECONDS == 120 * 60
    session = _login(client, owner)
    assert client.get("/").status_code == 200
    expiry = Session.objects.get(pk=session.pk).expire_date
    assert abs((expiry - timezone.now()) - timedelta(hours=12)) < timedelta(minutes=1)
    Session.objects.filter(pk=session.pk).update(expire_date=timezone.now() - timedelta(seconds=1))  # 12 h later
    response = client.get("/orders/")
    assert response.status_code == 302 and response["Location"].startswith("/login/?next=/orders/")


def _seen_cookie(client, seconds_ago):
    """The signed "last request" cookie as the middleware sets it, `seconds_ago` old."""
    from django.core.signing import get_cookie_signer

    name, key = IdleSessionMiddleware.COOKIE, client.session.session_key
    client.cookies[name] = get_cookie_signer(salt=f"{name}{name}:{key}").sign(str(int(time.time()) - seconds_ago))


def _logged_in_long_ago(client, seconds):
    session = client.session
    session["_seen"] -= seconds
    session.save()


def test_an_idle_session_is_sent_to_login(client, owner, settings):
    idle = settings.SESSION_IDLE_SECONDS
    _login(client, owner)
    assert client.get("/").status_code == 200
    _logged_in_long_ago(client, 3 * idle)
    _seen_cookie(client, idle - 30)  # busy until nearly two hours ago
    assert client.get("/").status_code == 200
    _seen_cookie(client, idle + 1)  # two hours without a request
    response = client.get("/orders/")
    assert response.status_code == 302 and response["Location"].startswith("/login/?next=/orders/")
    assert client.get("/").status_code == 302  # logged out, not only redirected once


def test_a_copied_session_cookie_alone_counts_from_the_login(client, owner, settings):
    _login(client, owner)
    _logged_in_long_ago(client, settings.SESSION_IDLE_SECONDS + 1)
    del client.cookies[IdleSessionMiddleware.COOKIE]
    assert client.get("/").status_code == 302


def test_keeping_the_idle_clock_writes_no_session_row(client, owner):
    _login(client, owner)
    client.get("/notifications/")
    _logged_in_long_ago(client, 3600)
    _seen_cookie(client, 600)  # logged in an hour ago, ten minutes since the last request
    with CaptureQueriesContext(connection) as queries:
        client.get("/notifications/")
    assert not [q for q in queries if "django_session" in q["sql"] and not q["sql"].startswith("SELECT")]


def test_session_lengths_come_from_the_environment():
    env = dict(os.environ, DEBUG="true", SESSION_HOURS="8", SESSION_IDLE_MINUTES="30", DJANGO_SETTINGS_MODULE="")
    code = "from shop import settings as s; print(s.SESSION_COOKIE_AGE, s.SESSION_IDLE_SECONDS)"
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True)
    assert result.stdout.split() == ["28800", "1800"], result.stderr


# -- 3b. API-key expiry -----------------------------------------------------------------------------------------
def _whoami(client, plain):
    return client.get("/api/v1/whoami", HTTP_AUTHORIZATION=f"Bearer {plain}")


def test_a_key_created_with_an_expiry_shows_it_and_gets_401_after_it(owner_client, client):
    when = timezone.localtime() + timedelta(days=30)
    response = owner_client.post(
        "/settings/api-keys/",
        {"name": "ERP", "scopes": ["orders:read"], "expires_at": when.strftime("%Y-%m-%dT%H:%M")},
        **EN,
    )
    plain = response.content.decode().split('<code class="secret">')[1].split("</code>")[0]
    key = ApiKey.objects.get()
    assert abs(key.expires_at - when) < timedelta(minutes=1)
    assert _whoami(client, plain).status_code == 200
    page = owner_client.get("/settings/api-keys/", **EN).content.decode()
    assert when.strftime("%Y") in page.split('data-testid="expires">')[1].split("</td>")[0]
    ApiKey.objects.filter(pk=key.pk).update(expires_at=timezone.now() - timedelta(seconds=1))  # 30 days later
    response = _whoami(client, plain)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthorized" and set(response.json()["error"]) == {
        "code",
        "message",
        "fields",
    }
    assert "Expired" in owner_client.get("/settings/api-keys/", **EN).content.decode()


def test_a_key_without_expiry_works_until_revoked_and_an_expiry_in_the_past_is_refused(owner_client, owner):
    response = owner_client.post(
        "/settings/api-keys/", {"name": "ERP", "scopes": ["orders:read"], "expires_at": "2020-01-01T00:00"}
    )
    assert response.status_code == 200 and not ApiKey.objects.exists()
    key, _plain = apikey_create(actor=owner, name="ERP", scopes=["orders:read"])
    assert key.expires_at is None and key.active


@pytest.mark.parametrize("revoked,expired", [(True, False), (False, True), (True, True)])
def test_revoked_or_expired_keys_get_401(client, owner, revoked, expired):
    key, plain = apikey_create(actor=owner, name="ERP", scopes=["orders:read"])
    assert _whoami(client, plain).status_code == 200
    past = timezone.now() - timedelta(minutes=1)
    ApiKey.objects.filter(pk=key.pk).update(revoked_at=past if revoked else None, expires_at=past if expired else None)
    response = _whoami(client, plain)
    assert response.status_code == 401 and response.json()["error"]["code"] == "unauthorized"


# -- 4. login throttling per username and per address -----------------------------------------------------------
def _fail(client, username, ip):
    return client.post("/login/", {"username": username, "password": "wrong"}, REMOTE_ADDR=ip)


@override_settings(AXES_FAILURE_LIMIT=3, AXES_IP_FAILURE_LIMIT=10)
def test_failures_for_one_username_from_many_addresses_lock_that_username(client, owner, make_staff):
    other = make_staff("finance")
    for i in range(3):
        _fail(client, owner.username, f"10.0.0.{i + 1}")
    response = client.post("/login/", {"username": owner.username, "password": PASSWORD}, REMOTE_ADDR="10.0.9.9")
    assert response.status_code == 429 and "_auth_user_id" not in client.session
    html = response.content.decode()
    assert 'data-locked-by="username"' in html and "15 分钟" in html  # the wait, in the UI language (zh-hans)
    # the address is not locked: a colleague there logs in
    response = client.post("/login/", {"username": other.username, "password": PASSWORD}, REMOTE_ADDR="10.0.9.9")
    assert response.status_code == 302


@override_settings(AXES_FAILURE_LIMIT=3, AXES_IP_FAILURE_LIMIT=4)
def test_failures_from_one_address_across_usernames_lock_that_address(client, owner):
    for name in ("alice", "bob", "carol", "dave"):  # two tries short of any username's limit each
        _fail(client, name, "10.0.0.5")
    response = client.post("/login/", {"username": owner.username, "password": PASSWORD}, REMOTE_ADDR="10.0.0.5", **EN)
    assert response.status_code == 429 and "_auth_user_id" not in client.session
    html = response.content.decode()
    assert 'data-locked-by="ip_address"' in html and "Try again in 15 minutes" in html
    # the owner is not locked elsewhere
    response = client.post("/login/", {"username": owner.username, "password": PASSWORD}, REMOTE_ADDR="10.0.0.6")
    assert response.status_code == 302


@override_settings(AXES_FAILURE_LIMIT=3, AXES_IP_FAILURE_LIMIT=4)
def test_a_login_between_guesses_does_not_clear_the_address_count(client, owner):
    for name in ("alice", "bob"):
        _fail(client, name, "10.0.0.7")
    login = {"username": owner.username, "password": PASSWORD}
    assert client.post("/login/", login, REMOTE_ADDR="10.0.0.7").status_code == 302
    client.logout()
    for name in ("carol", "dave"):
        _fail(client, name, "10.0.0.7")
    assert _fail(client, "erin", "10.0.0.7").status_code == 429


# -- 5 and 7. production settings and payment secrets, in a fresh process ---------------------------------------
def _production_env(**extra):
    test_only = ("DEBUG", "DJANGO_SETTINGS_MODULE", "SECURE_SSL_REDIRECT", "SECURE_COOKIES")
    env = {k: v for k, v in os.environ.items() if k not in test_only and not k.startswith("PAYMENT_SECRET_")}
    env.update(
        DJANGO_SETTINGS_MODULE="shop.settings",
        DEBUG="false",
        SECRET_KEY="x" * 30 + "-production-secret-with-entropy-9f8e7d6c",
        ALLOWED_HOSTS="shop.example.com",
        **extra,
    )
    return env


REAL_SECRETS = {f"PAYMENT_SECRET_{code.upper()}": f"provider-issued-{code}-secret-0123456789" for code in PROVIDERS}


def test_production_refuses_to_start_with_sandbox_or_missing_payment_secrets():
    """With DEBUG off, the sandbox's public development secrets stop `manage.py check` (and so migrate, runserver)
    with payments.E001, and no secrets stop the WSGI application that gunicorn imports (both processes run at once).
    With real secrets `check --deploy` passes without a warning: tests/shop/test_project.py."""
    sandbox = {f"PAYMENT_SECRET_{code.upper()}": f"sandbox-dev-secret-{code}" for code in PROVIDERS}
    check = [sys.executable, "manage.py", "check"]
    wsgi = [sys.executable, "-c", "import shop.wsgi"]
    runs = {
        "check, sandbox secrets": (check, _production_env(**sandbox)),
        "wsgi, no secrets": (wsgi, _production_env()),
    }
    procs = {
        name: subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for name, (cmd, env) in runs.items()
    }
    results = {name: (*p.communicate(timeout=180), p.returncode) for name, p in procs.items()}
    for name, (out, err, code) in results.items():
        assert code != 0, name
        assert "payments.E001" in err and "PAYMENT_SECRET_ALIPAY" in err, name
        assert "sandbox-dev-secret" not in out + err, name  # the message never shows a value


# -- 6. secrets never in logs, pages, exports or error bodies ---------------------------------------------------
def test_an_api_key_plaintext_is_shown_once_and_nowhere_after(owner_client, client, caplog, make_staff):
    caplog.set_level(logging.DEBUG)
    response = owner_client.post("/settings/api-keys/", {"name": "小程序商城", "scopes": ["orders:read"]})
    plain = response.content.decode().split('<code class="secret">')[1].split("</code>")[0]
    key = ApiKey.objects.get()
    assert _whoami(client, plain).status_code == 200
    owner_client.post(f"/settings/api-keys/{key.pk}/revoke/")
    assert _whoami(client, plain).status_code == 401
    bodies = {
        "keys page": owner_client.get("/settings/api-keys/"),
        "audit log": owner_client.get("/settings/audit/"),
        "audit export": owner_client.get("/settings/audit/?export=csv"),
    }
    operator = Client()
    operator.force_login(make_operator(make_staff))
    for path in ("/admin/shop/apikey/", f"/admin/shop/apikey/{key.pk}/change/", "/admin/shop/auditentry/"):
        bodies[path] = operator.get(path)
    for entry in AuditEntry.objects.all():
        bodies[f"audit #{entry.pk}"] = repr((entry.before, entry.after, entry.object_repr))
    texts = {where: _text(body) for where, body in bodies.items()}
    assert texts["audit export"].count("\n") >= 3 and key.prefix in texts["/admin/shop/apikey/"]  # really read
    assert [where for where, text in texts.items() if plain in text or plain[3:] in text] == []
    assert plain not in caplog.text and key.key_hash not in texts[f"/admin/shop/apikey/{key.pk}/change/"]


def _text(body):
    if isinstance(body, str):
        return body
    assert body.status_code == 200, body.status_code
    content = b"".join(body.streaming_content) if body.streaming else body.content
    return content.decode("utf-8", "replace")


def test_password_hashes_and_provider_secrets_are_on_no_page(client, make_staff, monkeypatch, settings):
    """Every page of the table as the owner, and the admin's user, payment method and settings pages as an operator:
    no password hash, no provider secret, no SECRET_KEY, no API key hash."""
    for code, secret in REAL_SECRETS.items():
        monkeypatch.setenv(code, secret)
    owner = make_staff("owner")
    world = build_world(owner)
    operator = make_operator(make_staff)
    secrets = [u.password for u in get_user_model().objects.all()] + list(REAL_SECRETS.values())
    secrets += [settings.SECRET_KEY] + list(ApiKey.objects.values_list("key_hash", flat=True))
    client.force_login(owner)
    # the pages that show staff accounts, settings, keys, the audit log and payments (a user or a secret's neighbours)
    shown = [(r, name) for r, name, _v in PAGES if ":" not in name or name.startswith(("payments:", "reports:"))]
    pages = {name: client.get(url(r, world)) for r, name in shown}
    admin = Client()
    admin.force_login(operator)
    from payments.models import PaymentMethod
    from shop.models import StoreSettings

    client.get("/settings/")  # the store settings row
    for path in (
        "/admin/auth/user/",
        f"/admin/auth/user/{owner.pk}/change/",
        f"/admin/auth/user/{operator.pk}/change/",
        "/admin/payments/paymentmethod/",
        f"/admin/payments/paymentmethod/{PaymentMethod.objects.get(code='alipay').pk}/change/",
        f"/admin/shop/storesettings/{StoreSettings.objects.get().pk}/change/",
    ):
        pages[path] = admin.get(path)
    opened = {n: r for n, r in pages.items() if r.status_code == 200 and not r.streaming}
    assert len(opened) > 40
    leaks = [(n, s[:12]) for n, r in opened.items() for s in secrets if s in r.content.decode("utf-8", "replace")]
    assert leaks == []


def test_error_bodies_show_no_secret(client, db, monkeypatch, settings):
    """A 400 (a refused payment callback, a bad Host) and a 500 (a view that raises, DEBUG off) carry no secret."""
    secret = REAL_SECRETS["PAYMENT_SECRET_ALIPAY"]
    monkeypatch.setenv("PAYMENT_SECRET_ALIPAY", secret)
    from payments.gateways import sign

    body = b'{"order_number": "W1", "transaction_id": "T1", "amount": "1.00", "status": "success"}'
    bodies = [
        client.post("/api/v1/payments/alipay/callback", body, content_type="application/json", HTTP_X_SIGNATURE="0"),
        client.post(
            "/api/v1/payments/alipay/callback",
            body,
            content_type="application/json",
            HTTP_X_SIGNATURE=sign(secret, body),
        ),
        client.get("/", HTTP_HOST="evil.example"),
    ]
    assert [r.status_code for r in bodies] == [401, 400, 400]
    settings.ROOT_URLCONF = "tests.shop.urls_boom"
    boom = Client(raise_request_exception=False)
    bodies.append(boom.get("/boom/"))
    assert bodies[-1].status_code == 500
    for response in bodies:
        text = response.content.decode()
        assert secret not in text and sign(secret, body) not in text and settings.SECRET_KEY not in text
