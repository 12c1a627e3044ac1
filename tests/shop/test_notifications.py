"""The notification service: in-app per user or role (the bell's count), email through EMAIL_URL."""

import pytest
from django.core import mail

from shop.services import notify


@pytest.mark.django_db(transaction=True)
def test_notifying_a_role_reaches_each_active_member_in_app_and_by_email(make_staff, client):
    a = make_staff("warehouse", username="wh_a", email="a@example.com")
    make_staff("warehouse", username="wh_b", email="b@example.com", is_active=False)
    make_staff("finance", username="fin", email="f@example.com")
    notify(role="warehouse", title="低库存：白色 T 恤 M", body="剩 3 件", url="/catalog/", email=True)
    assert a.notifications.count() == 1
    assert [m.to for m in mail.outbox] == [["a@example.com"]]
    client.force_login(a)
    html = client.get("/").content.decode()
    assert '<span class="badge">1</span>' in html


def test_opening_a_notification_marks_it_read_and_follows_its_link(make_staff, client):
    user = make_staff("finance")
    (note,) = notify(users=[user], title="结算完成", url="/settings/")
    client.force_login(user)
    response = client.post(f"/notifications/{note.pk}/open/")
    assert response.status_code == 302 and response["Location"] == "/settings/"
    note.refresh_from_db()
    assert note.read_at is not None


def test_nobody_opens_someone_elses_notification(make_staff, client):
    other = make_staff("finance", username="other")
    (note,) = notify(users=[other], title="private")
    client.force_login(make_staff("owner"))
    assert client.post(f"/notifications/{note.pk}/open/").status_code == 404


def test_htmx_filtering_gets_only_the_page_content(owner_client):
    response = owner_client.get("/settings/audit/", {"module": "settings"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200 and "<html" not in html and "<table" in html
