"""Catalogue pages: thin views that parse the request, call a service or selector, and render."""

from functools import partial

from django.apps import apps
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from catalog import selectors, services
from catalog.filters import ProductFilter
from catalog.forms import (
    AttributeValuesForm,
    BulkForm,
    CategoryForm,
    CategoryMoveForm,
    ImagesForm,
    ImportForm,
    MatrixForm,
    NamedForm,
    PriceChangeForm,
    ProductForm,
    PublishForm,
    ScheduleForm,
    SkuFormSet,
    SkuRowForm,
)
from catalog.models import AttributeDefinition, Brand, Category, Product, Tag
from catalog.transfer import write_rows
from shop.errors import DomainError
from shop.lists import BulkAction, Column, ListPage, render_list
from shop.permissions import staff_view
from shop.related import related_panels
from shop.selectors import audit_for_object
from shop.web import form_done, message_submit


# -- products ---------------------------------------------------------------------------------------
def _selected_category(request):
    return (
        Category.objects.filter(pk=request.GET.get("category")).first()
        if request.GET.get("category", "").isdigit()
        else None
    )


def _bulk_input(request, name, message):
    form = BulkForm(request.POST)
    value = form.cleaned_data.get(name) if form.is_valid() else None
    if value is None:
        raise DomainError(message)
    return value


def _bulk_actions():
    def set_status(published):
        def run(request, qs):
            n = services.products_set_status(
                actor=request.user, products=qs, published=published, reason=request.POST.get("reason", "")[:200]
            )
            return (_("%(n)s products published.") if published else _("%(n)s products unpublished.")) % {"n": n}

        return run

    def move(request, qs):
        category = _bulk_input(request, "category", _("Choose a category."))
        n = services.products_move(actor=request.user, products=qs, category=category)
        return _("%(n)s products moved to %(c)s.") % {"n": n, "c": category.name}

    def tag(add):
        def run(request, qs):
            tag = _bulk_input(request, "tag", _("Choose a tag."))
            n = services.products_tag(actor=request.user, products=qs, tag=tag, add=add)
            return _("Tag %(t)s changed on %(n)s products.") % {"t": tag.name, "n": n}

        return run

    return [
        BulkAction("publish", gettext_lazy("Publish (上架)"), "catalog.publish_product", set_status(True)),
        BulkAction("unpublish", gettext_lazy("Unpublish (下架)"), "catalog.publish_product", set_status(False)),
        BulkAction("move", gettext_lazy("Move to category"), "catalog.change_product", move),
        BulkAction("tag_add", gettext_lazy("Add tag"), "catalog.change_product", tag(True)),
        BulkAction("tag_remove", gettext_lazy("Remove tag"), "catalog.change_product", tag(False)),
        BulkAction("price", gettext_lazy("Change prices…"), "catalog.change_product", None),
    ]


def _product_list(request):
    return ListPage(
        request,
        selectors.search(selectors.products(), request.GET.get("q", "")),
        columns=[
            Column("code", gettext_lazy("Code")),
            Column("name", gettext_lazy("Name")),
            Column("category__name", gettext_lazy("Category"), sortable=False),
            Column("brand__name", gettext_lazy("Brand"), sortable=False),
            Column("price_min", gettext_lazy("Price")),
            Column("status", gettext_lazy("Status"), value=lambda p: p.get_status_display()),
            Column("updated_at", gettext_lazy("Updated")),
        ],
        filterset_class=ProductFilter,
        default_ordering="-updated_at",
        actions=_bulk_actions(),
        export_name="products",
    )


@staff_view("catalog.view_product")
def product_list(request):
    page = _product_list(request)
    if request.method == "POST" and request.POST.get("action") == "price":
        return _price_preview(request, page)
    return render_list(
        request, "catalog/product_list.html", page, {"bulk_form": BulkForm(), "price_form": PriceChangeForm()}
    )


def _price_preview(request, page):
    if not request.user.has_perm("catalog.change_product"):
        raise PermissionDenied
    ids = [i for i in request.POST.getlist("ids") if i.isdigit()]
    form = PriceChangeForm(request.POST)
    if not ids or not form.is_valid():
        messages.error(request, _("Select products and enter a percentage or an amount."))
        return redirect(request.get_full_path())
    try:
        rows = services.products_price_preview(products=page.queryset.filter(pk__in=ids), **form.cleaned_data)
    except DomainError as e:
        messages.error(request, e.message)
        return redirect(request.get_full_path())
    return render(
        request, "catalog/price_preview.html", {"rows": rows, "ids": ids, "form": form, "back": request.get_full_path()}
    )


@staff_view("catalog.change_product")
@require_POST
def product_price_apply(request):
    form = PriceChangeForm(request.POST)
    products = selectors.products().filter(pk__in=[i for i in request.POST.getlist("ids") if i.isdigit()])
    if form.is_valid():
        message_submit(
            request,
            partial(services.products_price_apply, actor=request.user, products=products, **form.cleaned_data),
            _("Prices changed."),
        )
    back = request.POST.get("back", "")
    return redirect(back if back.startswith("/") else reverse("catalog:product_list"))


@staff_view("catalog.view_product")
def product_export(request):
    """The filtered products in the import format (CSV or XLSX)."""
    fmt = "xlsx" if request.GET.get("format") == "xlsx" else "csv"
    data = write_rows(selectors.export_rows(_product_list(request).results), fmt)
    response = HttpResponse(
        data,
        content_type="text/csv; charset=utf-8"
        if fmt == "csv"
        else "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="products.{fmt}"'
    return response


@staff_view("catalog.import_product")
def product_import(request):
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        run = services.products_import_start(actor=request.user, upload=form.cleaned_data["file"])
        return redirect("jobrun_detail", run.pk)
    return render(request, "catalog/import.html", {"form": form})


@staff_view("catalog.add_product")
def product_create(request):
    form = ProductForm(request.POST or None)
    result = {}
    if form_done(
        request,
        form,
        lambda **data: result.update(product=services.product_save(actor=request.user, **data)),
        _("Product created."),
    ):
        return redirect(result["product"])
    return render(request, "catalog/product_form.html", {"form": form})


def _sku_rows(user, product):
    """The product's SKUs, each with the per-SKU figures later modules offer this user
    (AppConfig.product_sku_figures(user, product) -> [{"key", "label", "values": {sku_id: value}}]),
    so catalog imports none of them (DESIGN §1)."""
    figures = [
        figure
        for config in apps.get_app_configs()
        if hasattr(config, "product_sku_figures")
        for figure in config.product_sku_figures(user, product)
    ]
    rows = [
        {"sku": sku, "figures": [{"key": f["key"], "value": f["values"].get(sku.pk, 0)} for f in figures]}
        for sku in product.skus.all()
    ]
    return figures, rows


@staff_view("catalog.view_product")
def product_edit(request, pk):
    product = get_object_or_404(selectors.product_detail(), pk=pk)
    form = ProductForm(request.POST or None, instance=product)
    if request.method == "POST":
        if not request.user.has_perm("catalog.change_product"):
            raise PermissionDenied
        if form_done(
            request,
            form,
            lambda **data: services.product_save(actor=request.user, product=product, **data),
            _("Product saved."),
        ):
            return redirect(product)
    sku_figures, sku_rows = _sku_rows(request.user, product)
    return render(
        request,
        "catalog/product_form.html",
        {
            "form": form,
            "product": product,
            "images_form": ImagesForm(),
            "publish_form": PublishForm(),
            "sku_figures": sku_figures,
            "sku_rows": sku_rows,
            "related_panels": related_panels("product_panels", product, request.user),
            "schedule_form": ScheduleForm(
                initial={
                    "publish_at": product.publish_at,
                    "unpublish_at": product.unpublish_at,
                    "reason": product.schedule_reason,
                }
            ),
            "history": audit_for_object(product)[:30],
        },
    )


@staff_view("catalog.change_product")
@require_POST
def product_images(request, pk):
    product = get_object_or_404(Product, pk=pk)
    form = ImagesForm(request.POST, request.FILES)
    if form.is_valid():
        message_submit(
            request,
            partial(
                services.product_images_add, actor=request.user, product=product, uploads=form.cleaned_data["images"]
            ),
            _("Images added."),
        )
    else:
        messages.error(request, _("Choose one or more images."))
    return redirect(product)


@staff_view("catalog.change_product")
@require_POST
def product_image_action(request, pk, image_pk):
    product = get_object_or_404(Product, pk=pk)
    image = get_object_or_404(product.images, pk=image_pk)
    calls = {
        "main": partial(services.product_image_set_main, image=image),
        "up": partial(services.product_image_move, image=image, offset=-1),
        "down": partial(services.product_image_move, image=image, offset=1),
        "delete": partial(services.product_image_delete, image=image),
    }
    call = calls.get(request.POST.get("do"))
    if call:
        message_submit(request, partial(call, actor=request.user), _("Images updated."))
    return redirect(product)


@staff_view("catalog.change_product")
def product_skus(request, pk):
    product = get_object_or_404(Product, pk=pk)
    generate = "generate" in request.POST
    kwargs = {
        "form_kwargs": {"value_choices": [(v.pk, str(v)) for v in selectors.attribute_values()]},
        "initial": [SkuRowForm.initial_for(s) for s in product.skus.prefetch_related("attribute_values")],
    }
    formset = SkuFormSet(None if generate else request.POST or None, **kwargs)
    matrix = MatrixForm(request.POST if generate else None, prefix="matrix")
    if generate and form_done(
        request,
        matrix,
        partial(services.sku_matrix_generate, actor=request.user, product=product),
        _("SKUs generated."),
    ):
        return redirect("catalog:product_skus", pk=product.pk)
    if formset.is_bound and formset.is_valid():
        rows = [f.row() for f in formset.forms if f.has_changed() or f.cleaned_data.get("id")]
        try:
            services.skus_save(actor=request.user, product=product, rows=rows)
        except services.RowErrors as e:
            for n, message in e.rows:
                formset.forms[n - 1].add_error(None, message)
            messages.error(request, e.message)
        except DomainError as e:
            messages.error(request, e.message)
        else:
            messages.success(request, _("SKUs saved."))
            return redirect("catalog:product_skus", pk=product.pk)
    return render(request, "catalog/product_skus.html", {"product": product, "formset": formset, "matrix": matrix})


@staff_view("catalog.publish_product")
@require_POST
def product_publish(request, pk):
    product = get_object_or_404(Product, pk=pk)
    form = PublishForm(request.POST)
    published = request.POST.get("do") == "publish"
    if form.is_valid():
        message_submit(
            request,
            partial(
                services.products_set_status,
                actor=request.user,
                products=Product.objects.filter(pk=product.pk),
                published=published,
                reason=form.cleaned_data["reason"],
            ),
            _("Product published.") if published else _("Product unpublished."),
        )
    return redirect(product)


@staff_view("catalog.publish_product")
@require_POST
def product_schedule(request, pk):
    product = get_object_or_404(Product, pk=pk)
    form = ScheduleForm(request.POST)
    if not form_done(
        request, form, partial(services.product_schedule, actor=request.user, product=product), _("Schedule saved.")
    ):
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
    return redirect(product)


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
