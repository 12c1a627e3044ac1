"""Simulated staff and API clients (the shape of a locust script, with threads and requests.Session).

Every request is timed under a name (a page or an API call) and classified: ok (< 400), 4xx (a refusal the
client expected or not, counted apart), a clean 503 (the 503 page, or the API's error format, without a
traceback: what a database outage must give), or an error (any other 5xx, a 503 with a traceback, a
connection error or timeout), of which a sample is kept.
"""

import http.client
import json
import random
import re
import statistics
import threading
import time
import uuid
from collections import defaultdict
from datetime import UTC, datetime
from http.cookies import SimpleCookie
from urllib.parse import urlencode, urlsplit

from payments.gateways import sign

TIMEOUT = 30
ORDER_LINK = re.compile(r'href="/orders/(\d+)/"')
APPROVE_LINK = re.compile(r'action="/payments/refunds/(\d+)/approve/"')


def percentile(values, q):
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


class Stats:
    def __init__(self):
        self.lock = threading.Lock()
        self.reset("start")

    def reset(self, phase):
        with self.lock:
            self.phase = phase
            self.times = defaultdict(list)
            self.codes = defaultdict(lambda: defaultdict(int))
            self.errors = defaultdict(int)
            self.clean_503 = defaultdict(int)
            self.samples = []
            self.events = []  # (seconds since phase start, name, outcome) of 503s and errors: the outage's shape
            self.started = time.monotonic()

    def add(self, name, seconds, status=None, body="", error=None):
        traceback = "Traceback" in body or 'File "/' in body
        clean = status == 503 and not traceback and _clean_503(body)
        with self.lock:
            self.times[name].append(seconds)
            if error is not None:
                outcome = "error"
                self.codes[name]["conn"] += 1
            else:
                self.codes[name][str(status)] += 1
                outcome = "clean_503" if clean else ("error" if status >= 500 or traceback else "ok")
            if outcome == "error":
                self.errors[name] += 1
                if len(self.samples) < 10:
                    self.samples.append({"name": name, "status": status, "error": error, "body": body[:300]})
            if outcome == "clean_503":
                self.clean_503[name] += 1
            if outcome != "ok":
                self.events.append((round(time.monotonic() - self.started, 1), name, outcome))

    def summary(self):
        with self.lock:
            rows = {}
            for name, values in sorted(self.times.items()):
                rows[name] = {
                    "requests": len(values),
                    "errors": self.errors[name],
                    "clean_503": self.clean_503[name],
                    "codes": dict(self.codes[name]),
                    "p50_ms": round(1000 * statistics.median(values)),
                    "p95_ms": round(1000 * percentile(values, 0.95)),
                }
            return {
                "phase": self.phase,
                "seconds": round(time.monotonic() - self.started),
                "requests": sum(len(v) for v in self.times.values()),
                "errors": sum(self.errors.values()),
                "clean_503": sum(self.clean_503.values()),
                "per_name": rows,
                "error_samples": list(self.samples),
                "events": list(self.events),
            }


def _clean_503(body):
    if body.lstrip().startswith("{"):
        try:
            error = json.loads(body)["error"]
            return {"code", "message"} <= set(error)
        except (ValueError, KeyError, TypeError):
            return False
    return "<h1>503</h1>" in body


class Response:
    def __init__(self, status, headers, text):
        self.status_code, self.headers, self.text = status, headers, text

    def json(self):
        return json.loads(self.text)


class Session:
    """What the simulated users need of requests.Session (not installed here): one kept-alive connection,
    cookies, form and JSON bodies, no redirects followed."""

    def __init__(self, base):
        self.netloc = urlsplit(base).netloc
        self.cookies = {}
        self.headers = {}
        self.conn = None

    def request(self, method, url, timeout=30, headers=None, data=None, json_body=None):
        headers = {**self.headers, **(headers or {})}
        body = None
        if json_body is not None:
            body, headers["Content-Type"] = json.dumps(json_body).encode(), "application/json"
        elif isinstance(data, dict):
            body, headers["Content-Type"] = urlencode(data).encode(), "application/x-www-form-urlencoded"
        elif data is not None:
            body = data
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        for attempt in (1, 2):
            reused = self.conn is not None
            if self.conn is None:
                self.conn = http.client.HTTPConnection(self.netloc, timeout=timeout)
            try:
                self.conn.request(method, url, body=body, headers=headers)
                response = self.conn.getresponse()
                text = response.read().decode("utf-8", "replace")
                break
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
                self.conn.close()
                self.conn = None
                if not reused or attempt == 2:  # a kept-alive connection the server closed: one new one, as a browser
                    raise
            except Exception:
                self.conn.close()
                self.conn = None
                raise
        for value in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(value).items():
                self.cookies[name] = morsel.value
        return Response(response.status, response.headers, text)


class Client(threading.Thread):
    """One simulated user: a requests.Session that times every call into `stats`."""

    def __init__(self, base, stats, stop, seed, others=()):
        super().__init__(daemon=True)
        self.base, self.stats, self.stop = base, stats, stop
        self.random = random.Random(seed)
        self.session = Session(base)
        self.session.headers["Accept-Language"] = "en"
        # More app servers (--servers 2): each request goes to any of them, with one cookie jar, as behind a
        # load balancer without sticky sessions.
        self.sessions = [self.session]
        for other in others:
            extra = Session(other)
            extra.cookies, extra.headers = self.session.cookies, self.session.headers
            self.sessions.append(extra)

    def call(self, name, method, path, **kwargs):
        started = time.monotonic()
        headers = kwargs.pop("headers", {})
        if method == "POST" and "csrftoken" in self.session.cookies:
            headers.setdefault("X-CSRFToken", self.session.cookies["csrftoken"])
        session = self.random.choice(self.sessions) if len(self.sessions) > 1 else self.session
        try:
            response = session.request(method, path, timeout=TIMEOUT, headers=headers, **kwargs)
        except (OSError, http.client.HTTPException) as e:
            self.stats.add(name, time.monotonic() - started, error=f"{type(e).__name__}: {e}"[:200])
            return None
        self.stats.add(name, time.monotonic() - started, response.status_code, response.text)
        return response

    def think(self, low, high):
        self.stop.wait(self.random.uniform(low, high))

    def login(self, username, password):
        while not self.stop.is_set():
            self.call("page login", "GET", "/login/")
            response = self.call(
                "POST login", "POST", "/login/", data={"username": username, "password": password}, headers={}
            )
            if response is not None and response.status_code == 302:
                return True
            self.think(1, 3)
        return False


STAFF_PAGES = [
    ("page dashboard", "/"),
    ("page order list", "/orders/"),
    ("page order list filtered", "/orders/?status=paid"),
    ("page order list filtered", "/orders/?status=pending_payment&payment_method=alipay"),
    ("page order detail", None),
    ("page product list", "/catalog/"),
    ("page customer list", "/customers/"),
    ("page stock", "/inventory/"),
    ("page refunds queue", "/payments/refunds/"),
    ("page payment list", "/payments/"),
]


class Staff(Client):
    """Logs in, then browses lists, details and reports; learns which pages its role may not open (403)."""

    def __init__(self, base, stats, stop, seed, username, password, others=()):
        super().__init__(base, stats, stop, seed, others)
        self.username, self.password = username, password
        self.order_ids = []
        self.forbidden = set()
        self.logged_in = False

    def run(self):
        if not self.login(self.username, self.password):
            return
        self.logged_in = True
        while not self.stop.is_set():
            name, path = self.random.choice([p for p in STAFF_PAGES if p[1] not in self.forbidden])
            if path is None:
                if not self.order_ids:
                    continue
                path = f"/orders/{self.random.choice(self.order_ids)}/"
            response = self.call(name, "GET", path)
            if response is not None:
                if response.status_code == 403:
                    self.forbidden.add(path)
                elif response.status_code == 302 and "/login/" in response.headers.get("Location", ""):
                    if len(self.sessions) > 1:  # logged in on one server, sent to the login page by another
                        self.stats.add("session lost across servers", 0, 599, "session lost")
                    self.login(self.username, self.password)  # the session was lost: log in again
                elif response.status_code == 200 and path.startswith("/orders/"):
                    self.order_ids = ORDER_LINK.findall(response.text)[:50] or self.order_ids
            self.think(0.5, 2.0)


class ApiClient(Client):
    """Places orders through the API, pays them with signed callbacks, cancels unpaid ones through the API and,
    with a staff session (the owner's), cancels paid ones and requests and approves refunds."""

    def __init__(self, base, stats, stop, seed, key, skus, secret, owner, password, ledger, others=()):
        super().__init__(base, stats, stop, seed, others)
        self.key, self.skus, self.secret = key, skus, secret
        self.owner, self.password = owner, password
        self.ledger = ledger  # what the clients did, for the checks after the phase
        self.staff = Client(base, stats, stop, seed + 1, others)

    def api(self, name, method, path, payload=None, **headers):
        headers["Authorization"] = f"Bearer {self.key}"
        return self.call(name, method, path, json_body=payload, headers=headers)

    def run(self):
        if not self.staff.login(self.owner, self.password):
            return
        n = 0
        while not self.stop.is_set():
            n += 1
            self.one_order(n)
            self.think(0.2, 1.0)

    def one_order(self, n):
        phone = f"139{self.random.randrange(10**8):08d}"
        payload = {
            "external_id": f"rel-{uuid.uuid4().hex[:16]}",
            "customer": {"phone": phone, "name": "压测顾客"},
            "shipping_address": {
                "name": "压测顾客",
                "phone": phone,
                "province": "上海",
                "city": "上海",
                "district": "静安区",
                "detail": f"南京西路 {n} 号",
            },
            "lines": [{"sku": sku, "quantity": self.random.randint(1, 2)} for sku in self.random.sample(self.skus, 2)],
            "payment_method": "alipay",
        }
        response = self.api(
            "API POST /orders", "POST", "/api/v1/orders", payload, **{"Idempotency-Key": str(uuid.uuid4())}
        )
        if response is None or response.status_code != 201:
            return
        order = response.json()
        number = order["number"]
        roll = self.random.random()
        if roll < 0.15:
            self.api("API POST /orders/{n}/cancel", "POST", f"/api/v1/orders/{number}/cancel", {"reason": "不要了"})
            return
        if roll < 0.25:
            self.ledger.add("left_unpaid", number)  # closed by close_unpaid_orders after its time to pay
            return
        self.api("API GET /orders/{n}", "GET", f"/api/v1/orders/{number}")
        body = json.dumps(
            {
                "order_number": number,
                "transaction_id": f"rel-{uuid.uuid4().hex}",
                "amount": str(order["total"]),
                "status": "success",
                "paid_at": datetime.now(UTC).isoformat(),
            }
        ).encode()
        response = self.call(
            "API POST /payments/alipay/callback",
            "POST",
            "/api/v1/payments/alipay/callback",
            data=body,
            headers={"X-Signature": sign(self.secret, body), "Content-Type": "application/json"},
        )
        if response is None or response.status_code != 200:
            return
        payment = response.json()["payment"]
        self.ledger.add("paid", number)
        roll = self.random.random()
        if roll < 0.2:
            self.staff_cancel(number)
        elif roll < 0.45:
            self.staff_refund(payment, number)

    def staff_cancel(self, number):
        response = self.staff.call("page order search", "GET", f"/orders/?q={number}")
        ids = ORDER_LINK.findall(response.text) if response is not None and response.status_code == 200 else []
        if ids:
            response = self.staff.call(
                "POST order cancel", "POST", f"/orders/{ids[0]}/cancel/", data={"reason": "顾客取消"}
            )
            if response is not None and response.status_code == 302:
                self.ledger.add("cancelled_paid", number)

    def staff_refund(self, payment, number):
        response = self.staff.call(
            "POST refund request",
            "POST",
            f"/payments/{payment}/refund/",
            data={"kind": "full", "reason": "顾客退货", "refund_only": "on"},
        )
        if response is None or response.status_code != 302:
            return
        page = self.staff.call("page payment detail", "GET", f"/payments/{payment}/")
        ids = APPROVE_LINK.findall(page.text) if page is not None and page.status_code == 200 else []
        if ids:
            response = self.staff.call("POST refund approve", "POST", f"/payments/refunds/{ids[0]}/approve/")
            if response is not None and response.status_code == 302:
                self.ledger.add("refunded", number)


class Ledger:
    def __init__(self):
        self.lock = threading.Lock()
        self.counts = defaultdict(int)

    def add(self, what, number):
        with self.lock:
            self.counts[what] += 1
