"""Segments (客户分群): each rule on known customers, the live count, refusals that write nothing, the member
list and its export, the segment filter on the customer list."""

import csv
import io
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from customers.models import Customer, CustomerAddress, CustomerTag, MemberTier, Segment
from customers.selectors import segment_customers
from customers.services import segment_delete, segment_recount, segment_save
from shop.errors import DomainError
from shop.models import AuditEntry


def _customer(name, phone, *, tags=(), province=None, other_province=None, **figures):
    customer = Customer.objects.create(name=name, phone=phone, **figures)
    customer.tags.set(tags)
    if province:
        CustomerAddress.objects.create(
            customer=customer,
            name=name,
            phone=phone,
            province=province,
            city="市",
            district="区",
            detail="1号",
            is_default=True,
        )
    if other_province:
        CustomerAddress.objects.create(
            customer=customer,
            name=name,
            phone=phone,
            province=other_province,
            city="市",
            district="区",
            detail="2号",
        )
    return customer


@pytest.fixture
def shop(db):
    """Three known customers: 张一 (a big spender), 李二 (a lapsed one), 王三 (never ordered)."""
    now = timezone.now()
    gold = MemberTier.objects.create(name="金卡", rank=2, threshold=Decimal("500.00"))
    silver = MemberTier.objects.create(name="银卡", rank=1, threshold=Decimal("100.00"))
    vip = CustomerTag.objects.create(name="VIP")
    repeat = CustomerTag.objects.create(name="复购")
    other = CustomerTag.objects.create(name="冷淡")
    zhang = _customer(
        "张一",
        "13800000001",
        tags=[vip, repeat],
        province="广东省",
        tier=gold,
        spend_12m=Decimal("600.00"),
        lifetime_spend=Decimal("2000.00"),
        order_count=5,
        orders_12m=3,
        last_order_at=now - timedelta(days=10),
        rfm_segment="champion",
        birthday=date(1990, 3, 8),
        gender="female",
        source="app",
    )
    li = _customer(
        "李二",
        "13800000002",
        tags=[vip],
        province="上海",
        other_province="广东",
        tier=silver,
        spend_12m=Decimal("100.00"),
        lifetime_spend=Decimal("100.00"),
        order_count=1,
        orders_12m=1,
        last_order_at=now - timedelta(days=200),
        rfm_segment="win_back",
        birthday=date(1985, 12, 1),
        gender="male",
        source="web",
    )
    wang = _customer("王三", "13800000003", tags=[other], source="mini_program")
    return {
        "gold": gold,
        "silver": silver,
        "vip": vip,
        "repeat": repeat,
        "other": other,
        "customers": (zhang, li, wang),
    }


def names(rules):
    return sorted(segment_customers(rules).values_list("name", flat=True))


def _days_ago(n):
    return (timezone.localdate() - timedelta(days=n)).isoformat()


RULE_CASES = [
    ({"spend_12m": {"min": "500"}}, ["张一"]),
    ({"spend_12m": {"max": "100.00"}}, ["李二", "王三"]),
    ({"spend_12m": {"min": "100", "max": "100"}}, ["李二"]),
    ({"lifetime_spend": {"min": "100.01", "max": "5000"}}, ["张一"]),
    ({"order_count": {"min": 1}}, ["张一", "李二"]),
    ({"order_count": {"max": 0}}, ["王三"]),
    ({"last_order": {"mode": "within", "days": 30}}, ["张一"]),
    ({"last_order": {"mode": "within", "days": 365}}, ["张一", "李二"]),
    ({"genders": ["female"]}, ["张一"]),
    ({"sources": ["web", "mini_program"]}, ["李二", "王三"]),
    ({"rfm_segments": ["win_back", "keep"]}, ["李二"]),
    ({"birthday_months": [3]}, ["张一"]),
    ({"birthday_months": [1, 12]}, ["李二"]),
    # the default address counts, "广东省" and "广东" are one province; 李二's second address is in 广东
    ({"provinces": ["广东"]}, ["张一"]),
    ({"provinces": ["上海市", "北京"]}, ["李二"]),
]


@pytest.mark.parametrize("rules, expected", RULE_CASES)
def test_each_rule_kind_selects_the_known_customers(shop, rules, expected):
    assert names(rules) == expected


def test_last_order_before_a_date_and_between_two_dates(shop):
    assert names({"last_order": {"mode": "before", "date": _days_ago(100)}}) == ["李二"]  # never ordered: out
    assert names({"last_order": {"mode": "between", "from": _days_ago(201), "to": _days_ago(199)}}) == ["李二"]
    assert names({"last_order": {"mode": "between", "from": _days_ago(10), "to": _days_ago(10)}}) == ["张一"]
    assert names({"last_order": {"mode": "between", "from": _days_ago(9), "to": _days_ago(0)}}) == []


def test_tiers_and_tags_any_or_all(shop):
    assert names({"tiers": [shop["gold"].pk, shop["silver"].pk]}) == ["张一", "李二"]
    assert names({"tiers": [shop["silver"].pk]}) == ["李二"]
    vip, repeat = shop["vip"].pk, shop["repeat"].pk
    assert names({"tags": {"match": "any", "ids": [vip, repeat]}}) == ["张一", "李二"]
    assert names({"tags": {"match": "all", "ids": [vip, repeat]}}) == ["张一"]
    assert names({"tags": {"match": "any", "ids": [shop["other"].pk]}}) == ["王三"]


def test_rules_combine_with_and(shop):
    vip = shop["vip"].pk
    assert names({"tags": {"match": "any", "ids": [vip]}, "spend_12m": {"max": "200"}}) == ["李二"]
    assert names({"tags": {"match": "any", "ids": [vip]}, "genders": ["female"], "provinces": ["上海"]}) == []
    rules = {"order_count": {"min": 1}, "last_order": {"mode": "within", "days": 30}, "birthday_months": [3, 12]}
    assert names(rules) == ["张一"]
    # a member of two matching tags is counted once
    assert segment_customers({"tags": {"match": "any", "ids": [vip, shop["repeat"].pk]}}).count() == 2


REFUSALS = [
    ({"spend_12m": {"min": "500", "max": "100"}}, "spend_12m_max"),
    ({"lifetime_spend": {"min": "-1"}}, "lifetime_spend_min"),
    ({"order_count": {"min": "-2"}}, "order_count_min"),
    ({"order_count": {"min": "5", "max": "2"}}, "order_count_max"),
    ({"order_count": {"min": "two"}}, "order_count_min"),
    ({"spend_12m": {"min": "lots"}}, "spend_12m_min"),
    ({"last_order": {"mode": "within", "days": "0"}}, "last_order_days"),
    ({"last_order": {"mode": "within"}}, "last_order_days"),
    ({"last_order": {"mode": "between", "from": "2026-05-01", "to": "2026-04-01"}}, "last_order_to"),
    ({"last_order": {"mode": "before", "date": "2026-13-40"}}, "last_order_date"),
    ({"last_order": {"mode": "sometime"}}, "last_order_mode"),
    ({"tiers": [999999]}, "tiers"),
    ({"tags": {"match": "any", "ids": [999999]}}, "tags"),
    ({"tags": {"match": "most", "ids": [1]}}, "tags"),
    ({"provinces": ["火星"]}, "provinces"),
    ({"rfm_segments": ["vip"]}, "rfm_segments"),
    ({"birthday_months": [13]}, "birthday_months"),
    ({"genders": ["robot"]}, "genders"),
    ({"sources": ["fax"]}, "sources"),
]


@pytest.mark.parametrize("rules, field", REFUSALS)
def test_impossible_or_unknown_rules_are_refused_and_nothing_is_written(shop, owner, rules, field):
    audits = AuditEntry.objects.count()
    with pytest.raises(DomainError) as e:
        segment_save(actor=owner, name="坏分群", rules=rules)
    assert field in e.value.data["fields"], e.value.data
    assert not Segment.objects.exists() and AuditEntry.objects.count() == audits


def test_empty_rules_unknown_rule_names_and_duplicate_names_are_refused(shop, owner):
    with pytest.raises(DomainError) as e:
        segment_save(actor=owner, name="全部", rules={})
    assert e.value.code == "empty_rules"
    with pytest.raises(DomainError):
        segment_save(actor=owner, name="全部", rules={"spend_12m": {}})  # a range with no bound is no rule
    with pytest.raises(DomainError) as e:
        segment_save(actor=owner, name="怪", rules={"favourite_colour": ["red"]})
    assert e.value.code == "invalid_rules"
    segment_save(actor=owner, name="高价值", rules={"spend_12m": {"min": "500"}})
    with pytest.raises(DomainError) as e:
        segment_save(actor=owner, name=" 高价值 ", rules={"genders": ["male"]})
    assert "name" in e.value.data["fields"]
    assert Segment.objects.count() == 1


def test_saving_counts_the_members_and_audits_create_edit_recount_delete(shop, owner):
    segment = segment_save(actor=owner, name="VIP", description="会员", rules={"tags": {"ids": [shop["vip"].pk]}})
    assert segment.member_count == 2 and segment.counted_at is not None and segment.created_by == owner
    assert segment.rules == {"tags": {"match": "any", "ids": [shop["vip"].pk]}}  # stored canonical
    segment = segment_save(actor=owner, segment=segment, name="VIP 女", rules={**segment.rules, "genders": ["female"]})
    assert (segment.name, segment.member_count) == ("VIP 女", 1)
    Customer.objects.filter(name="李二").update(gender="female")
    assert segment_recount(segment=segment, actor=owner).member_count == 2
    segment_delete(segment=segment, actor=owner)
    assert not Segment.objects.exists() and Customer.objects.count() == 3
    actions = list(AuditEntry.objects.filter(action__startswith="customers.segment").values_list("action", flat=True))
    assert sorted(actions) == sorted(
        [
            "customers.segment_create",
            "customers.segment_update",
            "customers.segment_recount",
            "customers.segment_delete",
        ]
    )


# -- the pages ---------------------------------------------------------------------------------------
def test_the_live_count_counts_the_posted_rules_and_saves_nothing(shop, client_as):
    client = client_as("marketing")
    audits = AuditEntry.objects.count()
    response = client.post("/customers/segments/count/", {"spend_12m_min": "50"})
    assert response.status_code == 200
    assert 'data-testid="segment-count-value">2<' in response.content.decode()
    response = client.post("/customers/segments/count/", {"spend_12m_min": "50", "genders": ["female"]})
    assert 'data-testid="segment-count-value">1<' in response.content.decode()
    response = client.post("/customers/segments/count/", {"spend_12m_min": "500", "spend_12m_max": "100"})
    assert 'data-testid="segment-count-errors"' in response.content.decode()
    response = client.post("/customers/segments/count/", {"tiers": ["999999"]})
    assert 'data-testid="segment-count-errors"' in response.content.decode()
    response = client.post("/customers/segments/count/", {"name": "", "description": ""})
    assert 'data-testid="segment-count-empty"' in response.content.decode()
    assert not Segment.objects.exists() and AuditEntry.objects.count() == audits
    assert client.get("/customers/segments/count/").status_code == 405


def test_the_builder_page_saves_a_segment_and_opens_its_members(shop, client_as):
    client = client_as("marketing")
    assert client.get("/customers/segments/new/").status_code == 200
    data = {
        "name": "广东女客",
        "provinces": ["广东"],
        "genders": ["female"],
        "tags": [str(shop["vip"].pk)],
        "tags_match": "all",
        "last_order_mode": "within",
        "last_order_days": "30",
    }
    response = client.post("/customers/segments/new/", data)
    segment = Segment.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/customers/segments/{segment.pk}/"
    assert segment.member_count == 1 and segment.rules["last_order"] == {"mode": "within", "days": 30}
    page = client.get(response["Location"]).content.decode()
    assert page.count('data-testid="member-link"') == 1 and "张一" in page
    edit = client.get(f"/customers/segments/{segment.pk}/edit/").content.decode()
    assert 'value="广东女客"' in edit and 'value="30"' in edit


def test_the_builder_page_shows_refusals_beside_the_fields_and_writes_nothing(shop, client_as):
    client = client_as("operations")
    segment_save(actor=None, name="已有", rules={"genders": ["male"]})
    audits = AuditEntry.objects.count()
    response = client.post(
        "/customers/segments/new/",
        {
            "name": "已有",
            "order_count_min": "9",
            "order_count_max": "1",
            "last_order_mode": "between",
            "last_order_from": "2026-05-01",
            "last_order_to": "2026-04-01",
        },
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert html.count('class="field has-error"') >= 2
    assert Segment.objects.count() == 1 and AuditEntry.objects.count() == audits
    response = client.post("/customers/segments/new/", {"name": "空的"})
    assert response.status_code == 200 and 'class="form-errors"' in response.content.decode()
    assert Segment.objects.count() == 1


def test_the_member_list_sorts_and_exports_csv_and_xlsx(shop, client_as):
    segment = segment_save(actor=None, name="下过单", rules={"order_count": {"min": 1}})
    client = client_as("marketing")
    html = client.get(f"/customers/segments/{segment.pk}/?o=spend_12m").content.decode()
    assert html.index("李二") < html.index("张一") and "王三" not in html
    response = client.get(f"/customers/segments/{segment.pk}/?export=csv")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert len(rows) == 3
    body = {r[0]: r for r in rows[1:]}
    assert set(body) == {"张一", "李二"}
    assert body["张一"][1] == "138****0001"  # masked, as on the page
    assert "600.00" in body["张一"] and "金卡" in body["张一"]
    response = client.get(f"/customers/segments/{segment.pk}/?export=xlsx")
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert len(values) == 3 and {values[1][0], values[2][0]} == {"张一", "李二"}


def test_the_segment_list_shows_the_counted_members(shop, client_as):
    segment_save(actor=None, name="VIP", rules={"tags": {"ids": [shop["vip"].pk]}})
    segment_save(actor=None, name="新客", rules={"order_count": {"max": 0}})
    client = client_as("customer_service")
    html = client.get("/customers/segments/?q=vi").content.decode()
    assert html.count('data-testid="segment-link"') == 1 and "<td>2</td>" in html


def test_the_customer_list_filters_by_a_saved_segment(shop, client_as, django_assert_max_num_queries):
    segment = segment_save(actor=None, name="VIP", rules={"tags": {"ids": [shop["vip"].pk]}})
    client = client_as("customer_service")
    html = client.get(f"/customers/?segment={segment.pk}").content.decode()
    assert "张一" in html and "李二" in html and "王三" not in html
    html = client.get(f"/customers/?segment={segment.pk}&gender=male").content.decode()
    assert "李二" in html and "张一" not in html
    assert "王三" not in client.get("/customers/?segment=999999").content.decode()  # unknown: an error, no rows
    for i in range(30):
        Customer.objects.create(name=f"客{i}", phone=f"139000000{i:02d}").tags.add(shop["vip"])
    with django_assert_max_num_queries(12):
        response = client.get(f"/customers/?segment={segment.pk}&per_page=20")
    assert response.status_code == 200


def test_marketing_builds_segments_but_finance_does_not(shop, client_as, client, make_staff):
    marketing = client_as("marketing")
    assert marketing.post("/customers/segments/new/", {"name": "A", "genders": ["male"]}).status_code == 302
    segment = Segment.objects.get()
    assert marketing.post(f"/customers/segments/{segment.pk}/delete/").status_code == 302
    assert not Segment.objects.exists()
    client.force_login(make_staff("finance"))
    assert client.get("/customers/segments/").status_code == 403
    assert client.post("/customers/segments/new/", {"name": "A", "genders": ["male"]}).status_code == 403
    assert not Segment.objects.exists()


def test_lists_show_the_members_as_last_counted_until_the_nightly_recount(shop, client_as):
    from django.core.management import call_command

    from customers.models import SegmentMember

    segment = segment_save(actor=None, name="女客", rules={"genders": ["female"]})
    Customer.objects.filter(name="王三").update(gender="female")  # the figures move after the count
    assert names({"genders": ["female"]}) == ["张一", "王三"]  # the live rules see it at once
    client = client_as("marketing")
    html = client.get(f"/customers/?segment={segment.pk}").content.decode()
    assert "张一" in html and "王三" not in html  # as counted at save
    call_command("run_job", "recount_segments")
    call_command("run_job", "recount_segments")  # twice: the same members, no duplicates
    assert SegmentMember.objects.filter(segment=segment).count() == 2
    segment.refresh_from_db()
    assert segment.member_count == 2
    html = client.get(f"/customers/segments/{segment.pk}/").content.decode()
    assert html.count('data-testid="member-link"') == 2
    segment_delete(segment=segment, actor=None)
    assert not SegmentMember.objects.exists()


def test_a_segment_filter_alone_shows_the_counted_members_without_counting_again(shop, client_as):
    import re

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    segment = segment_save(actor=None, name="VIP", rules={"tags": {"ids": [shop["vip"].pk]}})
    Segment.objects.filter(pk=segment.pk).update(member_count=7)  # what the last count wrote down
    client = client_as("operations")

    def count_line(path):
        with CaptureQueriesContext(connection) as queries:
            html = client.get(path).content.decode()
        counted = any("COUNT(" in q["sql"] and "customers_customer" in q["sql"] for q in queries.captured_queries)
        return re.search(r'<p class="count">([^<]*)</p>', html).group(1), counted

    line, counted = count_line(f"/customers/?segment={segment.pk}")
    assert "7" in line and not counted
    line, counted = count_line(f"/customers/segments/{segment.pk}/")
    assert "7" in line and not counted
    line, counted = count_line(f"/customers/?segment={segment.pk}&gender=male")  # another filter: counted
    assert "1" in line and "7" not in line and counted
    line, counted = count_line(f"/customers/?segment={segment.pk}&q=张")
    assert "1" in line and counted
