"""The notification channel to a customer: one interface, an SMS channel (over an SMS adapter) and an email
channel, side by side the way payments keeps its gateway adapters.

    channel = channel_for(customer)            # mobile number -> SMS, else email (or channel_named("email"))
    result = channel.send(to=..., text=...)    # -> SendResult(status "sent" | "failed", provider_id, error)

Channels only talk to the provider; they never write rows. `customers.services.crm.customer_text_send` is
the one place that sends: it writes the OutboundMessage row (queued), calls the channel outside any
transaction, and records what the provider answered. A channel never raises for a refused send: the
refusal is a failed SendResult with its reason, shown to staff.

The SMS adapter is the sandbox unless `SMS_ADAPTER=dotted.path.Class` names a real provider's adapter (a
subclass of `SmsAdapter`). The sandbox keeps its outbox in process memory like the payment sandbox, checks
the number is a mainland mobile and the text fits, and fails on purpose:
- when `SMS_SANDBOX_FAIL` is set (environment) or `SandboxSmsAdapter.failing` is true (tests, demos);
- for the reserved test numbers 170 0000 0000 – 170 0000 0099 ("the carrier refused the number").
"""

import threading
import uuid
from abc import ABC, abstractmethod
from dataclasses import dataclass
from email.utils import make_msgid

import environ
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.core.validators import validate_email
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from shop.china import mobile_digits
from shop.errors import DomainError

SMS, EMAIL = "sms", "email"
SMS_MAX_LENGTH = 500  # a long SMS is cut into parts by the carrier; past this most providers refuse it
env = environ.Env()


@dataclass(frozen=True)
class SendResult:
    status: str  # "sent" | "failed"
    provider: str
    provider_id: str = ""
    error: str = ""

    @property
    def ok(self) -> bool:
        return self.status == "sent"


class Channel(ABC):
    """A way of sending a text to a customer."""

    code: str = ""

    @abstractmethod
    def address_of(self, customer) -> str:
        """Where this channel reaches the customer ("" when it cannot)."""

    @abstractmethod
    def send(self, *, to: str, text: str, subject: str = "") -> SendResult:
        """Send the text; a refusal is a failed result, never an exception."""


# -- SMS ------------------------------------------------------------------------------------------------
class SmsAdapter(ABC):
    """What an SMS provider offers: send one text to one mainland mobile number."""

    name = "sms"

    @abstractmethod
    def send_sms(self, *, phone: str, text: str) -> SendResult: ...


class SandboxSmsAdapter(SmsAdapter):
    """An in-process SMS provider: it validates like a real one and can be told to fail."""

    name = "sandbox-sms"
    failing = False  # tests and demos set this to see a failed send
    FAILING_PREFIX = "170000000"  # 17000000000–17000000099: numbers the sandbox carrier refuses
    _lock = threading.Lock()
    outbox: list = []  # [{"id", "phone", "text"}] every text the sandbox accepted, newest last

    def send_sms(self, *, phone, text):
        digits = mobile_digits(phone)
        if digits is None:
            return SendResult(
                "failed", self.name, error=_("%(p)s is not a mainland mobile number.") % {"p": phone[:30]}
            )
        if not text.strip():
            return SendResult("failed", self.name, error=_("The text is empty."))
        if len(text) > SMS_MAX_LENGTH:
            return SendResult(
                "failed", self.name, error=_("An SMS has at most %(n)s characters.") % {"n": SMS_MAX_LENGTH}
            )
        if self.failing or env.bool("SMS_SANDBOX_FAIL", default=False):
            return SendResult("failed", self.name, error=_("Sandbox: the SMS gateway is set to fail."))
        if digits.startswith(self.FAILING_PREFIX):
            return SendResult("failed", self.name, error=_("Sandbox: the carrier refused the number."))
        message_id = f"SMS{uuid.uuid4().hex[:20].upper()}"
        with self._lock:
            self.outbox.append({"id": message_id, "phone": digits, "text": text})
        return SendResult("sent", self.name, provider_id=message_id)


def sms_adapter() -> SmsAdapter:
    """The configured SMS provider (`SMS_ADAPTER` names its class; default: the sandbox)."""
    path = env.str("SMS_ADAPTER", default="customers.channels.SandboxSmsAdapter")
    return import_string(path)()


class SmsChannel(Channel):
    code = SMS

    def __init__(self, adapter: SmsAdapter | None = None):
        self.adapter = adapter or sms_adapter()

    def address_of(self, customer):
        return mobile_digits(customer.phone) or ""

    def send(self, *, to, text, subject=""):
        return self.adapter.send_sms(phone=to, text=text)


# -- email ----------------------------------------------------------------------------------------------
class EmailChannel(Channel):
    """Email through Django's email backend (EMAIL_URL); the Message-ID is the provider id."""

    code = EMAIL

    def address_of(self, customer):
        return customer.email or ""

    def send(self, *, to, text, subject=""):
        try:
            validate_email(to)
        except ValidationError:
            return SendResult("failed", "email", error=_("%(e)s is not a valid email address.") % {"e": to[:60]})
        message_id = make_msgid(domain=settings.DEFAULT_FROM_EMAIL.rpartition("@")[2] or "localhost")
        mail = EmailMessage(
            subject=subject or _("A message from the store"),
            body=text,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[to],
            headers={"Message-ID": message_id},
        )
        try:
            mail.send(fail_silently=False)
        except Exception as e:  # any backend failure (SMTP refused, timeout) is a failed send, shown to staff
            return SendResult("failed", "email", error=str(e)[:300] or e.__class__.__name__)
        return SendResult("sent", "email", provider_id=message_id)


CHANNELS = {SMS: SmsChannel, EMAIL: EmailChannel}


def channel_named(code) -> Channel:
    if code not in CHANNELS:
        raise DomainError(_("Unknown channel."), code="invalid_channel", fields={"channel": _("Unknown channel.")})
    return CHANNELS[code]()


def channel_for(customer, preferred: str = "") -> Channel:
    """The channel to reach this customer: the one asked for, else SMS to a mobile number, else email."""
    if preferred:
        return channel_named(preferred)
    if mobile_digits(customer.phone):
        return channel_named(SMS)
    if customer.email:
        return channel_named(EMAIL)
    raise DomainError(_("The customer has neither a mobile number nor an email address to send to."), code="no_channel")
