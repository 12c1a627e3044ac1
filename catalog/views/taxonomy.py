"""Categories (the tree), and one set of pages each for brands, tags and attributes."""

from functools import partial

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from catalog import selectors, services
from catalog.forms import (
    AttributeValuesForm,
    CategoryForm,
    CategoryMoveForm,
    NamedForm,
)
from catalog.models import AttributeDefinition, Brand, Category, Tag
from shop.errors import DomainError
from shop.permissions import staff_view
from shop.selectors import audit_for_object
from shop.web import form_done, message_submit

# -- products ---------------------------------------------------------------------------------------


# -- categories -------------------------------------------------------------------------------------
@staff_view("catalog.view_category")
def category_list(request):
    form = CategoryForm(request.POST or None)
    if request.method == "POST":
        if not request.user.has_perm("catalog.add_category"):
            raise PermissionDenied
        if form_done(request, form, partial(services.category_create, actor=request.user), _("Category created.")):
            return redirect("catalog:category_list")
    return render(request, "catalog/category_list.html", {"categories": selectors.categories(), "form": form})


@staff_view("catalog.view_category")
def category_detail(request, pk):
    category = get_object_or_404(Category, pk=pk)
    return redirect(f"{reverse('catalog:product_list')}?category={category.pk}")


@staff_view("catalog.change_category")
def category_edit(request, pk):
    category = get_object_or_404(Category, pk=pk)
    form = CategoryForm(
        request.POST if "save" in request.POST else None,
        initial={"name": category.name, "is_visible": category.is_visible},
    )
    del form.fields["parent"]
    move_form = CategoryMoveForm(request.POST if "move" in request.POST else None, prefix="move")
    if "save" in request.POST and form_done(
        request, form, partial(services.category_update, actor=request.user, category=category), _("Category saved.")
    ):
        return redirect("catalog:category_list")
    if "move" in request.POST and form_done(
        request, move_form, partial(services.category_move, actor=request.user, category=category), _("Category moved.")
    ):
        return redirect("catalog:category_list")
    return render(
        request,
        "catalog/category_edit.html",
        {"category": category, "form": form, "move_form": move_form, "history": audit_for_object(category)[:20]},
    )


@staff_view("catalog.delete_category")
@require_POST
def category_delete(request, pk):
    category = get_object_or_404(Category, pk=pk)
    try:
        services.category_delete(actor=request.user, category=category)
    except DomainError as e:
        messages.error(request, e.message)
        return redirect("catalog:category_edit", pk=category.pk)
    messages.success(request, _("Category deleted."))
    return redirect("catalog:category_list")


# -- brands, tags, attributes: one set of pages per model ---------------------------------------------
def named_views(model):
    """List (with an add form), edit and delete pages for a model with a unique name."""
    label = model._meta.model_name
    list_name = f"catalog:{label}_list"

    @staff_view(f"catalog.view_{label}")
    def list_view(request):
        form = NamedForm(request.POST or None)
        if request.method == "POST":
            if not request.user.has_perm(f"catalog.add_{label}"):
                raise PermissionDenied
            if form_done(
                request, form, partial(services.named_save, actor=request.user, instance=model()), _("Saved.")
            ):
                return redirect(list_name)
        rows = selectors.attributes() if model is AttributeDefinition else model.objects.all()
        user = request.user
        return render(
            request,
            "catalog/named_list.html",
            {
                "rows": rows,
                "form": form,
                "model": label,
                "title": model._meta.verbose_name_plural,
                "can_add": user.has_perm(f"catalog.add_{label}"),
                "can_change": user.has_perm(f"catalog.change_{label}"),
                "can_delete": user.has_perm(f"catalog.delete_{label}"),
            },
        )

    @staff_view(f"catalog.change_{label}")
    def edit_view(request, pk):
        instance = get_object_or_404(model, pk=pk)
        form = NamedForm(request.POST if "save" in request.POST else None, initial={"name": instance.name})
        values_form = AttributeValuesForm(request.POST if "values" in request.POST else None)
        if "save" in request.POST and form_done(
            request, form, partial(services.named_save, actor=request.user, instance=instance), _("Saved.")
        ):
            return redirect(list_name)
        if (
            model is AttributeDefinition
            and "values" in request.POST
            and form_done(
                request,
                values_form,
                partial(services.attribute_values_add, actor=request.user, definition=instance),
                _("Values added."),
            )
        ):
            return redirect(f"catalog:{label}_edit", pk=instance.pk)
        return render(
            request,
            "catalog/named_edit.html",
            {
                "instance": instance,
                "form": form,
                "model": label,
                "values_form": values_form if model is AttributeDefinition else None,
            },
        )

    @staff_view(f"catalog.delete_{label}")
    @require_POST
    def delete_view(request, pk):
        instance = get_object_or_404(model, pk=pk)
        message_submit(request, partial(services.named_delete, actor=request.user, instance=instance), _("Deleted."))
        return redirect(list_name)

    return list_view, edit_view, delete_view


brand_views, tag_views, attribute_views = (named_views(m) for m in (Brand, Tag, AttributeDefinition))
