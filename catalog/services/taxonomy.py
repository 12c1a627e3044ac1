"""The category tree, brands, tags and attributes (with their values)."""

from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from catalog.models import (
    AttributeDefinition,
    AttributeValue,
    Brand,
    Category,
    Product,
    Sku,
    Tag,
)
from shop.audit import record, snapshot
from shop.errors import DomainError, RuleRefused


# -- categories -------------------------------------------------------------------------------------
@transaction.atomic(durable=True)
def category_create(*, actor, name: str, parent: Category | None = None, is_visible: bool = True) -> Category:
    """Add a category as the last child of `parent` (or as a new root)."""
    fields = {"name": name.strip(), "is_visible": is_visible}
    category = Category.objects.add_child(parent, fields) if parent else Category.objects.add_root(fields)
    record(actor, "catalog.category_create", category, after=snapshot(category, ["name", "is_visible"]))
    return category


@transaction.atomic(durable=True)
def category_update(*, actor, category: Category, name: str, is_visible: bool) -> Category:
    """Rename or hide a category."""
    before = snapshot(category, ["name", "is_visible"])
    category.name, category.is_visible = name.strip(), is_visible
    category.save(update_fields=["name", "is_visible"])
    record(actor, "catalog.category_update", category, before=before, after=snapshot(category, ["name", "is_visible"]))
    return category


MOVE_POSITIONS = {"first-child", "last-child", "left", "right"}


@transaction.atomic(durable=True)
def category_move(*, actor, category: Category, target: Category, position: str) -> Category:
    """Move a category and its subtree beside (left/right) or into (first/last-child) `target`."""
    if position not in MOVE_POSITIONS:
        raise DomainError(_("Unknown position."), code="invalid_position")
    if target.pk == category.pk or target.path.startswith(category.path):
        raise RuleRefused(_("A category cannot be moved into its own subtree."), code="move_into_self")
    before = {"parent": str(Category.objects.get_parent(category) or "—")}
    Category.objects.move(category, target, pos=position)
    category = Category.objects.get(pk=category.pk)
    record(
        actor,
        "catalog.category_move",
        category,
        before=before,
        after={"parent": str(Category.objects.get_parent(category) or "—")},
    )
    return category


@transaction.atomic(durable=True)
def category_delete(*, actor, category: Category) -> None:
    """Delete an empty category and its empty subcategories; refuse one that holds products."""
    count = Product.objects.filter(category__path__startswith=category.path).count()
    if count:
        raise RuleRefused(
            _(
                "%(name)s cannot be deleted: it or its subcategories hold %(n)s products. "
                "Move them to another category first."
            )
            % {"name": category.name, "n": count},
            code="category_not_empty",
        )
    record(actor, "catalog.category_delete", category, before=snapshot(category, ["name"]))
    Category.objects.get(pk=category.pk).delete()


# -- brands, tags, attributes -------------------------------------------------------------------------
@transaction.atomic(durable=True)
def named_save(*, actor, instance, name: str):
    """Create or rename a brand, tag or attribute; names are unique."""
    name = name.strip()
    model = type(instance)
    if not name:
        raise DomainError(_("Enter a name."), code="name_required")
    if model.objects.filter(name=name).exclude(pk=instance.pk).exists():
        raise DomainError(_("%(name)s already exists.") % {"name": name}, code="duplicate_name")
    before = snapshot(instance, ["name"]) if instance.pk else None
    instance.name = name
    instance.save()
    record(actor, f"catalog.{model._meta.model_name}_save", instance, before=before, after=snapshot(instance, ["name"]))
    return instance


@transaction.atomic(durable=True)
def named_delete(*, actor, instance) -> None:
    """Delete a brand, tag or attribute that nothing uses."""
    in_use = {
        Brand: lambda b: b.products.exists(),
        Tag: lambda t: False,
        AttributeDefinition: lambda a: Sku.objects.filter(attribute_values__definition=a).exists(),
    }
    if in_use[type(instance)](instance):
        raise RuleRefused(_("%(name)s is in use and cannot be deleted.") % {"name": instance}, code="in_use")
    record(actor, f"catalog.{instance._meta.model_name}_delete", instance, before=snapshot(instance, ["name"]))
    instance.delete()


@transaction.atomic(durable=True)
def attribute_values_add(*, actor, definition: AttributeDefinition, values: list[str]) -> list[AttributeValue]:
    """Add values (红, 蓝, …) to an attribute; existing ones are kept."""
    start = definition.values.aggregate(m=Max("position"))["m"] or 0
    created = []
    for offset, text in enumerate(v.strip() for v in values if v.strip()):
        value, new = AttributeValue.objects.get_or_create(
            definition=definition, value=text, defaults={"position": start + offset + 1}
        )
        if new:
            created.append(value)
    record(actor, "catalog.attribute_values_add", definition, after={"values": [v.value for v in created]})
    return created
