import django_filters
from django.utils.translation import gettext_lazy as _

from catalog import selectors
from catalog.forms import CategoryChoiceField
from catalog.models import Brand, Category, Product, Tag
from shop.lists import FilterSet


class CategoryFilter(django_filters.ModelChoiceFilter):
    field_class = CategoryChoiceField

    def __init__(self, **kwargs):
        super().__init__(queryset=Category.objects.all(), **kwargs)

    def filter(self, qs, value):
        return selectors.in_subtree(qs, value) if value else qs


class ProductFilter(FilterSet):
    category = CategoryFilter(label=_("category"))
    brand = django_filters.ModelChoiceFilter(queryset=Brand.objects.all(), label=_("brand"))
    tags = django_filters.ModelChoiceFilter(queryset=Tag.objects.all(), label=_("tag"))
    status = django_filters.ChoiceFilter(choices=Product.Status.choices, label=_("status"))
    price_from = django_filters.NumberFilter(field_name="price_max", lookup_expr="gte", label=_("price from"))
    price_to = django_filters.NumberFilter(field_name="price_min", lookup_expr="lte", label=_("price to"))

    class Meta:
        model = Product
        fields = ["category", "brand", "tags", "status"]
