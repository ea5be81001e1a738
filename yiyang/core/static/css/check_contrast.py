#!/usr/bin/env python3
"""Check WCAG 2.x contrast of the colour pairs used by yiyang.css.

Reads the hex colour tokens straight from yiyang.css (the ``:root`` block and
the ``.elder-mode`` override block), so it stays in sync with the stylesheet.

    python3 yiyang/core/static/css/check_contrast.py

Prints every pair with its ratio; exits with status 1 if any pair fails.
Text pairs need 4.5:1 (AA); elder-mode text pairs need 7:1 (AAA);
non-text pairs (control borders, focus ring, progress bar) need 3:1.
"""

import re
import sys
from pathlib import Path

CSS = Path(__file__).with_name("yiyang.css")

# (foreground token, background token, what it is used for)
TEXT_PAIRS = [
    ("c-text", "c-surface", "body text on cards"),
    ("c-text", "c-bg", "body text on page"),
    ("c-text", "c-surface-alt", "table header, masked value"),
    ("c-text", "c-zebra", "zebra table row"),
    ("c-text", "c-primary-50", "hovered row, checked radio card"),
    ("c-muted", "c-surface", "muted text on cards"),
    ("c-muted", "c-bg", "muted text on page"),
    ("c-muted", "c-surface-alt", "muted text on table header"),
    ("c-muted", "c-zebra", "muted text in zebra row"),
    ("c-muted", "c-primary-50", "muted text in checked radio card"),
    ("c-primary", "c-surface", "links, secondary button"),
    ("c-primary", "c-bg", "links on page"),
    ("c-primary", "c-primary-50", "active nav item, active tab"),
    ("c-primary-hover", "c-primary-50", "hovered nav item"),
    ("c-text-inverse", "c-primary", "header, primary button"),
    ("c-text-inverse", "c-primary-hover", "primary button hover"),
    ("c-text-inverse", "c-danger", "danger button"),
    ("c-text-inverse", "c-danger-hover", "danger button hover"),
    ("c-text-inverse", "c-ok", "done step marker"),
    ("c-danger", "c-surface", "field error text"),
    ("c-danger-text", "c-danger-bg", "badge-danger, alert-error"),
    ("c-warn-text", "c-warn-bg", "badge-warn, alert-warn (dark amber on light amber)"),
    ("c-ok-text", "c-ok-bg", "badge-ok, alert-ok"),
    ("c-info-text", "c-info-bg", "badge-info, alert-info"),
    ("c-neutral-text", "c-neutral-bg", "badge-muted"),
    ("c-disabled-text", "c-disabled-bg", "disabled button / input"),
]
NON_TEXT_PAIRS = [
    ("c-border-strong", "c-surface", "input and button borders"),
    ("c-focus", "c-surface", "focus outline on cards"),
    ("c-focus", "c-bg", "focus outline on page"),
    ("c-primary", "c-neutral-bg", "progress bar on its track"),
    ("c-warn", "c-warn-bg", "alert-warn left border"),
]


def tokens(block_selector, css):
    m = re.search(re.escape(block_selector) + r"\s*\{(.*?)\}", css, re.S)
    if not m:
        sys.exit(f"block {block_selector!r} not found in {CSS}")
    return dict(re.findall(r"--([\w-]+):\s*(#[0-9a-fA-F]{6})\s*;", m.group(1)))


def luminance(hex_colour):
    h = hex_colour.lstrip("#")
    channels = [int(h[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def ratio(fg, bg):
    hi, lo = sorted((luminance(fg), luminance(bg)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def report(title, palette, pairs, minimum):
    print(f"\n{title} (minimum {minimum}:1)")
    failures = 0
    for fg, bg, use in pairs:
        r = ratio(palette[fg], palette[bg])
        ok = r >= minimum
        failures += not ok
        print(
            f"  {'PASS' if ok else 'FAIL'} {r:5.2f}:1  {fg:16} {palette[fg]} on {bg:16} {palette[bg]}  {use}"
        )
    return failures


def main():
    css = CSS.read_text(encoding="utf-8")
    base = tokens(":root", css)
    elder = {**base, **tokens("\n.elder-mode", css)}
    failures = report("Default theme, text", base, TEXT_PAIRS, 4.5)
    failures += report("Default theme, non-text", base, NON_TEXT_PAIRS, 3.0)
    failures += report("Elder mode 适老化, text", elder, TEXT_PAIRS, 7.0)
    failures += report("Elder mode 适老化, non-text", elder, NON_TEXT_PAIRS, 3.0)
    print(f"\n{'All pairs pass.' if not failures else f'{failures} pair(s) FAIL.'}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
