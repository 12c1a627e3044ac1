"""Payment gateway adapters: one interface (create payment, verify and parse callbacks, refund, query)
and a sandbox adapter per method that behaves like a real provider.

Secrets come from the environment, never from the database: `PAYMENT_SECRET_ALIPAY`,
`PAYMENT_SECRET_WECHAT`, … (django-environ). Keeping them out of the PaymentMethod row keeps them out
of database dumps, the backup files, the admin and the audit log, and lets operations rotate them
with the deployment. With DEBUG on, a per-provider development secret is used when none is set; with
DEBUG off and no secret, the provider's callbacks are refused (401).

A real provider plugs in by subclassing `Gateway` and naming the class in
`PAYMENT_GATEWAY_<CODE>=dotted.path.Class`; order code never changes.

The callback wire format of DESIGN §4 (JSON: order_number, transaction_id, amount, status, paid_at;
header X-Signature = hex HMAC-SHA256 of the raw body) is implemented once in `Gateway`; a provider
with another format overrides `parse_payment_notice` / `parse_refund_notice`.

Sandbox failures to trigger in tests and demos (by the amount's cents):
- `.13`: the provider declines at once (create_payment / refund raise `GatewayDeclined`);
- `.14`: a refund is accepted, then its callback reports `failed`;
- `.15`: the provider is unreachable (`GatewayUnavailable`, which the refund task retries).
"""

import hashlib
import hmac
import json
import threading
import uuid
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation

import environ
from django.conf import settings
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from orders.models import Order
from shop.errors import DomainError, NotFound
from shop.money import LIMIT, to_cents

PROVIDERS = tuple(Order.PaymentMethod.values)  # one adapter per payment method code (the sandbox by default)
MAX_BODY = 16 * 1024
env = environ.Env()


class GatewayError(DomainError):
    code = "gateway_error"
    status = 502


class GatewayDeclined(GatewayError):
    """The provider refused the request; retrying will not help."""

    code = "gateway_declined"


class GatewayUnavailable(GatewayError):
    """The provider could not be reached; safe to retry with the same idempotency key."""

    code = "gateway_unavailable"
    status = 503


class CallbackInvalid(DomainError):
    code = "invalid_callback"
    status = 400


@dataclass(frozen=True)
class PaymentNotice:
    order_number: str
    transaction_id: str
    amount: Decimal
    status: str  # "success" | "failed"
    paid_at: datetime
    raw: dict = field(default_factory=dict)


@dataclass(frozen=True)
class RefundNotice:
    refund_id: str  # our idempotency key
    provider_refund_id: str
    amount: Decimal
    status: str  # "succeeded" | "failed"
    message: str = ""
    raw: dict = field(default_factory=dict)


@dataclass(frozen=True)
class PaymentIntent:
    transaction_id: str
    pay_url: str


@dataclass(frozen=True)
class RefundResult:
    provider_refund_id: str
    status: str  # "processing": the answer comes later by callback


def secret_for(code) -> str | None:
    """The provider's callback secret, or None when it is not configured."""
    value = env.str(f"PAYMENT_SECRET_{code.upper()}", default="")
    if not value and settings.DEBUG:
        value = f"sandbox-dev-secret-{code}"
    return value or None


def sign(secret: str, body: bytes) -> str:
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def _places(amount: Decimal) -> int:
    """The decimals a finite amount was written with ("1.500": 3)."""
    exponent = amount.as_tuple().exponent
    return -exponent if isinstance(exponent, int) else 0


def parse_amount(value) -> Decimal:
    """A positive amount with at most two decimals, from a string or an exact JSON number."""
    if isinstance(value, bool) or not isinstance(value, (str, int, Decimal)):
        raise CallbackInvalid(_("The amount must be a decimal string."), fields={"amount": "invalid"})
    try:
        amount = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise CallbackInvalid(_("The amount must be a decimal string."), fields={"amount": "invalid"}) from None
    if not amount.is_finite() or amount <= 0 or amount >= LIMIT or _places(amount) > 2:
        raise CallbackInvalid(
            _("The amount must be above zero with at most two decimals."), fields={"amount": "invalid"}
        )
    return to_cents(amount)


def _text(data, key, max_length=64, required=True):
    value = data.get(key, "")
    if not isinstance(value, str) or (required and not value.strip()) or len(value) > max_length:
        raise CallbackInvalid(_("The field %(f)s is missing or not valid.") % {"f": key}, fields={key: "invalid"})
    return value.strip()


def _json(body: bytes) -> dict:
    if len(body) > MAX_BODY:
        raise CallbackInvalid(_("The callback body is too large."))
    try:
        data = json.loads(body.decode("utf-8"), parse_float=Decimal)
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise CallbackInvalid(_("The callback body is not valid JSON.")) from None
    if not isinstance(data, dict):
        raise CallbackInvalid(_("The callback body must be a JSON object."))
    return data


def _cents(amount) -> int:
    return int((Decimal(amount) * 100) % 100)


class Gateway(ABC):
    """The adapter interface every provider implements."""

    def __init__(self, code, secret=None):
        self.code = code
        self.secret = secret if secret is not None else secret_for(code)

    # -- signatures -----------------------------------------------------------------------------
    def verify_callback(self, *, body: bytes, signature: str) -> bool:
        """True when `signature` is the hex HMAC-SHA256 of the raw body with this provider's secret."""
        if not self.secret or not isinstance(signature, str) or not signature:
            return False
        given = signature.strip().lower().encode("utf-8", "replace")
        return hmac.compare_digest(sign(self.secret, body).encode(), given)

    # -- callbacks (DESIGN §4 format) ---------------------------------------------------------------
    def parse_payment_notice(self, body: bytes) -> PaymentNotice:
        data = _json(body)
        status = _text(data, "status", 20).lower()
        if status in ("success", "paid", "succeeded", "trade_success"):
            status = "success"
        elif status in ("failed", "fail", "closed"):
            status = "failed"
        else:
            raise CallbackInvalid(_("Unknown payment status."), fields={"status": "invalid"})
        try:
            paid_at = parse_datetime(_text(data, "paid_at", 40))
        except ValueError:
            paid_at = None
        if paid_at is None:
            raise CallbackInvalid(_("paid_at must be an ISO 8601 date and time."), fields={"paid_at": "invalid"})
        if timezone.is_naive(paid_at):
            paid_at = timezone.make_aware(paid_at)
        return PaymentNotice(
            order_number=_text(data, "order_number", 32),
            transaction_id=_text(data, "transaction_id"),
            amount=parse_amount(data.get("amount")),
            status=status,
            paid_at=paid_at,
            raw={k: str(v)[:200] for k, v in list(data.items())[:20]},
        )

    def parse_refund_notice(self, body: bytes) -> RefundNotice:
        data = _json(body)
        status = _text(data, "status", 20).lower()
        if status not in ("succeeded", "failed"):
            raise CallbackInvalid(_("Unknown refund status."), fields={"status": "invalid"})
        return RefundNotice(
            refund_id=_text(data, "refund_id"),
            provider_refund_id=_text(data, "provider_refund_id"),
            amount=parse_amount(data.get("amount")),
            status=status,
            message=_text(data, "message", 200, required=False),
            raw={k: str(v)[:200] for k, v in list(data.items())[:20]},
        )

    # -- calls to the provider ----------------------------------------------------------------------
    @abstractmethod
    def create_payment(self, *, order_number: str, amount: Decimal, description: str = "") -> PaymentIntent: ...

    @abstractmethod
    def refund(self, *, refund_id: str, transaction_id: str, amount: Decimal, reason: str = "") -> RefundResult:
        """Ask for a refund. `refund_id` is our idempotency key: the same id twice is one refund."""
        ...

    @abstractmethod
    def query_refund(self, *, refund_id: str) -> RefundResult | None:
        """The provider's record of this refund, or None when it never received it."""
        ...

    @abstractmethod
    def query_payment(self, *, transaction_id: str) -> dict | None: ...

    def callbacks_due(self, *, refund_id: str) -> list[tuple[bytes, str]]:
        """Signed refund callbacks to deliver in-process right away. A real provider posts them itself: []."""
        return []


class SandboxGateway(Gateway):
    """An in-process provider: signs its callbacks, answers refunds later by callback, dedupes refunds by
    our refund id, and fails on the amounts listed at the top of this module.

    Its books live in process memory (shared by every instance of the same provider code): enough for
    tests, the demo and development; a real provider keeps them on its side.
    """

    _lock = threading.Lock()
    _books: dict = {}

    @classmethod
    def books(cls, code) -> dict:
        with cls._lock:
            return cls._books.setdefault(code, {"payments": {}, "refunds": {}, "refund_calls": 0})

    def _sign(self, data) -> tuple[bytes, str]:
        body = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()
        return body, sign(self.secret or "", body)

    def create_payment(self, *, order_number, amount, description=""):
        amount = Decimal(amount)
        if _cents(amount) == 13:
            raise GatewayDeclined(_("The provider declined the payment."))
        if _cents(amount) == 15:
            raise GatewayUnavailable(_("The payment provider is unreachable."))
        txn = f"{self.code.upper()}{uuid.uuid4().hex[:20].upper()}"
        with self._lock:
            self._books.setdefault(self.code, {"payments": {}, "refunds": {}, "refund_calls": 0})["payments"][txn] = {
                "order_number": order_number,
                "amount": str(amount),
                "state": "created",
            }
        return PaymentIntent(transaction_id=txn, pay_url=f"https://sandbox.invalid/{self.code}/pay/{txn}")

    def simulate_payment(self, *, order_number, amount, transaction_id=None, status="success", paid_at=None):
        """The signed callback the provider sends when the customer pays: (raw body, signature)."""
        data = {
            "order_number": order_number,
            "transaction_id": transaction_id or f"{self.code.upper()}{uuid.uuid4().hex[:20].upper()}",
            "amount": str(amount),
            "status": status,
            "paid_at": (paid_at or timezone.now()).isoformat(),
        }
        with self._lock:
            self._books.setdefault(self.code, {"payments": {}, "refunds": {}, "refund_calls": 0})["payments"][
                data["transaction_id"]
            ] = {"order_number": order_number, "amount": str(amount), "state": status}
        return self._sign(data)

    def refund(self, *, refund_id, transaction_id, amount, reason=""):
        amount = Decimal(amount)
        with self._lock:
            books = self._books.setdefault(self.code, {"payments": {}, "refunds": {}, "refund_calls": 0})
            if refund_id in books["refunds"]:  # the same refund id twice is one refund
                return RefundResult(books["refunds"][refund_id]["provider_refund_id"], "processing")
            if _cents(amount) == 13:
                raise GatewayDeclined(_("The provider declined the refund."))
            if _cents(amount) == 15:
                raise GatewayUnavailable(_("The payment provider is unreachable."))
            provider_id = f"RF{uuid.uuid4().hex[:20].upper()}"
            books["refunds"][refund_id] = {
                "provider_refund_id": provider_id,
                "transaction_id": transaction_id,
                "amount": str(amount),
                "outcome": "failed" if _cents(amount) == 14 else "succeeded",
                "delivered": False,
            }
            books["refund_calls"] += 1
        return RefundResult(provider_id, "processing")

    def query_refund(self, *, refund_id):
        entry = self.books(self.code)["refunds"].get(refund_id)
        return RefundResult(entry["provider_refund_id"], "processing") if entry else None

    def query_payment(self, *, transaction_id):
        return self.books(self.code)["payments"].get(transaction_id)

    def refund_callback(self, refund_id) -> tuple[bytes, str]:
        """The signed callback the provider sends when it has processed the refund."""
        entry = self.books(self.code)["refunds"][refund_id]
        return self._sign(
            {
                "refund_id": refund_id,
                "provider_refund_id": entry["provider_refund_id"],
                "amount": entry["amount"],
                "status": entry["outcome"],
                "message": "" if entry["outcome"] == "succeeded" else "sandbox: card account closed",
            }
        )

    def callbacks_due(self, *, refund_id):
        """With PAYMENT_SANDBOX_AUTO_CALLBACK (default: on with DEBUG), the sandbox answers a refund at
        once, so a refund approved on a development site is confirmed through the signed callback path;
        tests leave it off and deliver callbacks themselves."""
        if not env.bool("PAYMENT_SANDBOX_AUTO_CALLBACK", default=settings.DEBUG):
            return []
        with self._lock:
            entry = self._books.get(self.code, {}).get("refunds", {}).get(refund_id)
            if entry is None or entry["delivered"]:
                return []
            entry["delivered"] = True
        return [self.refund_callback(refund_id)]

    def pending_refund_callbacks(self) -> list[tuple[bytes, str]]:
        """Callbacks of refunds not yet answered, marked as delivered (what the provider would post)."""
        with self._lock:
            refunds = self._books.setdefault(self.code, {"payments": {}, "refunds": {}, "refund_calls": 0})["refunds"]
            pending = [key for key, entry in refunds.items() if not entry["delivered"]]
            for key in pending:
                refunds[key]["delivered"] = True
        return [self.refund_callback(key) for key in pending]


def get_gateway(code) -> Gateway:
    """The adapter of provider `code` (PAYMENT_GATEWAY_<CODE> names a class; default: the sandbox)."""
    if code not in PROVIDERS:
        raise NotFound(_("Unknown payment provider."), code="unknown_provider")
    path = env.str(f"PAYMENT_GATEWAY_{code.upper()}", default="payments.gateways.SandboxGateway")
    return import_string(path)(code)
