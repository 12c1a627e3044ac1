"""The message inbox (客户留言): the storefront's POST /api/v1/messages, the staff inbox, assign, reply
through the customer's channel, status moves, and the complaint_sla job."""

import json
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from customers import channels
from customers.models import Customer, CustomerMessage, MessageReply, OutboundMessage
from customers.services import message_assign, message_move, message_receive, message_reply, messages_sla_check
from shop.errors import DomainError
from shop.models import AuditEntry, Notification, StoreSettings
from shop.services import apikey_create
from shop.state import IllegalTransition
from tests.shop.world import row_counts

BODY = {"phone": "138 0013 8000", "subject": "什么时候发货", "text": "下单三天了还没发货", "name": "张三"}


@pytest.fixture
def api(client, owner):
    keys = {}

    def post(data, scopes=("aftersales:write",), headers=None):
        if scopes not in keys:
            keys[scopes] = apikey_create(actor=owner, name="storefront", scopes=list(scopes))[1]
        extra = {"HTTP_AUTHORIZATION": f"Bearer {keys[scopes]}"}
        for name, value in (headers or {}).items():
            extra["HTTP_" + name.upper().replace("-", "_")] = value
        body = data if isinstance(data, str) else json.dumps(data)
        return client.post("/api/v1/messages", data=body, content_type="application/json", **extra)

    return post


def _message(subject="咨询", at=None, **extra):
    customer = Customer.objects.get_or_create(phone="13800138000", defaults={"name": "张三"})[0]
    return CustomerMessage.objects.create(
        customer=customer, subject=subject, text="你好", created_at=at or timezone.now(), **extra
    )


# -- the API ------------------------------------------------------------------------------------------------
def test_the_storefront_posts_a_message_for_a_customer_found_or_created_by_phone(api):
    response = api(BODY)
    assert response.status_code == 201, response.content
    data = response.json()
    message = CustomerMessage.objects.get()
    assert data["id"] == message.pk and data["status"] == "new"
    assert (message.customer.phone, message.customer.name, message.text) == ("13800138000", "张三", BODY["text"])
    assert message.source == "api:storefront"
    assert AuditEntry.objects.filter(action="customers.message_receive", object_id=str(message.pk)).exists()
    # a second message without a name keeps the customer's name
    assert api({**BODY, "name": "", "subject": "还有一件事"}).status_code == 201
    assert Customer.objects.get().name == "张三" and CustomerMessage.objects.count() == 2


def test_a_new_customer_without_a_name_is_known_by_the_masked_number(api):
    assert api({**BODY, "name": "", "phone": "13900001111"}).status_code == 201
    assert Customer.objects.get(phone="13900001111").name == "139****1111"


@pytest.mark.parametrize(
    "change, field",
    [
        ({"text": ""}, "text"),
        ({"text": "   "}, "text"),
        ({"text": "好" * 10_000}, "text"),
        ({"subject": ""}, "subject"),
        ({"phone": "12345"}, "phone"),
        ({"phone": None}, "phone"),
        ({"email": "not-an-email"}, "email"),
        ({"order_number": "NO-SUCH-ORDER"}, "order_number"),
    ],
)
def test_a_bad_message_is_a_400_in_the_error_format_and_writes_nothing(api, change, field):
    api({**BODY, "subject": "warm-up"})  # the key and the customer exist before the counted request
    before = row_counts()
    response = api({**BODY, **change})
    assert response.status_code == 400, response.content
    error = response.json()["error"]
    assert field in error["fields"] and error["message"] and error["code"]
    assert row_counts() == before


def test_a_known_order_number_is_accepted(api, owner):
    from orders.models import Order

    customer = Customer.objects.create(phone="13800138000", name="张三")
    Order.objects.create(
        number="W202612010001",
        customer=customer,
        subtotal=Decimal("10.00"),
        total=Decimal("10.00"),
        placed_at=timezone.now(),
        ship_name="张三",
        ship_phone="13800138000",
        ship_province="上海",
        ship_city="上海市",
        ship_district="浦东新区",
        ship_detail="世纪大道1号",
    )
    assert api({**BODY, "order_number": "W202612010001"}).status_code == 201
    assert CustomerMessage.objects.get().order_number == "W202612010001"


def test_a_key_without_the_scope_is_refused(api):
    response = api(BODY, scopes=("orders:read",))
    assert response.status_code == 403 and response.json()["error"]["code"] == "forbidden"
    assert CustomerMessage.objects.count() == 0


def test_a_body_that_is_not_json_is_a_400(api):
    assert api("{not json").status_code == 400
    assert CustomerMessage.objects.count() == 0


def test_the_same_idempotency_key_gives_one_message(api):
    first = api(BODY, headers={"Idempotency-Key": "msg-1"})
    again = api(BODY, headers={"Idempotency-Key": "msg-1"})
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["id"] == again.json()["id"] and CustomerMessage.objects.count() == 1
    other = api({**BODY, "text": "另一条"}, headers={"Idempotency-Key": "msg-1"})
    assert other.status_code == 422 and other.json()["error"]["code"] == "idempotency_mismatch"
    assert CustomerMessage.objects.count() == 1


def test_the_endpoint_is_in_the_openapi_schema(client):
    schema = client.get("/api/v1/openapi.json").json()
    operation = schema["paths"]["/api/v1/messages"]["post"]
    assert set(operation["responses"]) >= {"200", "201"}
    assert "Idempotency-Key" in operation["description"]


# -- staff: assign, reply, status -------------------------------------------------------------------------
def test_assigning_opens_a_new_message_notifies_the_assignee_and_is_audited(owner, make_staff):
    agent = make_staff("customer_service")
    message = message_assign(message=_message(), actor=owner, assignee=agent)
    assert (message.assignee, message.status) == (agent, "open")
    assert Notification.objects.filter(recipient=agent, kind="message_assigned").count() == 1
    assert AuditEntry.objects.filter(action="customers.message_assign").count() == 1


def test_a_message_cannot_go_to_a_warehouse_worker(owner, make_staff):
    with pytest.raises(DomainError):
        message_assign(message=_message(), actor=owner, assignee=make_staff("warehouse"))


def test_a_reply_is_stored_sent_by_sms_and_waits_on_the_customer(owner):
    message = _message()
    reply = message_reply(message=message, actor=owner, text="今天已发货，请留意物流")
    message.refresh_from_db()
    assert message.status == "waiting" and message.first_reply_at is not None
    assert reply.outbound.channel == "sms" and reply.outbound.status == "sent" and reply.outbound.to == "13800138000"
    assert MessageReply.objects.get().text == "今天已发货，请留意物流"
    assert AuditEntry.objects.filter(action="customers.message_reply").count() == 1


def test_a_failed_send_keeps_the_reply_and_shows_the_failure(client_as, monkeypatch):
    monkeypatch.setattr(channels.SandboxSmsAdapter, "failing", True)
    message = _message()
    client = client_as("customer_service")
    response = client.post(f"/customers/messages/{message.pk}/reply/", {"text": "您好，已处理"}, follow=True)
    body = response.content.decode()
    assert response.status_code == 200
    outbound = OutboundMessage.objects.get()
    assert outbound.status == "failed" and outbound.error in body
    assert 'data-testid="send-error"' in body
    assert MessageReply.objects.get().outbound == outbound


def test_a_reply_by_email_to_a_customer_without_email_is_recorded_failed(owner):
    reply = message_reply(message=_message(), actor=owner, text="您好", channel="email")
    assert reply.outbound.status == "failed"


def test_an_empty_reply_is_refused_and_nothing_is_written(owner):
    message = _message()
    with pytest.raises(DomainError):
        message_reply(message=message, actor=owner, text=" ")
    assert MessageReply.objects.count() == 0 and OutboundMessage.objects.count() == 0


def test_status_moves_follow_the_machine(owner):
    message = _message()
    message = message_move(message=message, actor=owner, action="resolve")
    assert message.status == "resolved" and message.resolved_at is not None
    message = message_move(message=message, actor=owner, action="open")
    message = message_move(message=message, actor=owner, action="close")
    assert message.status == "closed" and message.closed_at is not None
    for action in ("open", "resolve", "wait", "close"):
        with pytest.raises(IllegalTransition):
            message_move(message=message, actor=owner, action=action)
    with pytest.raises(DomainError):
        message_reply(message=message, actor=owner, text="还在吗")
    with pytest.raises(DomainError):
        message_assign(message=message, actor=owner, assignee=owner)
    assert AuditEntry.objects.filter(action="customers.message_status").count() == 3
    assert MessageReply.objects.count() == 0


def test_an_illegal_move_on_the_page_is_shown_not_a_500(client_as):
    message = _message(status="closed")
    client = client_as("customer_service")
    response = client.post(f"/customers/messages/{message.pk}/status/", {"action": "resolve"}, follow=True)
    assert response.status_code == 200
    message.refresh_from_db()
    assert message.status == "closed"


def test_the_message_page_shows_the_thread_and_its_actions(client_as, owner):
    message = _message()
    message_reply(message=message, actor=owner, text="已为您加急")
    body = client_as("customer_service").get(f"/customers/messages/{message.pk}/").content.decode()
    assert "你好" in body and "已为您加急" in body and 'data-testid="status-resolve"' in body


# -- the inbox list ---------------------------------------------------------------------------------------
def test_the_inbox_filters_by_status_assignee_sla_and_date(client_as, make_staff):
    agent = make_staff("customer_service", username="agent")
    now = timezone.now()
    _message("主题甲", at=now)
    _message("主题乙", at=now, assignee=agent, status="open")
    _message("主题丙", at=now - timedelta(days=3), sla_breached_at=now)
    _message("主题丁", at=now - timedelta(days=10), status="closed")
    client = client_as("operations")  # subjects unlike any label of the page (新留言 is the status New)

    def subjects(query):
        response = client.get(f"/customers/messages/?{query}")
        assert response.status_code == 200
        return {s for s in ("主题甲", "主题乙", "主题丙", "主题丁") if s in response.content.decode()}

    assert subjects("") == {"主题甲", "主题乙", "主题丙", "主题丁"}
    assert subjects("status=new") == {"主题甲", "主题丙"}
    assert subjects(f"assignee={agent.pk}") == {"主题乙"}
    assert subjects("sla_breached=true") == {"主题丙"}
    assert subjects("sla_breached=false") == {"主题甲", "主题乙", "主题丁"}
    day = timezone.localdate(now - timedelta(days=3)).isoformat()
    assert subjects(f"received_from={day}&received_to={day}") == {"主题丙"}
    assert subjects("q=丙") == {"主题丙"}
    assert subjects("q=138001") == {"主题甲", "主题乙", "主题丙", "主题丁"}


def test_the_inbox_keeps_its_query_count_at_two_page_sizes(client_as, django_assert_max_num_queries):
    client = client_as("customer_service")
    for i in range(25):
        _message(f"留言{i}")
    client.get("/customers/messages/")
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts = []
    for per_page in (20, 50):
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(f"/customers/messages/?per_page={per_page}").status_code == 200
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1]


def test_bulk_assign_from_the_inbox(client_as, make_staff):
    agent = make_staff("customer_service", username="agent")
    a, b = _message("一"), _message("二")
    closed = _message("三", status="closed")
    client = client_as("operations")
    response = client.post(
        "/customers/messages/", {"action": "assign", "ids": [a.pk, b.pk, closed.pk], "assignee": agent.pk}, follow=True
    )
    assert response.status_code == 200
    assert set(CustomerMessage.objects.filter(assignee=agent).values_list("pk", flat=True)) == {a.pk, b.pk}
    assert CustomerMessage.objects.get(pk=closed.pk).assignee is None


# -- the SLA job ---------------------------------------------------------------------------------------
def test_the_sla_job_flags_exactly_the_late_unanswered_messages_once(owner, make_staff):
    StoreSettings.objects.update_or_create(pk=1, defaults={"complaint_sla_hours": 4})
    agent = make_staff("customer_service", username="agent")
    other = make_staff("customer_service", username="other")
    now = timezone.now()
    late_assigned = _message("超时已分配", at=now - timedelta(hours=5), assignee=agent, status="open")
    late_unassigned = _message("超时未分配", at=now - timedelta(hours=4, minutes=1))
    _message("还没到时间", at=now - timedelta(hours=3, minutes=59))
    answered = _message("已回复", at=now - timedelta(hours=6))
    message_reply(message=answered, actor=owner, text="已处理")
    _message("已解决", at=now - timedelta(hours=6), status="resolved")

    assert messages_sla_check(now=now) == 2
    flagged = set(CustomerMessage.objects.filter(sla_breached_at__isnull=False).values_list("pk", flat=True))
    assert flagged == {late_assigned.pk, late_unassigned.pk}
    sla = Notification.objects.filter(kind="sla")
    assert sorted((n.recipient.username, n.url) for n in sla) == sorted(
        [
            ("agent", late_assigned.get_absolute_url()),  # the assignee
            ("agent", late_unassigned.get_absolute_url()),  # unassigned: all of customer service
            ("other", late_unassigned.get_absolute_url()),
        ]
    )
    assert other  # (named for the notification above)
    assert messages_sla_check(now=now) == 0  # run again: nothing twice
    assert Notification.objects.filter(kind="sla").count() == 3
    assert messages_sla_check(now=now + timedelta(minutes=15)) == 1  # 15 minutes on, the next one is late
    assert Notification.objects.filter(kind="sla").count() == 5


def test_the_flag_shows_on_the_inbox(client_as):
    _message("超时", sla_breached_at=timezone.now())
    body = client_as("customer_service").get("/customers/messages/").content.decode()
    assert 'data-testid="sla-breached"' in body


def test_message_receive_is_idempotent_in_the_service_too(owner):
    first, created = message_receive(
        phone="13800138000", subject="s", text="t", idempotency_key="k", idempotency_scope="1", payload={"a": 1}
    )
    again, created_again = message_receive(
        phone="13800138000", subject="s", text="t", idempotency_key="k", idempotency_scope="1", payload={"a": 1}
    )
    assert (created, created_again, first.pk) == (True, False, again.pk)
