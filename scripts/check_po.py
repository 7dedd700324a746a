"""Fail when the Arabic translation is not complete.

Usage: python3 scripts/check_po.py

Every entry of i18n/customer_pyramid.pot must be in i18n/ar.po, translated
and not fuzzy, with the same placeholders; ar.po must hold no entry the
template lacks. The test command runs it with the lint tools (polib).
"""

import re
import sys
from pathlib import Path

import polib

I18N = Path(__file__).resolve().parents[1] / "i18n"
PLACEHOLDER = re.compile(r"%\(\w+\)s|%s|%d")


def problems(template, translation):
    wanted = {(entry.msgctxt, entry.msgid) for entry in template}
    found = {}
    for entry in translation:
        if not entry.obsolete:
            found[(entry.msgctxt, entry.msgid)] = entry
    for key in sorted(wanted - set(found), key=str):
        yield f"missing: {key[1]!r}"
    for key in sorted(set(found) - wanted, key=str):
        yield f"not in the template: {key[1]!r}"
    for key in sorted(wanted & set(found), key=str):
        entry = found[key]
        if "fuzzy" in entry.flags:
            yield f"fuzzy: {entry.msgid!r}"
        elif not entry.msgstr.strip():
            yield f"untranslated: {entry.msgid!r}"
        elif sorted(PLACEHOLDER.findall(entry.msgid)) != sorted(
            PLACEHOLDER.findall(entry.msgstr)
        ):
            yield f"placeholders differ: {entry.msgid!r}"


def main():
    template = polib.pofile(str(I18N / "customer_pyramid.pot"))
    found = list(problems(template, polib.pofile(str(I18N / "ar.po"))))
    for line in found:
        print(f"i18n/ar.po {line}")
    if found:
        print(f"i18n/ar.po: {len(found)} entries to fix")
        return 1
    print(f"i18n/ar.po: all {len(template)} entries translated")
    return 0


if __name__ == "__main__":
    sys.exit(main())
