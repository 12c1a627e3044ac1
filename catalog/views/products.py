"""The product list: filters, search, bulk actions (with a price preview), export and import."""

from functools import partial

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.html import escape
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from catalog import selectors, services
from catalog.filters import ProductFilter
from catalog.forms import (
    BulkForm,
    ImportForm,
    PriceChangeForm,
)
from catalog.models import Category, Product
from catalog.transfer import write_rows
from shop.errors import DomainError
from shop.lists import (
    BulkAction,
    Column,
    ListPage,
    cache_model_choices,
    choice_labels,
    render_list,
    show,
    td,
    url_for,
    when,
)
from shop.money import format_money
from shop.permissions import staff_view
from shop.web import message_submit

# -- products ---------------------------------------------------------------------------------------


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


def _product_cells():
    """The product list's row (shop.lists fast row path): code, thumbnail and name, category, brand, price
    range, status, updated."""
    edit = url_for("catalog:product_edit")
    statuses = choice_labels(Product, "status")
    scheduled = escape(_("scheduled"))

    def name(p):
        images = "".join(f'<img class="thumb" src="{show(img.thumb_url)}" alt="">' for img in p.main_images)
        return f'<td class="product-name">{images}<a href="{edit(p.pk)}">{show(p.name)}</a></td>'

    def price(p):
        if p.price_min is None:
            return td("—")
        if p.price_min == p.price_max:
            return td(escape(format_money(p.price_min)))
        return td(f"{escape(format_money(p.price_min))} – {escape(format_money(p.price_max))}")

    def status(p):
        later = f' <small class="muted">{scheduled}</small>' if p.publish_at else ""
        return td(f'<span class="tag status-{show(p.status)}">{show(statuses.get(p.status, p.status))}</span>{later}')

    return [
        lambda p: td(f'<a href="{edit(p.pk)}">{show(p.code)}</a>'),
        name,
        lambda p: td(show((p.category.name if p.category_id else "") or "—")),
        lambda p: td(show((p.brand.name if p.brand_id else "") or "—")),
        price,
        status,
        lambda p: td(when(p.updated_at)),
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
        row_cells=_product_cells,
    )


@staff_view("catalog.view_product")
def product_list(request):
    page = _product_list(request)
    if request.method == "POST" and request.POST.get("action") == "price":
        return _price_preview(request, page)
    bulk_form = BulkForm()
    cache_model_choices(bulk_form.fields)  # the filter form's categories and tags, read once a minute
    return render_list(
        request, "catalog/product_list.html", page, {"bulk_form": bulk_form, "price_form": PriceChangeForm()}
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
