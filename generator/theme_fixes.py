"""Small, named corrections to markup that the Material theme writes and the Nu Html Checker
rejects. Each is a plain string replacement, so it costs nothing at scale."""

from __future__ import annotations

FIXES: tuple[tuple[str, str, str], ...] = (
    ('type="checkbox" id="__drawer" autocomplete="off"', 'type="checkbox" id="__drawer"',
     "autocomplete is not allowed on checkboxes"),
    ('type="checkbox" id="__search" autocomplete="off"', 'type="checkbox" id="__search"',
     "autocomplete is not allowed on checkboxes"),
    (' tabindex=""', "", "an empty tabindex is not a valid integer"),
)


def fix_theme_markup(html: str) -> str:
    for old, new, _reason in FIXES:
        if old in html:
            html = html.replace(old, new)
    return html
