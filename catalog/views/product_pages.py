"""One product's pages: create and edit, SKUs, images, publishing and its schedule."""

from functools import partial

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from catalog import selectors, services
from catalog.forms import (
    ImagesForm,
    MatrixForm,
    ProductForm,
    PublishForm,
    ScheduleForm,
    SkuFormSet,
    SkuRowForm,
)
from catalog.models import Product
from shop.errors import DomainError
from shop.hooks import hook_answers
from shop.permissions import staff_view
from shop.related import related_panels
from shop.selectors import audit_for_object
from shop.web import form_done, message_submit

# -- products ---------------------------------------------------------------------------------------


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
    figures = [figure for offered in hook_answers("product_sku_figures", user, product) for figure in offered]
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
