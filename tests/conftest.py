import os
import socket

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

# The live server's listen backlog: Django's is 10, so a burst of 40 storefront connections (the concurrency tests)
# can be reset on a loaded machine before the server accepts them; gunicorn's default is 2048.
from django.core.servers.basehttp import WSGIServer
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

from shop.roles import ROLE_RULES

WSGIServer.request_queue_size = 128

PASSWORD = "Correct-Horse-42"

# Property tests judge the code, not the machine: on 2 shared cores input generation and examples can be slow.
hypothesis_settings.register_profile("houtai", deadline=None, suppress_health_check=[HealthCheck.too_slow])
hypothesis_settings.load_profile("houtai")


def pytest_collection_modifyitems(config, items):
    """Tests marked `postgres` need the real server; on SQLite they are skipped with the reason.

    No test needs it today: the race tests (stock, intake, idempotency keys, payment callbacks, refunds)
    hold on SQLite too, which serialises writers (WAL, BEGIN IMMEDIATE, busy timeout; tests/settings.py
    gives every process its own SQLite file). Mark a test only for what SQLite cannot do, and say why.
    """
    from django.conf import settings

    if settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"):
        skip = pytest.mark.skip(reason="needs PostgreSQL (set DATABASE_URL)")
        for item in items:
            if "postgres" in item.keywords:
                item.add_marker(skip)


@pytest.fixture
def make_staff(db):
    def make(role="owner", username=None, **extra):
        user = get_user_model().objects.create_user(username=username or f"{role}_user", password=PASSWORD, **extra)
        user.groups.add(Group.objects.get(name=role))
        return user

    return make


@pytest.fixture
def owner(make_staff):
    return make_staff("owner")


@pytest.fixture
def client_as(client, make_staff):
    def login(role):
        client.force_login(make_staff(role))
        return client

    return login


@pytest.fixture
def owner_client(client, owner):
    client.force_login(owner)
    return client


@pytest.fixture(params=sorted(ROLE_RULES))
def role(request):
    return request.param


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# -- browser --------------------------------------------------------------------------------------
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    path = os.environ.get("CHROMIUM", "/usr/bin/chromium")
    if not os.path.exists(path):
        pytest.fail(f"Chromium is missing at {path}: run `make test`, which installs it")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server.url, locale="zh-CN", viewport={"width": 1280, "height": 900})
    pg = context.new_page()
    pg.set_default_timeout(15000)
    yield pg
    context.close()


@pytest.fixture
def login_page(page):
    """Log a user in through the real login form."""

    def login(username, password=PASSWORD):
        page.goto("/login/")
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", password)
        page.click("button[type=submit].primary")
        return page

    return login


def can_log_in(client, username, password=PASSWORD):
    """Log in through the real login form (django-axes needs the request)."""
    client.post("/login/", {"username": username, "password": password})
    return "_auth_user_id" in client.session
