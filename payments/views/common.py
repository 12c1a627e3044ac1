"""What the payment pages share."""

from django.shortcuts import render


def form_page(request, form, title, **extra):
    return render(request, "payments/form.html", {"form": form, "title": title, **extra})
