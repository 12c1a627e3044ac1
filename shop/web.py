"""Small pieces every module's views and admin share."""

from shop.errors import DomainError


def form_submit(form, call) -> bool:
    """Run `call()` (a service) for a valid form. A DomainError's message lands on the form and its
    per-field messages beside the fields they name. True when the service succeeded."""
    if not form.is_valid():
        return False
    try:
        call()
    except DomainError as e:
        form.add_error(None, e.message)
        for name, message in (e.data.get("fields") or {}).items():
            if name in form.fields:
                form.add_error(name, message)
        return False
    return True


def form_done(request, form, call, success) -> bool:
    """For a posted, valid form run `call(**form.cleaned_data)` (a service) and report `success` on the next page;
    a DomainError lands on the form (form_submit). True when the service succeeded: redirect then."""
    from django.contrib import messages

    if request.method != "POST" or not form_submit(form, lambda: call(**form.cleaned_data)):
        return False
    messages.success(request, success)
    return True


def message_submit(request, call, success) -> bool:
    """Run `call()` (a service) and report on the next page: `success`, or the DomainError's message.
    True when the service succeeded."""
    from django.contrib import messages

    try:
        call()
    except DomainError as e:
        messages.error(request, e.message)
        return False
    messages.success(request, success)
    return True


def __getattr__(name):
    """`ReadOnlyAdmin` moved to shop.admin (`OperatorAdmin`, issue 18): one base for the admin; this name stays
    for a branch written before it."""
    if name == "ReadOnlyAdmin":
        from shop.admin import OperatorAdmin

        return OperatorAdmin
    raise AttributeError(name)
