"""Fail when the Arabic translation is not complete.

Usage: python3 scripts/check_po.py

For the addon and each bridge module of bridges/: every entry of its
i18n/<module>.pot must be in its i18n/ar.po, translated and not fuzzy, with
the same placeholders; ar.po must hold no entry the template lacks. The test
command runs it with the lint tools (polib).
"""

import re
import sys
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parents[1]
ADDONS = [("customer_pyramid", ROOT)] + [
    (bridge.name, bridge) for bridge in sorted((ROOT / "bridges").glob("*/"))
]
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
    failed = False
    for module, addon_dir in ADDONS:
        i18n = addon_dir / "i18n"
        name = (i18n / "ar.po").relative_to(ROOT)
        template = polib.pofile(str(i18n / f"{module}.pot"))
        found = list(problems(template, polib.pofile(str(i18n / "ar.po"))))
        for line in found:
            print(f"{name} {line}")
        if found:
            print(f"{name}: {len(found)} entries to fix")
            failed = True
        else:
            print(f"{name}: all {len(template)} entries translated")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
