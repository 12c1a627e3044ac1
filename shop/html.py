"""The one HTML sanitiser: staff-written rich text (product descriptions, FAQ answers) is stored without
scripts, event handlers or unknown tags (nh3)."""

import nh3


def sanitize_html(html: str) -> str:
    """The HTML with scripts, event handlers and unknown tags removed."""
    return nh3.clean(html or "")
