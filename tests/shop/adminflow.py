"""Driving the operators' admin as an operator does: a changelist POST with an action, the confirmation page
with its reason, and the result with its messages (shop/admin.py `repair_action`)."""

from django.contrib.messages import get_messages

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def make_operator(make_staff, username="operator_user"):
    """An operator as the staff pages create one: the `operator` role, with is_staff (the admin)."""
    return make_staff("operator", username=username, is_staff=True)


def changelist(model):
    return f"/admin/{model._meta.app_label}/{model._meta.model_name}/"


def run_action(client, model, action, objects, reason="顾客来电核实"):
    """Select `objects` on the changelist, pick `action`, confirm with `reason`: (confirmation, result, messages)."""
    ids = [str(obj.pk) for obj in objects]
    url = changelist(model)
    confirmation = client.post(url, {"action": action, "_selected_action": ids}, **EN)
    assert confirmation.status_code == 200, confirmation.status_code
    assert 'data-testid="repair-confirm"' in confirmation.content.decode()
    result = client.post(url, {"action": action, "_selected_action": ids, "confirm": "yes", "reason": reason}, **EN)
    assert result.status_code == 302, result.status_code
    return confirmation, result, [m.message for m in get_messages(result.wsgi_request)]


def summary(messages):
    """The action's summary line ("<action>: N done, M refused.")."""
    return next(m for m in messages if " done, " in m)
