"""Satisfaction surveys (满意度调查): invited once after an order completes and after an after-sales request closes,
texted when the store asks, answered through the API (with its refusals), and the results page's figures."""

from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.core.management import call_command
from django.utils import timezone

from aftersales import selectors, services
from aftersales.models import Survey
from aftersales.signals import request_closed
from customers.models import OutboundMessage
from orders.services import order_complete
from shop.selectors import store_settings
from tests.aftersales import reviews_data
from tests.aftersales.reviews_data import make_order

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]
api, english = reviews_data.api, reviews_data.english  # the shared fixtures
K = Survey.Kind


def test_a_completed_order_invites_one_survey(django_capture_on_commit_callbacks, owner):
    auto = make_order(delivered_days_ago=10)
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            call_command("run_job", "auto_complete_orders")
    by_staff = make_order(delivered_days_ago=1)
    with django_capture_on_commit_callbacks(execute=True):
        order_complete(order=by_staff, actor=owner)
    services.survey_invite(kind=K.ORDER, order=auto)  # the signal delivered again
    rows = Survey.objects.order_by("order_number")
    assert [(s.kind, s.order_id, s.request_number, s.customer_id) for s in rows] == [
        (K.ORDER, auto.pk, "", auto.customer_id),
        (K.ORDER, by_staff.pk, "", by_staff.customer_id),
    ]
    assert len({s.token for s in rows}) == 2 and all(len(s.token) >= 30 for s in rows)


def test_a_closed_request_invites_one_survey_per_request():
    order = make_order()
    request = SimpleNamespace(number="AS20261201001", order=order)
    request_closed.send(sender=SimpleNamespace, request=request)
    request_closed.send(sender=SimpleNamespace, request=request)
    request_closed.send(sender=SimpleNamespace, request=SimpleNamespace(number="AS20261201002", order=order))
    assert sorted(Survey.objects.values_list("kind", "request_number")) == [
        (K.REQUEST, "AS20261201001"),
        (K.REQUEST, "AS20261201002"),
    ]


def test_the_store_setting_texts_the_survey_link_once(django_capture_on_commit_callbacks):
    settings = store_settings()
    settings.survey_text_customers, settings.survey_link = True, "https://m.example.com/survey/{token}"
    settings.save()
    order = make_order()
    with django_capture_on_commit_callbacks(execute=True):
        survey, created = services.survey_invite(kind=K.ORDER, order=order)
    with django_capture_on_commit_callbacks(execute=True):
        services.survey_invite(kind=K.ORDER, order=order)
    services.survey_text(survey_id=survey.pk)  # a retried task: no second text
    texts = OutboundMessage.objects.filter(purpose="survey")
    assert created and texts.count() == 1
    assert f"https://m.example.com/survey/{survey.token}" in texts.get().text and texts.get().to == "13800138000"
    survey.refresh_from_db()
    assert survey.texted_at is not None


def test_no_text_unless_the_store_asks(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.survey_invite(kind=K.ORDER, order=make_order())
    assert not OutboundMessage.objects.filter(purpose="survey").exists()


def test_the_storefront_shows_and_answers_a_survey(api):
    survey, _created = services.survey_invite(kind=K.ORDER, order=make_order())
    shown = api("get", f"/surveys/{survey.token}")
    assert shown.status_code == 200
    assert [q["key"] for q in shown.json()["questions"]] == ["csat", "nps", "comment"]
    assert shown.json()["answered"] is False
    answered = api("post", f"/surveys/{survey.token}", {"csat": 4, "nps": 9, "comment": "发货很快"})
    assert answered.status_code == 200 and answered.json()["answered"] is True
    survey.refresh_from_db()
    assert (survey.csat, survey.nps, survey.comment) == (4, 9, "发货很快") and survey.answered_at is not None
    again = api("post", f"/surveys/{survey.token}", {"csat": 1, "nps": 0})
    assert again.status_code == 409 and again.json()["error"]["code"] == "already_answered"
    survey.refresh_from_db()
    assert survey.csat == 4


@pytest.mark.parametrize(
    "answer, fields",
    [
        ({"csat": 0, "nps": 5}, {"csat"}),
        ({"csat": 6, "nps": 11}, {"csat", "nps"}),
        ({"csat": 3}, {"nps"}),
        ({"csat": 3, "nps": -1}, {"nps"}),
        ({"csat": "many", "nps": 5}, {"csat"}),
        ({"csat": 3, "nps": 5, "comment": "长" * 1001}, {"comment"}),
    ],
)
def test_an_invalid_answer_is_refused_with_its_fields(api, answer, fields):
    survey, _created = services.survey_invite(kind=K.ORDER, order=make_order())
    response = api("post", f"/surveys/{survey.token}", answer)
    assert response.status_code == 400
    assert set(response.json()["error"]["fields"]) == fields
    survey.refresh_from_db()
    assert survey.answered_at is None


def test_an_unknown_token_is_404(api):
    assert api("get", "/surveys/no-such-token").status_code == 404
    response = api("post", "/surveys/no-such-token", {"csat": 5, "nps": 10})
    assert response.status_code == 404 and response.json()["error"]["code"] == "survey_not_found"


def _answered(kind, csat, nps, comment="", days_ago=1, request_number=""):
    order = make_order()
    survey, _created = services.survey_invite(kind=kind, order=order, request_number=request_number)
    Survey.objects.filter(pk=survey.pk).update(sent_at=timezone.now() - timedelta(days=days_ago))
    if csat is not None:
        services.survey_answer(token=survey.token, csat=csat, nps=nps, comment=comment)
    return survey


def test_the_results_page_shows_csat_nps_and_response_rate(owner_client):
    # NPS answers 10, 9, 9, 7, 3: 3 promoters, 1 detractor of 5 -> 40 (orders alone: 3 of 4 -> 75); CSAT 4.2
    for csat, nps in ((5, 10), (4, 9), (4, 9), (3, 7)):
        _answered(K.ORDER, csat, nps)
    _answered(K.REQUEST, 5, 3, comment="退款很及时", request_number="AS1")
    _answered(K.REQUEST, None, None, request_number="AS2")  # not answered
    _answered(K.ORDER, 1, 0, days_ago=200)  # outside the range
    results = selectors.survey_results(period="week", since=timezone.now() - timedelta(days=90))
    total = results["total"]
    assert (total["sent"], total["answered"], total["response_rate"]) == (6, 5, 83.3)
    assert (total["csat"], total["nps"]) == (4.2, 40.0)
    kinds = {row["kind"]: row for row in results["kinds"]}
    assert (kinds["order"]["nps"], kinds["order"]["csat"], kinds["order"]["response_rate"]) == (75.0, 4.0, 100.0)
    assert (kinds["request"]["nps"], kinds["request"]["response_rate"]) == (-100.0, 50.0)
    assert sum(row["sent"] for row in results["periods"]) == 6
    html = owner_client.get("/aftersales/surveys/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'data-testid="nps">40.0<' in html and 'data-testid="csat">4.20<' in html
    assert 'data-testid="response-rate">83.3%<' in html and "退款很及时" in html
    only_requests = owner_client.get("/aftersales/surveys/?kind=request&period=month&days=365").content.decode()
    assert 'data-testid="sent">2<' in only_requests and 'data-testid="nps">-100.0<' in only_requests
    everything = owner_client.get("/aftersales/surveys/?days=365").content.decode()
    assert 'data-testid="sent">7<' in everything
    assert owner_client.get("/aftersales/surveys/?days=abc&period=year").status_code == 200
