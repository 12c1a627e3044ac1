"""The notification channel to a customer: the SMS sandbox (success and failure), email, and the
OutboundMessage row every send leaves."""

import pytest
from django.core import mail
from django.utils import translation

from customers import channels
from customers.models import Customer, OutboundMessage
from customers.services import customer_text_send
from shop.errors import DomainError


@pytest.fixture
def customer(db):
    return Customer.objects.create(phone="13800138000", name="张三", email="zhang@example.com")


@pytest.fixture
def failing_sms(monkeypatch):
    monkeypatch.setattr(channels.SandboxSmsAdapter, "failing", True)


def test_a_customer_with_a_mobile_gets_an_sms_recorded_as_sent_with_the_provider_id(customer):
    before = len(channels.SandboxSmsAdapter.outbox)
    sent = customer_text_send(customer=customer, text="您的包裹已发出")
    row = OutboundMessage.objects.get()
    assert row == sent
    assert (row.channel, row.to, row.status, row.customer) == ("sms", "13800138000", "sent", customer)
    assert row.provider == "sandbox-sms" and row.provider_id.startswith("SMS") and row.error == ""
    assert row.sent_at is not None
    assert channels.SandboxSmsAdapter.outbox[before:] == [
        {"id": row.provider_id, "phone": "13800138000", "text": "您的包裹已发出"}
    ]


def test_a_failing_sms_gateway_leaves_a_failed_row_with_the_reason(customer, failing_sms):
    before = len(channels.SandboxSmsAdapter.outbox)
    with translation.override("en"):
        row = customer_text_send(customer=customer, text="您好")
    assert row.status == "failed" and row.provider_id == "" and row.sent_at is None
    assert "fail" in row.error
    assert len(channels.SandboxSmsAdapter.outbox) == before  # nothing went out


def test_the_sandbox_refuses_its_reserved_numbers_and_bad_numbers():
    adapter = channels.SandboxSmsAdapter()
    assert adapter.send_sms(phone="17000000042", text="hi").status == "failed"
    assert adapter.send_sms(phone="12345", text="hi").status == "failed"
    assert adapter.send_sms(phone="13800138000", text="x" * (channels.SMS_MAX_LENGTH + 1)).status == "failed"
    assert adapter.send_sms(phone="+86 138 0013 8000", text="hi").ok


def test_the_sandbox_fails_when_the_environment_says_so(monkeypatch):
    monkeypatch.setenv("SMS_SANDBOX_FAIL", "true")
    assert channels.SandboxSmsAdapter().send_sms(phone="13800138000", text="hi").status == "failed"


def test_email_goes_through_djangos_backend_with_its_message_id(customer):
    row = customer_text_send(customer=customer, text="您的退款已到账", channel="email", subject="退款")
    assert (row.channel, row.to, row.status) == ("email", "zhang@example.com", "sent")
    assert len(mail.outbox) == 1
    sent = mail.outbox[0]
    assert sent.to == ["zhang@example.com"] and sent.subject == "退款" and sent.body == "您的退款已到账"
    assert sent.extra_headers["Message-ID"] == row.provider_id


def test_an_email_backend_failure_is_a_failed_row(customer, settings):
    settings.EMAIL_BACKEND = "tests.customers.test_channels.BrokenBackend"
    row = customer_text_send(customer=customer, text="hi", channel="email")
    assert row.status == "failed" and "SMTP refused" in row.error


class BrokenBackend:
    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise OSError("SMTP refused the connection")


def test_email_to_a_customer_without_an_address_is_recorded_as_failed(db):
    customer = Customer.objects.create(phone="13900000000", name="李四")
    row = customer_text_send(customer=customer, text="hi", channel="email")
    assert row.status == "failed" and row.to == "" and row.error
    assert mail.outbox == []


def test_the_channel_follows_the_customers_data(db):
    mobile = Customer(phone="13800138000", name="a", email="a@example.com")
    landline = Customer(phone="010-12345678", name="b", email="b@example.com")
    nothing = Customer(phone="010-12345678", name="c")
    assert channels.channel_for(mobile).code == "sms"
    assert channels.channel_for(landline).code == "email"
    assert channels.channel_for(mobile, "email").code == "email"
    with pytest.raises(DomainError):
        channels.channel_for(nothing)
    with pytest.raises(DomainError):
        channels.channel_for(mobile, "fax")


def test_an_empty_text_is_refused_and_nothing_is_written(customer):
    with pytest.raises(DomainError):
        customer_text_send(customer=customer, text="   ")
    assert OutboundMessage.objects.count() == 0
