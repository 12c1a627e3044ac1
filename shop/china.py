"""Chinese addresses and phone numbers: the one province normaliser and the phone patterns."""

import re

from django.utils.translation import gettext as _

PROVINCE_SUFFIXES = ("维吾尔自治区", "壮族自治区", "回族自治区", "自治区", "特别行政区", "省", "市")
# A mainland mobile number: 11 digits starting 13-19.
MOBILE = re.compile(r"^1[3-9]\d{9}$")
# A mainland postcode: six digits.
POSTCODE = re.compile(r"^\d{6}$")
# A mobile number or a landline with its area code (010-12345678, 0755 1234567).
PHONE = re.compile(r"^(?:\+?86)?(1[3-9]\d{9}|0\d{2,3}-?\d{7,8})$")


# The 34 provincial-level divisions: the short name (what province_key returns, the choices of the province
# filters) -> the full name.
PROVINCES = {
    "北京": "北京市",
    "天津": "天津市",
    "上海": "上海市",
    "重庆": "重庆市",
    "河北": "河北省",
    "山西": "山西省",
    "辽宁": "辽宁省",
    "吉林": "吉林省",
    "黑龙江": "黑龙江省",
    "江苏": "江苏省",
    "浙江": "浙江省",
    "安徽": "安徽省",
    "福建": "福建省",
    "江西": "江西省",
    "山东": "山东省",
    "河南": "河南省",
    "湖北": "湖北省",
    "湖南": "湖南省",
    "广东": "广东省",
    "海南": "海南省",
    "四川": "四川省",
    "贵州": "贵州省",
    "云南": "云南省",
    "陕西": "陕西省",
    "甘肃": "甘肃省",
    "青海": "青海省",
    "台湾": "台湾省",
    "内蒙古": "内蒙古自治区",
    "广西": "广西壮族自治区",
    "西藏": "西藏自治区",
    "宁夏": "宁夏回族自治区",
    "新疆": "新疆维吾尔自治区",
    "香港": "香港特别行政区",
    "澳门": "澳门特别行政区",
}


def province_spellings(keys) -> list[str]:
    """Every way an address may store these provinces ('广东' and '广东省'), for an indexed `province__in`."""
    return sorted({spelling for key in keys for spelling in (key, PROVINCES.get(key, key))})


def province_key(name) -> str:
    """'广东省' and '广东' are the same province; '新疆维吾尔自治区' is '新疆'."""
    name = (name or "").strip()
    for suffix in PROVINCE_SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix):
            return name[: -len(suffix)]
    return name


def province_list(text) -> set[str]:
    """The provinces of a list typed as '广东, 浙江、上海市' (commas of either width or 、)."""
    return {province_key(p) for p in (text or "").replace("，", ",").replace("、", ",").split(",") if p.strip()}


def mobile_digits(value) -> str | None:
    """A mainland mobile number as its 11 digits (spaces, dashes, brackets, +86 / 0086 dropped), or None."""
    digits = re.sub(r"[\s\-()（）]", "", str(value or ""))
    digits = digits.removeprefix("+86") if digits.startswith("+86") else digits.removeprefix("0086")
    return digits if MOBILE.match(digits) else None


NOT_A_PHONE = re.compile(r"[^\d\s\-+()（）]")


def mask_phone(value) -> str:
    """A phone as most people may see it: 138****1234 (a longer landline keeps its first 3 and last 4
    characters, a short number shows ****). A value that is not a phone number (an erased customer's
    placeholder "erased-12") is shown as it is. Who may see the full number: customers.privacy."""
    text = str(value or "").strip()
    if not text or NOT_A_PHONE.search(text):
        return text
    return f"{text[:3]}****{text[-4:]}" if len(text) >= 8 else "****"


def phone_clean(value) -> str | None:
    """A mobile or landline number for an address, without spaces and brackets, or None when it is neither."""
    number = re.sub(r"[\s()（）]", "", str(value or ""))
    return number if PHONE.match(number) else None


def address_contact_check(phone, postcode) -> tuple[str, dict]:
    """(the cleaned phone, {"phone" / "postcode": message}) for an address: a mobile or a landline with its area code,
    and an empty or six-digit postcode. A missing phone is the caller's required-field rule, not a problem here."""
    problems = {}
    cleaned = phone_clean(phone)
    if phone and cleaned is None:
        problems["phone"] = _("Enter a mobile number or a landline with its area code.")
    if postcode and not POSTCODE.match(postcode):
        problems["postcode"] = _("A postcode has 6 digits.")
    return cleaned or phone, problems
