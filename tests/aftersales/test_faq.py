"""The knowledge base (FAQ): the storefront's self-service search (published only, in question and answer, by
category, paginated, its scope), sanitised answers, the staff pages and the search panel while answering."""

import pytest
from django.urls import reverse

from aftersales.api_complaints import FAQ_PAGE_SIZE
from aftersales.models import FaqArticle, FaqCategory
from aftersales.services import faq_article_save, faq_category_delete, faq_category_save
from shop.errors import Conflict, DomainError
from shop.models import AuditEntry


@pytest.fixture
def faq(db):
    returns = FaqCategory.objects.create(name="退换货", position=1)
    shipping = FaqCategory.objects.create(name="配送", position=2)
    rows = {
        "return": FaqArticle.objects.create(
            category=returns, question="怎么退货", answer="<p>七天无理由退货</p>", published=True, position=1
        ),
        "refund": FaqArticle.objects.create(
            category=returns, question="退款多久到账", answer="<p>原路退回，1-3 天</p>", published=True, position=2
        ),
        "draft": FaqArticle.objects.create(category=returns, question="退货运费谁出", answer="草稿", published=False),
        "ship": FaqArticle.objects.create(
            category=shipping, question="几天发货", answer="<p>付款后 48 小时内发货，可退货</p>", published=True
        ),
    }
    return {"returns": returns, "shipping": shipping, **rows}


def _ids(response):
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


def test_the_storefront_searches_published_articles_in_question_and_answer(storefront, faq):
    assert _ids(storefront("get", "/api/v1/faq")) == [faq["return"].pk, faq["refund"].pk, faq["ship"].pk]
    # "退货" is in two questions, one answer, and the draft (left out)
    assert _ids(storefront("get", "/api/v1/faq", {"q": "退货"})) == [faq["return"].pk, faq["ship"].pk]
    assert _ids(storefront("get", "/api/v1/faq", {"q": "原路"})) == [faq["refund"].pk]
    assert _ids(storefront("get", "/api/v1/faq", {"q": "退货", "category": faq["shipping"].pk})) == [faq["ship"].pk]
    assert _ids(storefront("get", "/api/v1/faq", {"q": "运费"})) == []
    body = storefront("get", "/api/v1/faq", {"q": "怎么"}).json()["results"][0]
    assert body == {
        "id": faq["return"].pk,
        "category": "退换货",
        "category_id": faq["returns"].pk,
        "question": "怎么退货",
        "answer": "<p>七天无理由退货</p>",
    }


def test_the_faq_is_paginated(storefront, faq):
    for n in range(FAQ_PAGE_SIZE):
        FaqArticle.objects.create(
            category=faq["shipping"], question=f"问题{n}", answer="答", published=True, position=n
        )
    first = storefront("get", "/api/v1/faq").json()
    second = storefront("get", "/api/v1/faq", {"page": 2}).json()
    assert len(first["results"]) == FAQ_PAGE_SIZE and first["has_next"] is True
    assert len(second["results"]) == 3 and second["has_next"] is False
    assert not {r["id"] for r in first["results"]} & {r["id"] for r in second["results"]}


@pytest.mark.parametrize("query", [{"page": 0}, {"page": "x"}, {"category": -1}, {"category": 2**70}])
def test_bad_faq_queries_are_400(storefront, faq, query):
    response = storefront("get", "/api/v1/faq", query)
    assert response.status_code == 400 and response.json()["error"]["code"] == "validation"


def test_the_faq_needs_the_read_scope(storefront, faq):
    assert storefront("get", "/api/v1/faq", scopes=("orders:read",)).status_code == 403
    assert storefront("get", "/api/v1/faq", scopes=("aftersales:read",)).status_code == 200


def test_one_article_counts_its_views_and_a_draft_is_404(storefront, faq):
    response = storefront("get", f"/api/v1/faq/{faq['return'].pk}")
    assert response.status_code == 200 and response.json()["question"] == "怎么退货"
    faq["return"].refresh_from_db()
    assert faq["return"].views == 1
    assert storefront("get", f"/api/v1/faq/{faq['draft'].pk}").status_code == 404
    assert storefront("get", "/api/v1/faq/999999").status_code == 404


def test_answers_are_sanitised_and_saves_audited(owner, faq):
    article = faq_article_save(
        actor=owner,
        category=faq["returns"],
        question="能开发票吗",
        answer='<p onclick="steal()">可以<script>alert(1)</script></p>',
        published=True,
    )
    assert article.answer == "<p>可以</p>"
    assert AuditEntry.objects.filter(action="aftersales.faq_article_save", object_id=str(article.pk)).exists()
    with pytest.raises(DomainError) as e:
        faq_article_save(actor=owner, category=faq["returns"], question="", answer="x")
    assert "question" in e.value.data["fields"]


def test_categories_are_unique_and_kept_while_they_hold_articles(owner, faq):
    with pytest.raises(DomainError):
        faq_category_save(actor=owner, name="退换货")
    with pytest.raises(Conflict):
        faq_category_delete(actor=owner, category=faq["returns"])
    empty = faq_category_save(actor=owner, name="发票", position=3)
    faq_category_delete(actor=owner, category=empty)
    assert not FaqCategory.objects.filter(name="发票").exists()


def test_staff_edit_an_article_on_its_page(owner_client, faq):
    url = reverse("aftersales:faq_edit", args=[faq["draft"].pk])
    assert owner_client.get(url).status_code == 200
    response = owner_client.post(
        url,
        {
            "category": faq["returns"].pk,
            "question": "退货运费谁出",
            "answer": "<b>商家承担</b>",
            "published": "on",
            "position": 3,
        },
    )
    assert response.status_code == 302
    faq["draft"].refresh_from_db()
    assert faq["draft"].published and faq["draft"].answer == "<b>商家承担</b>"
    bad = owner_client.post(url, {"category": faq["returns"].pk, "question": "", "answer": "x", "position": 0})
    assert bad.status_code == 400 and "This field is required." in bad.content.decode()


def test_the_staff_list_searches_and_the_panel_finds_drafts_too(owner_client, faq):
    html = owner_client.get(reverse("aftersales:faq_list"), {"q": "退货"}).content.decode()
    assert "怎么退货" in html and "几天发货" in html and "退款多久到账" not in html
    panel = owner_client.get(reverse("aftersales:faq_search"), {"q": "运费"}, HTTP_HX_REQUEST="true")
    assert panel.status_code == 200 and "退货运费谁出" in panel.content.decode()
    assert 'data-testid="faq-hit"' not in owner_client.get(reverse("aftersales:faq_search")).content.decode()


def test_customer_service_edits_the_faq_and_finance_may_not_read_it(client_as, faq):
    cs = client_as("customer_service")
    assert cs.get(reverse("aftersales:faq_list")).status_code == 200
    cs.logout()
    finance = client_as("finance")
    assert finance.get(reverse("aftersales:faq_list")).status_code == 403
    assert finance.get(reverse("aftersales:faq_search"), {"q": "退货"}).status_code == 403


def test_the_customer_message_page_offers_the_faq_search(client_as, customer, faq):
    from customers.models import CustomerMessage

    message = CustomerMessage.objects.create(customer=customer, subject="退货问题", text="怎么退")
    cs = client_as("customer_service")
    html = cs.get(reverse("customers:message_detail", args=[message.pk])).content.decode()
    assert 'data-testid="related-faq-search"' in html and reverse("aftersales:faq_search") in html
    cs.logout()
    marketing = client_as("marketing")  # reads customer messages, not the FAQ
    html = marketing.get(reverse("customers:message_detail", args=[message.pk])).content.decode()
    assert 'data-testid="related-faq-search"' not in html


def test_the_openapi_schema_lists_the_complaint_and_faq_endpoints(client, db):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    for path in (
        "/api/v1/complaints",
        "/api/v1/complaints/{complaint_id}/satisfaction",
        "/api/v1/faq",
        "/api/v1/faq/{article_id}",
    ):
        assert path in paths, path
