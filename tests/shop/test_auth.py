import pytest
from django.test import override_settings

from tests.conftest import PASSWORD


def test_login_with_the_right_password_opens_the_chinese_dashboard(client, owner):
    response = client.post("/login/", {"username": owner.username, "password": PASSWORD}, follow=True)
    html = response.content.decode()
    assert response.redirect_chain[-1][0] == "/"
    assert "仪表盘" in html  # zh-hans is the default language


@pytest.mark.parametrize("username,password", [("owner_user", "wrong"), ("nobody", PASSWORD)])
def test_a_wrong_login_gives_one_message_without_saying_which_part(client, owner, username, password):
    response = client.post("/login/", {"username": username, "password": password})
    assert response.status_code == 200
    assert "用户名或密码不正确" in response.content.decode()


@override_settings(AXES_FAILURE_LIMIT=3)
def test_repeated_failures_lock_the_account_with_the_wait(client, owner):
    for _attempt in range(3):
        client.post("/login/", {"username": owner.username, "password": "wrong"})
    response = client.post("/login/", {"username": owner.username, "password": PASSWORD})
    assert response.status_code == 429
    html = response.content.decode()
    assert "15" in html and "分钟" in html
    assert "_auth_user_id" not in client.session


def test_a_deactivated_account_cannot_log_in(client, make_staff):
    make_staff("finance", is_active=False)
    response = client.post("/login/", {"username": "finance_user", "password": PASSWORD})
    assert "_auth_user_id" not in client.session
    assert response.status_code == 200


def test_password_change_requires_the_old_password(client, owner):
    client.force_login(owner)
    response = client.post(
        "/password/", {"old_password": "nope", "new_password1": "Another-Pass-77", "new_password2": "Another-Pass-77"}
    )
    assert response.status_code == 200
    owner.refresh_from_db()
    assert owner.check_password(PASSWORD)


def test_unknown_url_is_a_friendly_404(owner_client):
    response = owner_client.get("/no-such-page/")
    assert response.status_code == 404
    assert "返回仪表盘" in response.content.decode()
