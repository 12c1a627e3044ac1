"""The knowledge base pages (FAQ): articles (list, search, edit), categories, and the search panel staff use
while answering a complaint (an htmx partial)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from aftersales import selectors, services
from aftersales.complaint_forms import FaqArticleForm, FaqCategoryForm, FaqFilter
from shop.lists import Column, ListPage, render_list
from shop.permissions import staff_view
from shop.web import form_submit, message_submit

SEARCH_PANEL_ROWS = 8


class FaqList(ListPage):
    filterset_class = FaqFilter
    default_ordering = "position"
    search_fields = ("question__icontains", "answer__icontains")
    export_name = "faq"
    columns = [
        Column("question", gettext_lazy("Question")),
        Column("category__name", gettext_lazy("Category"), sortable=False),
        Column("published", gettext_lazy("Published"), sortable=False),
        Column("position", gettext_lazy("Position")),
        Column("views", gettext_lazy("Views")),
        Column("updated_at", gettext_lazy("Updated")),
    ]

    def scope(self):
        return selectors.faq_articles()


@staff_view("aftersales.view_faqarticle")
def faq_list(request):
    return render_list(request, "aftersales/faq_list.html", FaqList(request))


def _article_page(request, form, call, title, article=None):
    saved = {}

    def run():
        saved["article"] = call(**form.cleaned_data)

    if request.method == "POST" and form_submit(form, run):
        messages.success(request, _("Article saved."))
        return redirect(reverse("aftersales:faq_list"))
    return render(
        request,
        "aftersales/faq_form.html",
        {"form": form, "title": title, "article": article},
        status=400 if request.method == "POST" else 200,
    )


@staff_view("aftersales.add_faqarticle")
def faq_create(request):
    form = FaqArticleForm(request.POST or None)
    return _article_page(
        request, form, lambda **data: services.faq_article_save(actor=request.user, **data), _("New FAQ article")
    )


@staff_view("aftersales.view_faqarticle")
def faq_edit(request, pk):
    article = get_object_or_404(selectors.faq_articles(), pk=pk)
    if request.method == "POST" and not request.user.has_perm("aftersales.change_faqarticle"):
        raise PermissionDenied
    form = FaqArticleForm(request.POST or None, instance=article)

    def call(**data):
        return services.faq_article_save(actor=request.user, article=article, **data)

    return _article_page(request, form, call, article.question, article)


@staff_view("aftersales.delete_faqarticle")
@require_POST
def faq_delete(request, pk):
    article = get_object_or_404(selectors.faq_articles(), pk=pk)
    message_submit(request, lambda: services.faq_article_delete(actor=request.user, article=article), _("Deleted."))
    return redirect(reverse("aftersales:faq_list"))


@staff_view("aftersales.view_faqcategory")
def faq_category_list(request):
    """The categories, and a form to add one (for a role that may)."""
    form = FaqCategoryForm(request.POST or None)
    if request.method == "POST":
        if not request.user.has_perm("aftersales.add_faqcategory"):
            raise PermissionDenied
        if form_submit(form, lambda: services.faq_category_save(actor=request.user, **form.cleaned_data)):
            messages.success(request, _("Category saved."))
            return redirect(reverse("aftersales:faq_category_list"))
    return render(
        request,
        "aftersales/faq_category_list.html",
        {"categories": selectors.faq_categories(), "form": form},
        status=400 if request.method == "POST" else 200,
    )


@staff_view("aftersales.change_faqcategory")
def faq_category_edit(request, pk):
    category = get_object_or_404(selectors.faq_categories(), pk=pk)
    form = FaqCategoryForm(request.POST or None, instance=category)

    def call():
        services.faq_category_save(actor=request.user, category=category, **form.cleaned_data)

    if request.method == "POST" and form_submit(form, call):
        messages.success(request, _("Category saved."))
        return redirect(reverse("aftersales:faq_category_list"))
    return render(
        request,
        "aftersales/faq_form.html",
        {"form": form, "title": category.name, "category": category},
        status=400 if request.method == "POST" else 200,
    )


@staff_view("aftersales.delete_faqcategory")
@require_POST
def faq_category_delete(request, pk):
    category = get_object_or_404(selectors.faq_categories(), pk=pk)
    message_submit(request, lambda: services.faq_category_delete(actor=request.user, category=category), _("Deleted."))
    return redirect(reverse("aftersales:faq_category_list"))


@staff_view("aftersales.view_faqarticle")
def faq_search(request):
    """The search panel's results (htmx): published and draft articles matching the words, first few."""
    q = request.GET.get("q", "").strip()[:100]
    rows = list(selectors.faq_search(q=q, published_only=False)[: SEARCH_PANEL_ROWS + 1]) if q else []
    return render(
        request,
        "aftersales/_faq_results.html",
        {"rows": rows[:SEARCH_PANEL_ROWS], "more": len(rows) > SEARCH_PANEL_ROWS, "q": q},
    )
