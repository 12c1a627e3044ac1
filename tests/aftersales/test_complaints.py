"""Complaints (投诉): the lifecycle through the services and the pages, the storefront API (create, satisfaction
with its error cases), the SLA flag and escalation through the `complaint_sla` job (once only), the panels on
the customer and order pages, the list's filters, search, export and bulk actions."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from aftersales.models import Complaint, ComplaintNote, ComplaintSla
from aftersales.services import (
    complaint_assign,
    complaint_close,
    complaint_escalate,
    complaint_reopen,
    complaint_resolve,
    complaint_respond,
    complaint_satisfaction_record,
    complaint_sla_save,
    complaints_sla_sweep,
)
from customers.models import Customer, OutboundMessage
from customers.tasks import complaint_sla
from shop.errors import Conflict, DomainError
from shop.models import AuditEntry, Notification
from tests.shop.world import row_counts

S = Complaint.Status


# -- the lifecycle -------------------------------------------------------------------------------------------
def test_a_complaint_goes_from_open_to_closed_with_its_thread_and_audit(make_complaint, make_staff, owner, order):
    agent = make_staff("customer_service", username="agent")
    before = timezone.now()
    complaint = make_complaint(order=order, category="product", priority="high", description="衣服破了个洞")
    assert complaint.status == S.OPEN and complaint.subject == "衣服破了个洞"
    # the high priority's default SLA: 12 hours
    assert before + timedelta(hours=12) <= complaint.sla_due_at <= timezone.now() + timedelta(hours=12)

    complaint = complaint_assign(complaint=complaint, actor=owner, assignee=agent)
    assert complaint.status == S.IN_PROGRESS
    assert Notification.objects.filter(recipient=agent, kind="complaint_assigned").count() == 1

    note = complaint_respond(complaint=complaint, actor=agent, text="内部：联系仓库核实", kind="note")
    assert note.outbound is None
    complaint.refresh_from_db()
    assert complaint.first_response_at is None  # an internal note is no response to the customer
    reply = complaint_respond(complaint=complaint, actor=agent, text="非常抱歉，我们为您换一件新的")
    assert reply.outbound.status == OutboundMessage.Status.SENT and reply.outbound.to == "13800138000"
    complaint.refresh_from_db()
    assert complaint.first_response_at == reply.created_at

    complaint = complaint_resolve(complaint=complaint, actor=agent, resolution="已换新")
    assert (complaint.status, complaint.resolution) == (S.RESOLVED, "已换新") and complaint.resolved_at
    complaint = complaint_satisfaction_record(complaint=complaint, actor=agent, rating=4)
    complaint = complaint_close(complaint=complaint, actor=agent)
    assert complaint.status == S.CLOSED and complaint.closed_at

    kinds = list(ComplaintNote.objects.filter(complaint=complaint).values_list("kind", flat=True))
    assert kinds.count("reply") == 1 and kinds.count("note") == 1 and "event" in kinds
    actions = set(AuditEntry.objects.filter(object_id=str(complaint.pk)).values_list("action", flat=True))
    assert {
        "aftersales.complaint_create",
        "aftersales.complaint_assign",
        "aftersales.complaint_respond",
        "aftersales.complaint_resolve",
        "aftersales.complaint_satisfaction",
        "aftersales.complaint_close",
    } <= actions


def test_illegal_moves_are_refused(make_complaint, owner):
    complaint = make_complaint()
    with pytest.raises(Conflict):
        complaint_reopen(complaint=complaint, actor=owner)
    with pytest.raises(DomainError) as e:
        complaint_resolve(complaint=complaint, actor=owner, resolution="  ")
    assert "resolution" in e.value.data["fields"]
    complaint_close(complaint=complaint, actor=owner, note="重复投诉")
    for call in (
        lambda: complaint_resolve(complaint=complaint, actor=owner, resolution="x"),
        lambda: complaint_close(complaint=complaint, actor=owner),
        lambda: complaint_respond(complaint=complaint, actor=owner, text="x"),
        lambda: complaint_escalate(complaint=complaint, actor=owner),
    ):
        with pytest.raises(Conflict):
            call()


def test_a_resolved_complaint_reopens_with_a_new_due_time(make_complaint, owner):
    complaint = make_complaint(now=timezone.now() - timedelta(days=3))
    complaint = complaint_resolve(complaint=complaint, actor=owner, resolution="已退款")
    complaint = complaint_reopen(complaint=complaint, actor=owner, reason="客户不满意")
    assert complaint.status == S.IN_PROGRESS and complaint.resolved_at is None
    assert complaint.sla_due_at > timezone.now()


def test_manual_escalation_goes_up_one_level_then_to_the_owner(make_complaint, make_staff, owner):
    boss = make_staff("owner", username="boss")
    complaint = make_complaint()
    complaint = complaint_escalate(complaint=complaint, actor=owner, reason="客户要投诉到12315")
    assert complaint.escalation_level == Complaint.Level.SUPERVISOR
    complaint = complaint_escalate(complaint=complaint, actor=owner)
    assert complaint.escalation_level == Complaint.Level.OWNER and complaint.owner_escalated_at
    assert Notification.objects.filter(recipient=boss, kind="complaint_escalated").count() == 1
    with pytest.raises(Conflict):
        complaint_escalate(complaint=complaint, actor=owner)


def test_an_order_of_another_customer_or_a_foreign_shipment_is_refused(make_complaint, order, shipment, owner):
    other = Customer.objects.create(phone="13900139000", name="李四")
    with pytest.raises(DomainError) as e:
        make_complaint(customer=other, order=order)
    assert "order" in e.value.data["fields"]
    # a shipment alone brings its order
    complaint = make_complaint(category="logistics", shipment=shipment)
    assert complaint.order == order


def test_the_sla_of_a_priority_is_staff_edited(make_complaint, owner):
    complaint_sla_save(actor=owner, priority="urgent", hours=2, escalate_hours=1)
    complaint = make_complaint(priority="urgent")
    assert abs(complaint.sla_due_at - (complaint.created_at + timedelta(hours=2))) < timedelta(seconds=1)
    with pytest.raises(DomainError):
        complaint_sla_save(actor=owner, priority="urgent", hours=0, escalate_hours=1)
    assert ComplaintSla.objects.get(priority="urgent").hours == 2


# -- the SLA job ---------------------------------------------------------------------------------------------
def test_the_complaint_sla_job_flags_and_escalates_once(make_complaint, make_staff, owner):
    agent = make_staff("customer_service", username="agent")
    boss = make_staff("owner", username="boss")
    now = timezone.now()
    late = make_complaint(priority="normal", now=now - timedelta(hours=25), assignee=agent)  # due 1 h ago
    unassigned_late = make_complaint(now=now - timedelta(hours=30))
    long_late = make_complaint(priority="urgent", now=now - timedelta(hours=9))  # due 5 h ago; owner after 4
    on_time = make_complaint(now=now - timedelta(hours=1))
    resolved = make_complaint(now=now - timedelta(hours=40))
    complaint_resolve(complaint=resolved, actor=owner, resolution="已处理")
    Notification.objects.all().delete()

    first = complaint_sla()
    assert first["complaints"] == {"overdue": 3, "escalated": 1}
    for complaint in (late, unassigned_late, long_late, on_time, resolved):
        complaint.refresh_from_db()
    assert late.sla_breached_at and late.escalation_level == Complaint.Level.SUPERVISOR
    assert long_late.owner_escalated_at and long_late.escalation_level == Complaint.Level.OWNER
    assert on_time.sla_breached_at is None and resolved.sla_breached_at is None
    # the assignee hears of theirs, customer service (the agent's role) of the unassigned ones, the owner of the
    # one long past due
    told = list(Notification.objects.filter(recipient=agent, kind="sla").values_list("url", flat=True))
    assert sorted(told) == sorted(c.get_absolute_url() for c in (late, unassigned_late, long_late))
    assert list(Notification.objects.filter(recipient=boss, kind="sla").values_list("url", flat=True)) == [
        long_late.get_absolute_url()
    ]

    sent = Notification.objects.count()
    second = complaint_sla()
    assert second["complaints"] == {"overdue": 0, "escalated": 0}
    assert Notification.objects.count() == sent
    assert AuditEntry.objects.filter(action="aftersales.complaint_sla").count() == 1


def test_manage_py_run_job_complaint_sla_runs_the_sweep(make_complaint):
    complaint = make_complaint(now=timezone.now() - timedelta(hours=30))
    call_command("run_job", "complaint_sla")
    call_command("run_job", "complaint_sla")
    complaint.refresh_from_db()
    assert complaint.sla_breached_at is not None
    assert ComplaintNote.objects.filter(complaint=complaint, kind="event", text__contains="SLA").count() == 1


def test_the_sweep_takes_now_from_its_caller(make_complaint):
    complaint = make_complaint()
    assert complaints_sla_sweep(now=timezone.now() + timedelta(hours=23)) == {"overdue": 0, "escalated": 0}
    assert complaints_sla_sweep(now=timezone.now() + timedelta(hours=25)) == {"overdue": 1, "escalated": 0}
    complaint.refresh_from_db()
    assert complaint.sla_breached_at is not None


# -- the API ---------------------------------------------------------------------------------------------------
BODY = {
    "phone": "138 0013 8000",
    "category": "logistics",
    "description": "快递三天没动",
    "order_number": "A000000000001",
    "tracking_number": "SF100000000001",
}


def test_the_storefront_posts_a_complaint_about_a_shipment(storefront, shipment):
    response = storefront("post", "/api/v1/complaints", BODY, headers={"Idempotency-Key": "k-1"})
    assert response.status_code == 201, response.content
    complaint = Complaint.objects.get()
    assert response.json()["id"] == complaint.pk and response.json()["status"] == "open"
    assert complaint.shipment == shipment and complaint.order == shipment.order
    assert complaint.source == "api:storefront" and complaint.priority == "normal"
    again = storefront("post", "/api/v1/complaints", BODY, headers={"Idempotency-Key": "k-1"})
    assert again.status_code == 200 and again.json()["id"] == complaint.pk
    changed = storefront(
        "post", "/api/v1/complaints", {**BODY, "description": "别的"}, headers={"Idempotency-Key": "k-1"}
    )
    assert changed.status_code == 422
    assert Complaint.objects.count() == 1


@pytest.mark.parametrize(
    "change, field",
    [
        ({"category": "weather"}, "category"),
        ({"description": ""}, "description"),
        ({"phone": "12345"}, "phone"),
        ({"order_number": "NO-SUCH"}, "order_number"),
        ({"tracking_number": "SF999"}, "tracking_number"),
        ({"product_code": "NO-SUCH"}, "product_code"),
    ],
)
def test_a_bad_complaint_is_a_400_and_writes_nothing(storefront, shipment, change, field):
    storefront("get", "/api/v1/faq")  # the key exists before the counted request
    counts = row_counts()
    response = storefront("post", "/api/v1/complaints", {**BODY, **change})
    assert response.status_code == 400, response.content
    assert field in response.json()["error"]["fields"]
    assert row_counts() == counts


def test_an_order_of_another_customer_is_refused_through_the_api(storefront, order):
    response = storefront("post", "/api/v1/complaints", {**BODY, "phone": "13900139000", "tracking_number": ""})
    assert response.status_code == 400 and "order_number" in response.json()["error"]["fields"]


def test_the_complaint_api_needs_the_write_scope(storefront, shipment):
    response = storefront("post", "/api/v1/complaints", BODY, scopes=("aftersales:read",))
    assert response.status_code == 403 and Complaint.objects.count() == 0


def test_satisfaction_through_the_api_and_its_error_cases(storefront, make_complaint, owner):
    complaint = make_complaint()
    path = f"/api/v1/complaints/{complaint.pk}/satisfaction"
    early = storefront("post", path, {"rating": 5})
    assert early.status_code == 409 and early.json()["error"]["code"] == "not_resolved"
    complaint_resolve(complaint=complaint, actor=owner, resolution="已道歉并补偿")
    for bad in (0, 6, "five", None):
        response = storefront("post", path, {"rating": bad})
        assert response.status_code == 400 and "rating" in response.json()["error"]["fields"], bad
    assert storefront("post", "/api/v1/complaints/999999/satisfaction", {"rating": 5}).status_code == 404
    assert storefront("post", f"/api/v1/complaints/{2**70}/satisfaction", {"rating": 5}).status_code in (400, 404)
    ok = storefront("post", path, {"rating": 5, "comment": "满意"})
    assert ok.status_code == 200 and ok.json()["satisfaction"] == 5
    assert storefront("post", path, {"rating": 5}).status_code == 200  # a retry changes nothing
    assert storefront("post", path, {"rating": 2}).status_code == 409
    complaint.refresh_from_db()
    assert (complaint.satisfaction, complaint.satisfaction_comment) == (5, "满意")


# -- the pages ---------------------------------------------------------------------------------------------------
def test_staff_record_a_complaint_from_the_order_page(owner_client, order, shipment):
    page = owner_client.get(reverse("orders:order_detail", args=[order.pk])).content.decode()
    assert 'data-testid="related-order-complaints"' in page
    form_url = reverse("aftersales:complaint_create") + f"?order={order.pk}"
    assert form_url in page
    assert order.number in owner_client.get(form_url).content.decode()
    response = owner_client.post(
        form_url,
        {
            "order_number": order.number,
            "tracking_number": shipment.tracking_number,
            "category": "logistics",
            "priority": "high",
            "description": "快递员态度差",
        },
    )
    complaint = Complaint.objects.get()
    assert response.status_code == 302 and response["Location"] == complaint.get_absolute_url()
    assert (complaint.customer, complaint.shipment, complaint.created_by.username) == (
        order.customer,
        shipment,
        "owner_user",
    )
    page = owner_client.get(reverse("orders:order_detail", args=[order.pk])).content.decode()
    assert complaint.get_absolute_url() in page
    customer_page = owner_client.get(reverse("customers:customer_detail", args=[order.customer_id])).content.decode()
    assert (
        'data-testid="related-customer-complaints"' in customer_page and complaint.get_absolute_url() in customer_page
    )


def test_the_create_form_shows_what_to_fix(owner_client, customer):
    url = reverse("aftersales:complaint_create")
    response = owner_client.post(url, {"phone": "13912345678", "category": "service", "description": ""})
    assert response.status_code == 400
    html = response.content.decode()
    assert "No customer has this mobile number." in html and "This field is required." in html
    assert Complaint.objects.count() == 0


def test_the_detail_page_actions_with_inline_validation(owner_client, make_complaint):
    complaint = make_complaint()
    url = complaint.get_absolute_url()
    assert owner_client.get(url).status_code == 200
    response = owner_client.post(reverse("aftersales:complaint_resolve", args=[complaint.pk]), {"resolution": ""})
    assert response.status_code == 400 and 'data-testid="resolve-form"' in response.content.decode()
    assert "This field is required." in response.content.decode()
    response = owner_client.post(
        reverse("aftersales:complaint_respond", args=[complaint.pk]), {"kind": "reply", "text": "您好，已收到"}
    )
    assert response.status_code == 302
    response = owner_client.post(reverse("aftersales:complaint_resolve", args=[complaint.pk]), {"resolution": "已补偿"})
    assert response.status_code == 302
    # satisfaction twice with another rating: the second is refused on the page
    sat = reverse("aftersales:complaint_satisfaction", args=[complaint.pk])
    assert owner_client.post(sat, {"rating": "3"}).status_code == 302
    refused = owner_client.post(sat, {"rating": "1"})
    assert refused.status_code == 400 and "already rated" in refused.content.decode()
    complaint.refresh_from_db()
    assert (complaint.status, complaint.satisfaction) == (S.RESOLVED, 3)
    page = owner_client.get(url).content.decode()
    assert 'data-testid="thread-reply"' in page and 'data-testid="faq-panel"' in page


def test_the_list_filters_searches_exports_and_closes_in_bulk(owner_client, make_complaint, make_staff, order):
    agent = make_staff("customer_service", username="agent")
    late = make_complaint(
        order=order, description="质量问题", category="product", now=timezone.now() - timedelta(days=2)
    )
    fresh = make_complaint(description="价格变了", category="price")
    url = reverse("aftersales:complaint_list")

    def listed(query):
        html = owner_client.get(url, query).content.decode()
        return {c.pk for c in (late, fresh) if f'href="{c.get_absolute_url()}"' in html}

    assert listed({}) == {late.pk, fresh.pk}
    assert listed({"overdue": "true"}) == {late.pk}
    assert listed({"overdue": "false"}) == {fresh.pk}
    assert listed({"category": "price"}) == {fresh.pk}
    assert listed({"q": order.number[:6]}) == {late.pk}
    assert listed({"q": "价格"}) == {fresh.pk}
    assert listed({"order": order.pk}) == {late.pk}
    csv = b"".join(owner_client.get(url, {"export": "csv"}).streaming_content).decode()
    assert "质量问题" in csv and "价格变了" in csv and order.number in csv
    xlsx = owner_client.get(url, {"export": "xlsx"})
    assert xlsx.status_code == 200 and xlsx["Content-Type"].startswith("application/vnd.openxml")

    response = owner_client.post(url, {"action": "assign", "ids": [late.pk, fresh.pk], "assignee": agent.pk})
    assert response.status_code == 302
    assert set(Complaint.objects.values_list("assignee", flat=True)) == {agent.pk}
    assert listed({"assignee": agent.pk}) == {late.pk, fresh.pk}
    owner_client.post(url, {"action": "close", "ids": [late.pk]})
    late.refresh_from_db()
    fresh.refresh_from_db()
    assert late.status == S.CLOSED and fresh.status == S.IN_PROGRESS
    assert listed({"status": "closed"}) == {late.pk}


def test_the_list_shows_escalated_complaints(owner_client, make_complaint, owner):
    plain = make_complaint()
    hot = make_complaint(description="要求赔偿")
    complaint_escalate(complaint=hot, actor=owner)
    html = owner_client.get(reverse("aftersales:complaint_list"), {"escalated": "true"}).content.decode()
    assert hot.get_absolute_url() in html and plain.get_absolute_url() not in html


def test_marketing_may_not_open_complaints(client_as, make_complaint):
    complaint = make_complaint()
    client = client_as("marketing")
    assert client.get(reverse("aftersales:complaint_list")).status_code == 403
    assert client.get(complaint.get_absolute_url()).status_code == 403


def test_the_list_page_costs_the_same_queries_at_any_size(owner_client, make_complaint, make_staff, order):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    agent = make_staff("customer_service", username="agent")
    url = reverse("aftersales:complaint_list")

    def queries():
        owner_client.get(url)  # warm the session and the store settings
        with CaptureQueriesContext(connection) as captured:
            assert owner_client.get(url, {"per_page": 50}).status_code == 200
        return len(captured)

    for _n in range(2):
        make_complaint(order=order, assignee=agent)
    few = queries()
    for _n in range(20):
        make_complaint(order=order, assignee=agent)
    assert queries() == few
