import pytest
from django.urls import reverse

from catalog import selectors, services
from catalog.models import Category, Product
from shop.errors import RuleRefused
from tests.catalog.factories import ProductFactory, category

pytestmark = pytest.mark.django_db


@pytest.fixture
def tree():
    clothes = category("服装")
    men = category("男装", clothes)
    tees = category("T恤", men)
    digital = category("数码")
    return {"clothes": clothes, "men": men, "tees": tees, "digital": digital}


def test_category_page_lists_products_of_its_subcategories(owner_client, tree):
    ProductFactory(name="圆领T恤", category=tree["tees"])
    ProductFactory(name="蓝牙耳机", category=tree["digital"])
    response = owner_client.get(reverse("catalog:category_detail", args=[tree["clothes"].pk]), follow=True)
    html = response.content.decode()
    assert "圆领T恤" in html and "蓝牙耳机" not in html


def test_moving_a_category_moves_its_subtree(owner, tree):
    services.category_move(
        actor=owner,
        category=Category.objects.get(pk=tree["men"].pk),
        target=Category.objects.get(pk=tree["digital"].pk),
        position="last-child",
    )
    tees = Category.objects.get(pk=tree["tees"].pk)
    assert [c.name for c in Category.objects.get_ancestors(tees)] == ["数码", "男装"]
    ProductFactory(category=tees)
    assert selectors.in_subtree(Product.objects.all(), Category.objects.get(pk=tree["digital"].pk)).count() == 1


def test_a_category_cannot_move_into_itself(owner, tree):
    with pytest.raises(RuleRefused):
        services.category_move(
            actor=owner,
            category=Category.objects.get(pk=tree["clothes"].pk),
            target=Category.objects.get(pk=tree["tees"].pk),
            position="last-child",
        )


def test_reorder_siblings_through_the_page(owner_client, tree):
    owner_client.post(
        reverse("catalog:category_edit", args=[tree["digital"].pk]),
        {"move": "1", "move-position": "left", "move-target": tree["clothes"].pk},
    )
    assert [c.name for c in Category.objects.get_root_nodes()] == ["数码", "服装"]


def test_rename_and_hide(owner_client, tree):
    owner_client.post(reverse("catalog:category_edit", args=[tree["men"].pk]), {"save": "1", "name": "男士"})
    men = Category.objects.get(pk=tree["men"].pk)
    assert men.name == "男士" and not men.is_visible


def test_deleting_a_category_with_products_is_refused_with_the_reason(owner_client, tree):
    ProductFactory(category=tree["tees"])
    response = owner_client.post(reverse("catalog:category_delete", args=[tree["clothes"].pk]), follow=True)
    assert "1" in response.content.decode() and "不能删除" in response.content.decode()
    assert Category.objects.count() == 4
    owner_client.post(reverse("catalog:category_delete", args=[tree["digital"].pk]))
    assert Category.objects.count() == 3


def test_create_a_subcategory_through_the_page(owner_client, tree):
    owner_client.post(
        reverse("catalog:category_list"), {"name": "POLO衫", "parent": tree["men"].pk, "is_visible": "on"}
    )
    assert Category.objects.get_parent(Category.objects.get(name="POLO衫")).name == "男装"


def test_brands_tags_and_attribute_values(owner_client):
    owner_client.post(reverse("catalog:brand_list"), {"name": "华为"})
    response = owner_client.post(reverse("catalog:brand_list"), {"name": "华为"})
    assert "已存在" in response.content.decode()
    owner_client.post(reverse("catalog:attributedefinition_list"), {"name": "颜色"})
    from catalog.models import AttributeDefinition

    colour = AttributeDefinition.objects.get(name="颜色")
    owner_client.post(reverse("catalog:attributedefinition_edit", args=[colour.pk]), {"values": "红，蓝, 黑"})
    assert list(colour.values.values_list("value", flat=True)) == ["红", "蓝", "黑"]
