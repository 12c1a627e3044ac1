"""Interaction notes with follow-ups and their reminders, the tier-change notice, and the customer timeline."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from customers.models import Customer, CustomerMessage, InteractionNote, MemberTier, OutboundMessage, TierChange
from customers.selectors import customer_timeline, timeline_cursor
from customers.services import follow_up_reminders, message_reply, note_add, note_complete
from customers.signals import tier_changed
from shop.errors import DomainError
from shop.jobs import load_jobs
from shop.models import AuditEntry, Notification


@pytest.fixture
def customer(db):
    return Customer.objects.create(phone="13800138000", name="张三")


def test_a_note_with_a_follow_up_is_audited_and_assigned_to_its_author_by_default(customer, make_staff):
    agent = make_staff("customer_service", username="xiaowang")
    note = note_add(
        customer=customer,
        actor=agent,
        kind="call",
        text="客户询问尺码",
        follow_up_at=timezone.now() + timedelta(days=1),
    )
    assert (note.assignee, note.author, note.done) == (agent, agent, False)
    entry = AuditEntry.objects.get(action="customers.note_add")
    assert entry.actor == agent and entry.object_id == str(note.pk)


@pytest.mark.parametrize(
    "fields, key",
    [
        ({"text": "  "}, "text"),
        ({"text": "x" * 2001}, "text"),
        ({"kind": "fax"}, "kind"),
        ({"follow_up_at": timezone.now() - timedelta(days=1)}, "follow_up_at"),
    ],
)
def test_a_bad_note_is_refused_and_nothing_is_written(customer, owner, fields, key):
    data = {"kind": "call", "text": "回访", **fields}
    with pytest.raises(DomainError) as e:
        note_add(customer=customer, actor=owner, **data)
    assert key in e.value.data["fields"]
    assert InteractionNote.objects.count() == 0 and not AuditEntry.objects.filter(action="customers.note_add").exists()


def test_a_note_cannot_be_assigned_to_someone_outside_customer_work(customer, owner, make_staff):
    warehouse = make_staff("warehouse")
    with pytest.raises(DomainError) as e:
        note_add(customer=customer, actor=owner, kind="call", text="回访", assignee=warehouse)
    assert "assignee" in e.value.data["fields"]


def test_the_reminder_job_notifies_the_assignee_once_when_the_follow_up_is_due(customer, owner, make_staff):
    agent = make_staff("customer_service")
    now = timezone.now()
    due = note_add(customer=customer, actor=owner, kind="call", text="回访", follow_up_at=now, assignee=agent)
    later = note_add(customer=customer, actor=owner, kind="visit", text="上门", follow_up_at=now + timedelta(hours=2))
    note_add(customer=customer, actor=owner, kind="chat", text="没有跟进")
    done = note_add(customer=customer, actor=owner, kind="email", text="已处理", follow_up_at=now)
    note_complete(note=done, actor=owner)

    assert follow_up_reminders(now=now + timedelta(minutes=1)) == 1
    assert follow_up_reminders(now=now + timedelta(minutes=16)) == 0  # the job runs again: nothing twice
    reminders = Notification.objects.filter(kind="follow_up")
    assert [(n.recipient, n.url) for n in reminders] == [(agent, f"/customers/{customer.pk}/")]
    due.refresh_from_db()
    assert due.reminded_at is not None

    assert follow_up_reminders(now=now + timedelta(hours=3)) == 1  # the later one, to its author
    assert Notification.objects.filter(kind="follow_up", recipient=owner).count() == 1
    later.refresh_from_db()
    assert later.reminded_at is not None


def test_the_jobs_are_registered_on_their_schedule():
    jobs = load_jobs()
    assert {"follow_up_reminders", "complaint_sla"} <= set(jobs)


def test_completing_a_note_twice_is_refused(customer, owner):
    note = note_add(customer=customer, actor=owner, kind="call", text="回访", follow_up_at=timezone.now())
    note_complete(note=note, actor=owner)
    with pytest.raises(DomainError):
        note_complete(note=note, actor=owner)
    assert AuditEntry.objects.filter(action="customers.note_done").count() == 1


def test_notes_are_added_and_completed_from_the_customer_page(client_as, customer):
    client = client_as("customer_service")
    page = client.get(f"/customers/{customer.pk}/").content.decode()
    assert f"/customers/{customer.pk}/notes/new/" in page
    response = client.post(
        f"/customers/{customer.pk}/notes/new/",
        {
            "kind": "call",
            "text": "客户来电咨询退货",
            "follow_up_at": (timezone.localtime() + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M"),
        },
    )
    assert response.status_code == 302
    note = InteractionNote.objects.get()
    page = client.get(f"/customers/{customer.pk}/").content.decode()
    assert "客户来电咨询退货" in page and f"/customers/notes/{note.pk}/done/" in page
    assert client.post(f"/customers/notes/{note.pk}/done/").status_code == 302
    note.refresh_from_db()
    assert note.done and note.done_at is not None


def test_an_empty_note_shows_the_error_on_the_page(client_as, customer):
    response = client_as("customer_service").post(f"/customers/{customer.pk}/notes/new/", {"kind": "call", "text": ""})
    assert response.status_code == 200 and InteractionNote.objects.count() == 0


# -- the tier-change notice ---------------------------------------------------------------------------------
def test_an_upgrade_texts_the_customer_once_after_the_change_commits(customer, django_capture_on_commit_callbacks):
    silver = MemberTier.objects.create(name="银卡", rank=1)
    gold = MemberTier.objects.create(name="金卡", rank=2)
    with django_capture_on_commit_callbacks(execute=True):
        tier_changed.send(sender=Customer, customer=customer, from_tier=silver, to_tier=gold, reason="order")
        assert OutboundMessage.objects.count() == 0  # nothing goes out before the change commits
    text = OutboundMessage.objects.get()
    assert (text.channel, text.to, text.status, text.purpose) == ("sms", "13800138000", "sent", "tier_change")
    assert "金卡" in text.text


def test_the_notice_task_run_twice_sends_one_text(customer):
    from customers.tasks import tier_change_notice

    gold = MemberTier.objects.create(name="金卡", rank=2)
    first = tier_change_notice.delay(customer.pk, None, gold.pk).get()
    again = tier_change_notice.delay(customer.pk, None, gold.pk).get()
    assert first == again and OutboundMessage.objects.count() == 1


def test_a_downgrade_sends_nothing(customer, django_capture_on_commit_callbacks):
    silver = MemberTier.objects.create(name="银卡", rank=1)
    gold = MemberTier.objects.create(name="金卡", rank=2)
    with django_capture_on_commit_callbacks(execute=True):
        tier_changed.send(sender=Customer, customer=customer, from_tier=gold, to_tier=silver, reason="recompute")
    assert OutboundMessage.objects.count() == 0


# -- the timeline ---------------------------------------------------------------------------------------
def _fill(customer, owner, n):
    now = timezone.now()
    tier = MemberTier.objects.get_or_create(rank=2, defaults={"name": "金卡"})[0]
    for i in range(n):
        at = now - timedelta(minutes=5 * i)
        InteractionNote.objects.create(customer=customer, text=f"note {i}", created_at=at)
        CustomerMessage.objects.create(
            customer=customer, subject=f"msg {i}", text="t", created_at=at - timedelta(minutes=1)
        )
        OutboundMessage.objects.create(
            customer=customer, channel="sms", to="13800138000", text=f"sms {i}", created_at=at
        )
        TierChange.objects.create(customer=customer, to_tier=tier, reason="order", created_at=at - timedelta(minutes=2))


def test_the_timeline_is_newest_first_across_sources_and_pages_without_gaps(customer, owner):
    _fill(customer, owner, 8)
    message = CustomerMessage.objects.order_by("-created_at").first()
    message_reply(message=message, actor=owner, text="已为您处理")
    rows, more = customer_timeline(customer, limit=10)
    assert more and len(rows) == 10
    times = [row.created_at for _kind, row in rows]
    assert times == sorted(times, reverse=True)
    assert rows[0][0] == "reply"
    assert {kind for kind, _row in rows} == {"note", "message", "reply", "text", "tier"}
    seen, cursor = [], ""
    while True:
        page, more = customer_timeline(customer, limit=7, before=cursor)
        seen += [(kind, row.pk) for kind, row in page]
        if not more:
            break
        cursor = timeline_cursor(page[-1])
    assert len(seen) == len(set(seen)) == 8 * 4 + 1  # the reply's text shows with the reply, not twice


def test_the_customer_page_timeline_is_bounded_with_one_query_per_source(client_as, customer, owner):
    client = client_as("customer_service")
    _fill(customer, owner, 3)
    client.get(f"/customers/{customer.pk}/")
    with CaptureQueriesContext(connection) as few:
        small = client.get(f"/customers/{customer.pk}/")
    _fill(customer, owner, 30)
    with CaptureQueriesContext(connection) as many:
        big = client.get(f"/customers/{customer.pk}/")
    body = big.content.decode()
    assert 'data-testid="related-customer-timeline"' in body
    assert f"/customers/{customer.pk}/timeline/" in body  # more than fit: a link to the whole timeline
    assert body.count('data-kind="') == 20
    assert small.status_code == 200
    # the bigger timeline only adds the counts of its five sources for the "(total)", and the tier-history
    # panel its own count
    assert len(many.captured_queries) <= len(few.captured_queries) + 6


def test_the_full_timeline_filters_by_kind_and_walks_back(client_as, customer, owner):
    _fill(customer, owner, 20)
    client = client_as("marketing")
    page = client.get(f"/customers/{customer.pk}/timeline/?kind=note").content.decode()
    assert page.count('data-kind="note"') == 20 and 'data-kind="message"' not in page
    page = client.get(f"/customers/{customer.pk}/timeline/").content.decode()
    assert page.count('data-kind="') == 50 and "timeline-older" in page
    assert client.get(f"/customers/{customer.pk}/timeline/?before=junk").status_code == 200
