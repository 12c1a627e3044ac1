"""The one registry of what staff read instead of a code: audit actions, modules, field keys, actors,
ledger references and roles. Pages and the audit log go through these functions (or the template
filters in shop.templatetags.houtai that wrap them); an unknown code is shown as it is.

Every action code that a module records (`record(actor, "<module>.<verb>", ...)`) has its label here;
tests/shop/test_labels.py fails when one is missing. The strings live in shop so that no module has to
import another to name what it did; they are plain text, not imports.
"""

import re
from decimal import Decimal, InvalidOperation

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from shop.china import mask_phone
from shop.roles import ROLE_LABELS

ACTIONS = {
    # reports (analytics)
    "reports.schedule_save": _("Saved scheduled report email"),
    "reports.schedule_delete": _("Deleted scheduled report email"),
    # customers
    "marketing.coupon_claim": _("Claimed a coupon"),
    "marketing.coupon_codes": _("Generated coupon codes"),
    "marketing.coupon_segment_issue": _("Issued a coupon to a segment"),
    "marketing.coupon_issue": _("Issued a coupon to a customer"),
    "marketing.coupon_template_save": _("Saved coupon"),
    "marketing.activity_save": _("Saved spend or quantity discount"),
    "marketing.timed_discount_save": _("Saved timed discount"),
    "marketing.member_price_save": _("Saved member price"),
    "marketing.member_price_delete": _("Deleted member price"),
    "marketing.stacking_rule_save": _("Saved stacking rule"),
    "marketing.bundle_save": _("Saved bundle"),
    "marketing.bundle_items": _("Changed bundle SKUs"),
    "customers.update": _("Edited customer"),
    "customers.tags_set": _("Set customer tags"),
    "customers.address_save": _("Saved customer address"),
    "customers.address_default": _("Changed default address"),
    "customers.address_delete": _("Deleted customer address"),
    "customers.tier_save": _("Saved member tier"),
    "customers.tier_delete": _("Deleted member tier"),
    "customers.rfm_recompute": _("Recomputed RFM scores and member tiers"),
    "customers.points_adjust": _("Adjusted customer points"),
    "customers.phone_revealed": _("Viewed a full phone number"),
    "customers.phones_exported": _("Exported full phone numbers"),
    "customers.data_exported": _("Exported a customer's data"),
    "customers.erased": _("Erased customer on request"),
    # customers: CRM notes and the message inbox
    "customers.note_add": _("Added interaction note"),
    "customers.note_done": _("Completed follow-up"),
    "customers.follow_up_remind": _("Sent follow-up reminders"),
    "customers.message_receive": _("Received customer message"),
    "customers.message_assign": _("Assigned customer message"),
    "customers.message_reply": _("Replied to customer message"),
    "customers.message_status": _("Changed customer message status"),
    "customers.message_sla": _("Flagged customer messages past their SLA"),
    "customers.segment_create": _("Created customer segment"),
    "customers.segment_update": _("Edited customer segment"),
    "customers.segment_recount": _("Recounted customer segment"),
    "customers.segment_delete": _("Deleted customer segment"),
    # aftersales: complaints (投诉) and the knowledge base (FAQ)
    "aftersales.complaint_create": _("Recorded a complaint"),
    "aftersales.complaint_assign": _("Assigned a complaint"),
    "aftersales.complaint_respond": _("Answered a complaint"),
    "aftersales.complaint_escalate": _("Escalated a complaint"),
    "aftersales.complaint_resolve": _("Resolved a complaint"),
    "aftersales.complaint_close": _("Closed a complaint"),
    "aftersales.complaint_reopen": _("Reopened a complaint"),
    "aftersales.complaint_satisfaction": _("Recorded satisfaction with a complaint's resolution"),
    "aftersales.complaint_sla": _("Flagged complaints past their SLA"),
    "aftersales.complaint_sla_save": _("Saved complaint SLA"),
    "aftersales.faq_category_save": _("Saved FAQ category"),
    "aftersales.faq_category_delete": _("Deleted FAQ category"),
    "aftersales.faq_article_save": _("Saved FAQ article"),
    "aftersales.faq_article_delete": _("Deleted FAQ article"),
    # catalog
    "catalog.category_create": _("Created category"),
    "catalog.category_update": _("Edited category"),
    "catalog.category_move": _("Moved category"),
    "catalog.category_delete": _("Deleted category"),
    "catalog.brand_save": _("Saved brand"),
    "catalog.brand_delete": _("Deleted brand"),
    "catalog.tag_save": _("Saved tag"),
    "catalog.tag_delete": _("Deleted tag"),
    "catalog.attributedefinition_save": _("Saved attribute"),
    "catalog.attributedefinition_delete": _("Deleted attribute"),
    "catalog.attribute_values_add": _("Added attribute values"),
    "catalog.product_save": _("Saved product"),
    "catalog.product_images_add": _("Added product images"),
    "catalog.product_image_main": _("Set the main image"),
    "catalog.product_image_move": _("Reordered product images"),
    "catalog.product_image_delete": _("Deleted a product image"),
    "catalog.sku_matrix_generate": _("Generated SKUs"),
    "catalog.skus_save": _("Saved SKUs"),
    "catalog.product_publish": _("Published product"),
    "catalog.product_unpublish": _("Unpublished product"),
    "catalog.product_schedule": _("Scheduled publishing"),
    "catalog.product_schedule_refused": _("Scheduled publishing refused"),
    "catalog.product_move": _("Moved product to a category"),
    "catalog.product_tag_add": _("Tagged product"),
    "catalog.product_tag_remove": _("Removed a product tag"),
    "catalog.price_change": _("Changed prices"),
    "catalog.product_import": _("Imported product"),
    # inventory
    "inventory.receive": _("Received stock"),
    "inventory.return": _("Returned goods to stock"),
    "inventory.adjust": _("Adjusted stock"),
    "inventory.transfer": _("Transferred stock"),
    "inventory.erp_sync": _("Synced stock from the ERP"),
    "inventory.reserve": _("Reserved stock"),
    "inventory.release": _("Released reserved stock"),
    "inventory.sale": _("Shipped reserved stock"),
    "inventory.warehouse_save": _("Saved warehouse"),
    "inventory.supplier_save": _("Saved supplier"),
    "inventory.supplier_sku_set": _("Set a supplier's SKU cost"),
    "inventory.supplier_sku_remove": _("Removed a supplier's SKU"),
    "inventory.low_stock_rule_set": _("Set a low-stock rule"),
    "inventory.low_stock_rule_delete": _("Deleted a low-stock rule"),
    "inventory.po_create": _("Created purchase order"),
    "inventory.po_draft": _("Returned purchase order to draft"),
    "inventory.po_ordered": _("Placed purchase order"),
    "inventory.po_partial": _("Purchase order partially received"),
    "inventory.po_received": _("Purchase order received"),
    "inventory.po_cancelled": _("Cancelled purchase order"),
    "inventory.po_receive": _("Received against purchase order"),
    "inventory.stocktake_start": _("Started stocktake"),
    "inventory.stocktake_count": _("Entered stocktake counts"),
    "inventory.stocktake_approve": _("Approved stocktake"),
    "inventory.replenishment_rule_set": _("Set a replenishment rule"),
    "inventory.replenishment_rule_delete": _("Deleted a replenishment rule"),
    # marketing: flash sales and group buys
    "marketing.flash_session_save": _("Saved flash-sale session"),
    "marketing.experiment_save": _("Saved A/B experiment"),
    "marketing.experiment_issue": _("Issued an experiment variant"),
    "marketing.experiment_promote": _("Ended an experiment and promoted the winner"),
    "marketing.flash_item_add": _("Added SKU to flash sale"),
    "marketing.flash_session_settle": _("Returned unsold flash-sale units to stock"),
    "marketing.group_buy_save": _("Saved group-buy activity"),
    "marketing.group_succeeded": _("Group buy filled"),
    "marketing.group_failed": _("Group buy failed"),
    # orders
    "orders.place": _("Placed order"),
    "orders.pay": _("Marked order paid"),
    "orders.allocate": _("Allocated order"),
    "orders.pick": _("Started picking"),
    "orders.ship": _("Shipped order"),
    "orders.deliver": _("Marked order delivered"),
    "orders.complete": _("Completed order"),
    "orders.cancel": _("Cancelled order"),
    "orders.close": _("Closed unpaid order"),
    "orders.address_change": _("Changed shipping address"),
    "orders.adjust_price": _("Adjusted order price"),
    "orders.cod_collected": _("Cash on delivery collected"),
    "orders.note": _("Added an order note"),
    "orders.flag_abnormal": _("Flagged order as abnormal"),
    "orders.clear_abnormal": _("Cleared abnormal flag"),
    "orders.merge": _("Merged orders"),
    "orders.unmerge": _("Split order from merge"),
    "orders.carrier_save": _("Saved carrier"),
    "orders.freight_template_save": _("Saved freight template"),
    "orders.dispatch_rule_save": _("Saved dispatch rule"),
    "orders.dispatch_rule_delete": _("Deleted dispatch rule"),
    "orders.tracking_event": _("Added tracking update"),
    "orders.aftersales": _("Changed after-sales status"),
    # payments
    "payments.method_update": _("Edited payment method"),
    "payments.callback": _("Payment notice received"),
    "payments.import": _("Imported payment"),
    "payments.refund_request": _("Requested refund"),
    "payments.refund_approve": _("Approved refund"),
    "payments.refund_reject": _("Rejected refund"),
    "payments.refund_sent": _("Refund sent to provider"),
    "payments.refund_confirmed": _("Refund confirmed"),
    "payments.refund_failed": _("Refund failed"),
    "payments.refund_escalate": _("Escalated refund"),
    "payments.risk_hold": _("Held order for risk review"),
    "payments.risk_approve": _("Approved risk review"),
    "payments.risk_reject": _("Rejected risk review"),
    "payments.risk_rule_update": _("Edited risk rule"),
    "payments.risk_settings": _("Edited risk settings"),
    "payments.blacklist_add": _("Added to blacklist"),
    "payments.blacklist_remove": _("Removed from blacklist"),
    "payments.settle": _("Settled payments"),
    # reports: rollups
    "reports.rollups_rebuild": _("Rebuilt the sales rollups"),
    "payments.cod_collect": _("Recorded cash collected on delivery"),
    "payments.reconcile": _("Reconciled statement"),
    # after-sales: requests
    "aftersales.request_submit": _("Submitted after-sales request"),
    "aftersales.request_auto_approve": _("Auto-approved after-sales request"),
    "aftersales.request_approve": _("Approved after-sales request"),
    "aftersales.request_reject": _("Rejected after-sales request"),
    "aftersales.request_cancel": _("Cancelled after-sales request"),
    "aftersales.request_assign": _("Assigned after-sales request"),
    "aftersales.request_note": _("Noted on after-sales request"),
    "aftersales.request_ship_back": _("Return parcel sent back"),
    "aftersales.request_receive": _("Received returned goods"),
    "aftersales.request_inspect": _("Inspected returned goods"),
    "aftersales.request_refund": _("Refunded after-sales request"),
    "aftersales.request_ship_replacement": _("Shipped replacement"),
    "aftersales.request_close": _("Closed after-sales request"),
    "aftersales.request_overdue": _("After-sales request overdue"),
    "aftersales.request_escalate": _("Escalated after-sales request"),
    "aftersales.reason_save": _("Saved after-sales reason"),
    "aftersales.reason_delete": _("Deleted after-sales reason"),
    "aftersales.reasons_reorder": _("Reordered after-sales reasons"),
    "aftersales.excluded_category_add": _("Excluded category from no-reason returns"),
    "aftersales.excluded_category_remove": _("Allowed category no-reason returns again"),
    "aftersales.auto_rule_save": _("Saved auto-approval rule"),
    "aftersales.auto_rule_delete": _("Deleted auto-approval rule"),
    "aftersales.policy_update": _("Edited after-sales settings"),
    # settings (shop)
    "settings.staff_create": _("Created staff account"),
    "settings.staff_update": _("Edited staff account"),
    "settings.staff_password_reset": _("Reset staff password"),
    "settings.store_update": _("Edited store settings"),
    "settings.announcement_save": _("Saved announcement"),
    "settings.announcement_delete": _("Deleted announcement"),
    "settings.apikey_create": _("Created API key"),
    "settings.apikey_revoke": _("Revoked API key"),
    # the Django admin's repairs (issue 18)
    "settings.staff_unlock": _("Unlocked a locked-out staff account"),
    "settings.job_run_now": _("Ran a scheduled job now"),
    "payments.refund_resend": _("Re-sent a stuck refund to its gateway"),
    "orders.reservation_release": _("Released the stock still reserved for a closed order"),
    "inventory.rollup_rebuild": _("Rebuilt the stock rollup of a SKU"),
    "customers.outbound_resend": _("Re-sent a failed text to a customer"),
    "settings.backup": _("Backed up the database"),
    # aftersales: reviews
    "aftersales.review_approve": _("Published review"),
    "aftersales.review_hide": _("Hid review"),
    "aftersales.review_flag": _("Flagged review"),
    "aftersales.review_reply": _("Replied to review"),
    "aftersales.keyword_add": _("Added moderation keyword"),
    "aftersales.keyword_delete": _("Removed moderation keyword"),
    # reports: anomaly monitoring
    "reports.anomalies_found": _("Found anomalies"),
    "reports.anomaly_acknowledge": _("Acknowledged an anomaly"),
}

# Keys of hand-written before/after dicts, and snapshot keys that are not a field of the object's model.
FIELDS = {
    "active": _("active"),
    "addresses_deleted": _("addresses deleted"),
    "amount": _("amount"),
    "bytes": _("size (bytes)"),
    "category": _("category"),
    "columns": _("columns"),
    "cost": _("cost"),
    "description": _("description"),
    "escalated_at": _("escalated"),
    "escalation_level": _("escalation"),
    "escalated": _("escalated to the owner"),
    "complaints": _("complaints"),
    "assignee": _("assignee"),
    "resolution": _("resolution"),
    "satisfaction": _("satisfaction"),
    "comment": _("comment"),
    "fees": _("fees"),
    "file": _("file"),
    "gross": _("gross"),
    "hold_score": _("hold score"),
    "image": _("image"),
    "images": _("images"),
    "items": _("items"),
    "kind": _("kind"),
    "lines": _("lines"),
    "list": _("list"),
    "main_image": _("main image"),
    "matched": _("matched"),
    "merged_into": _("merged into"),
    "mismatched": _("mismatched"),
    "missing": _("missing"),
    "name": _("name"),
    "net": _("net"),
    "note": _("note"),
    "number": _("number"),
    "offset": _("position change"),
    "order": _("order"),
    "orders": _("orders"),
    "provider_refund_id": _("provider refund ID"),
    "quantity": _("quantity"),
    "query": _("filters"),
    "reason": _("reason"),
    "reference": _("reference"),
    "refunds": _("refunds"),
    "roles": _("roles"),
    "rows": _("rows"),
    "rules": _("rules"),
    "scopes": _("scopes"),
    "score": _("score"),
    "sections": _("sections"),
    "sku": _("SKU"),
    "skus": _("SKUs"),
    "source": _("source"),
    "status": _("status"),
    "tag": _("tag"),
    "total": _("total"),
    "value": _("value"),
    "values": _("values"),
    "warehouse": _("warehouse"),
    "where": _("where"),
}

# Codes some hand-written before/after dicts hold as values: {key: {code: label}} (customers.privacy's reveals).
VALUES = {
    "source": {
        "customer": _("the customer's phone"),
        "address": _("an address's phone"),
        "order": _("the order's phone"),
    },
    "where": {"page": _("on a page"), "form": _("in an edit form")},
}

ACTORS = {"system": _("System"), "storefront": _("Storefront")}
ACTOR_PREFIXES = {"api": _("API: %(name)s"), "provider": _("Payment provider: %(name)s")}

REFERENCES = {
    "order": _("Order %(ref)s"),
    "receipt": _("Goods receipt %(ref)s"),
    "po": _("Purchase order %(ref)s"),
    "transfer": _("Transfer %(ref)s"),
    "stocktake": _("Stocktake %(ref)s"),
    "erp": _("ERP sync %(ref)s"),
}

OTHER_MODULES = {"settings": pgettext_lazy("module", "Settings")}


def action_label(code):
    """What the action code means, as a verb phrase ("Published product")."""
    return ACTIONS.get(code, code)


def module_label(code):
    """The module's name: its app's verbose name."""
    if code in OTHER_MODULES:
        return OTHER_MODULES[code]
    try:
        return apps.get_app_config(code).verbose_name
    except LookupError:
        return code


def field_label(key, model=None):
    """The field's verbose name on `model` if it has that field, else the shared name for the key."""
    if model is not None:
        try:
            name = getattr(model._meta.get_field(key), "verbose_name", None)  # reverse relations have none
        except FieldDoesNotExist:
            name = None
        if name:
            return name
    return FIELDS.get(key, key)


def actor_label(label):
    """Who did it: "system" -> System, "api:ERP" -> API: ERP; a staff username stays as it is."""
    if not label:
        return ACTORS["system"]
    if label in ACTORS:
        return ACTORS[label]
    prefix, sep, name = str(label).partition(":")
    if sep and prefix in ACTOR_PREFIXES:
        return ACTOR_PREFIXES[prefix] % {"name": name}
    return label


def reference_label(reference_type, reference=""):
    """A stock movement's reference ("order", "2026...") -> "Order 2026..."; also takes "type:ref"."""
    if reference_type and not reference and ":" in reference_type:
        reference_type, _sep, reference = reference_type.partition(":")
    if not reference:
        return ""
    template = REFERENCES.get(reference_type)
    if template is None:
        return f"{reference_type}:{reference}" if reference_type else reference
    return template % {"ref": reference}


def audit_changes(entry):
    """An audit entry's changes as (field label, before, after), named after the object's model fields."""
    model = entry.content_type.model_class() if entry.content_type_id else None

    def shown(key, value):
        if "phone" in key and isinstance(value, str):  # the audit log never shows a full phone number
            return mask_phone(value) or "—"
        if isinstance(value, str) and value in VALUES.get(key, {}):
            return VALUES[key][value]
        choices = _choices(model, key)
        if choices and isinstance(value, str) and value in choices:
            return choices[value]
        if key == "reference" and isinstance(value, str):
            return reference_label(value) or "—"
        if key == "roles" and isinstance(value, list):
            return "、".join(str(role_label(v)) for v in value) or "—"
        return value_display(value)

    return [(field_label(key, model), shown(key, old), shown(key, new)) for key, old, new in entry.changes()]


def _choices(model, key):
    """{stored value: label} of the model field `key` when it has choices (order status, kinds...)."""
    if model is None:
        return None
    try:
        field = model._meta.get_field(key)
    except FieldDoesNotExist:
        return None
    return {str(k): v for k, v in field.flatchoices} if getattr(field, "choices", None) else None


def role_label(code):
    return ROLE_LABELS.get(code, code)


_DECIMAL = re.compile(r"^-?\d+\.\d{3,}$")


def value_display(value):
    """A before/after value as staff read it: decimals with 2 places when nothing is lost, yes/no, lists."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, Decimal) or (isinstance(value, str) and _DECIMAL.match(value)):
        return decimal_text(value)
    if isinstance(value, (list, tuple)):
        return (
            "、".join(
                " ".join(str(value_display(i)) for i in v) if isinstance(v, (list, tuple)) else str(value_display(v))
                for v in value
            )
            or "—"
        )
    if isinstance(value, dict):
        return "；".join(f"{k}: {value_display(v)}" for k, v in value.items())
    return value


def decimal_text(value):
    """A Decimal as text with 2 places when trailing zeros are all that goes ("13.2200000" -> "13.22")."""
    try:
        number = Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        return str(value)
    cents = number.quantize(Decimal("0.01"))
    return str(cents) if cents == number else str(number.normalize())
