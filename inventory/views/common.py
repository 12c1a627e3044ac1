"""Form-page helpers the inventory views share (on top of shop.web's form_done)."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from shop.selectors import audit_for_object
from shop.web import form_done


def form_page(request, form, title, template="inventory/form.html", **extra):
    return render(request, template, {"form": form, "title": title, **extra})


def service_form(request, form_class, service, title, done, success_url="inventory:stock_list"):
    """A form page whose valid post calls `service(actor=..., **cleaned_data)`; GET parameters prefill it."""
    form = form_class(request.POST or None, initial=request.GET.dict())
    if form_done(request, form, lambda **data: service(actor=request.user, **data), done):
        return redirect(success_url)
    return form_page(request, form, title)


def edit(request, instance, form_class, save, title, list_url, **extra):
    """Create or change a row through its save service, with the row's history beside the form."""
    form = form_class(request.POST or None, instance=instance)
    name = form_class._meta.model._meta.model_name  # the service's keyword: warehouse=, supplier=
    if form_done(request, form, lambda **data: save(actor=request.user, **{name: instance}, **data), _("Saved.")):
        return redirect(list_url)
    return form_page(
        request,
        form,
        title,
        template="inventory/edit.html",
        object=instance,
        history=audit_for_object(instance)[:20] if instance else None,
        **extra,
    )


def delete(request, rule, service, list_url):
    service(rule=rule, actor=request.user)
    messages.success(request, _("Removed."))
    return redirect(list_url)
