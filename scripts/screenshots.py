"""Regenerate every README and docs screenshot from the running demo (scripts/demo.sh).

Usage: python3 scripts/screenshots.py [--url http://127.0.0.1:8069] [--partner ID]
           [--page NAME ...] [--lang ar_001]

Logs in as admin through JSON-RPC, then drives headless Chromium over the
DevTools protocol (websocket-client) and writes PNGs to docs/screenshots/.
Without options it takes every picture the docs show, in one run: each page
in English, then the ARABIC_PAGES in Arabic (admin's language for the time
of the run, files named <page>_ar.png). --page takes only the named pictures,
--lang only that language; --partner picks the partner of partner_form.png
(default: the demo's largest top customer with a forecast drop).
"""

import argparse
import base64
import json
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.request
from contextlib import contextmanager
from http.cookiejar import CookieJar
from pathlib import Path

import websocket

PAGES = {
    "lifecycle_board": "/odoo/customer-lifecycle",
    "pyramid_board": "/odoo/customer-pyramid",
    "dropping_soon": "/odoo/customer-pyramid",
    "settings": "/odoo/action-sale.action_sale_config_settings",
    "snapshot_report": "/odoo/action-customer_pyramid.customer_pyramid_snapshot_action",
    "preview_wizard": "/odoo/action-sale.action_sale_config_settings",
    "this_week": "/odoo/action-customer_pyramid.customer_pyramid_watchlist_action",
    "cron_warning": "/odoo/action-sale.action_sale_config_settings",
}
# Pictures of a record created for them: model -> the page showing record ``id``.
RECORD_PAGES = {
    "pyramid_report": (
        "customer.pyramid.report",
        "/report/html/customer_pyramid.customer_pyramid_report_template/{id}",
    ),
}
# Pages shown again in Arabic when no language is asked for.
ARABIC_PAGES = ("lifecycle_board", "pyramid_board", "pyramid_report")
# Pages that need the demo in another state for the time of their picture:
# (model, domain, values to write, values that restore it).
STATES = {
    # an archived scheduled action is one of the banner's three causes
    "cron_warning": (
        "ir.cron",
        [("ir_actions_server_id.model_id.model", "=", "customer.pyramid.engine")],
        {"active": False},
        {"active": True},
    ),
}
# What to do on a page before the picture: show our part of it.
ACTIONS = {
    "settings": "document.getElementById('customer_pyramid_shares')"
    ".closest('.o_settings_container').previousElementSibling.scrollIntoView()",
    "cron_warning": "document.querySelector("
    "\"div[name='customer_pyramid_cron_warning']\")"
    ".closest('.alert').scrollIntoView({block: 'center'})",
    "partner_form": "document.querySelector(\"a[name='customer_pyramid']\").click()",
    # the search filter "Drops within 30 days"
    "dropping_soon": """
        document.querySelector('.o_searchview_dropdown_toggler').click();
        setTimeout(() => [...document.querySelectorAll('.o_filter_menu .o_menu_item')]
            .find((item) => item.textContent.includes('Drops within 30 days'))
            .click(), 1000);
        setTimeout(() => document.querySelector('.o_searchview_dropdown_toggler')
            .click(), 2500);
    """,
    # shares 2 / 8 / 30 / 60 and a 5 % band, typed in, then Preview
    "preview_wizard": """
        const type = (name, value) => {
            const input = document.querySelector(`div[name='${name}'] input`);
            input.value = value;
            input.dispatchEvent(new Event('input', {bubbles: true}));
            input.dispatchEvent(new Event('change', {bubbles: true}));
        };
        type('customer_pyramid_top_share', '2');
        type('customer_pyramid_big_share', '8');
        type('customer_pyramid_medium_share', '30');
        type('customer_pyramid_small_share', '60');
        type('customer_pyramid_grace_band', '5');
        setTimeout(() => document.querySelector(
            "button[name='action_customer_pyramid_preview']").click(), 1000);
    """,
}
OUT = Path(__file__).resolve().parents[1] / "docs" / "screenshots"


def login(url, database):
    jar = CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    payload = {
        "jsonrpc": "2.0",
        "params": {"db": database, "login": "admin", "password": "admin"},
    }
    request = urllib.request.Request(
        f"{url}/web/session/authenticate",
        data=json.dumps(payload).encode(),
        headers={"Content-Type": "application/json"},
    )
    with opener.open(request, timeout=30) as response:
        answer = json.load(response)
    if answer.get("error"):
        raise SystemExit(f"login failed: {answer['error']}")
    return next(cookie.value for cookie in jar if cookie.name == "session_id")


def call(url, session, model, method, *args, **kwargs):
    """One ORM call through the web client's JSON-RPC route, as admin."""
    payload = {
        "jsonrpc": "2.0",
        "params": {"model": model, "method": method, "args": args, "kwargs": kwargs},
    }
    request = urllib.request.Request(
        f"{url}/web/dataset/call_kw",
        data=json.dumps(payload).encode(),
        headers={"Content-Type": "application/json", "Cookie": f"session_id={session}"},
    )
    with urllib.request.urlopen(request, timeout=60) as response:
        answer = json.load(response)
    if answer.get("error"):
        raise SystemExit(f"{model}.{method} failed: {answer['error']}")
    return answer["result"]


class Browser:
    def __init__(self, width=1600, height=1000):
        self.profile = tempfile.mkdtemp()
        binary = shutil.which("chromium") or shutil.which("google-chrome")
        # A free port of its own: another browser on a fixed port would take
        # our commands (and we its pictures).
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        self.process = subprocess.Popen(
            [
                binary,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                f"--user-data-dir={self.profile}",
                f"--window-size={width},{height}",
                f"--remote-debugging-port={port}",
                f"--remote-allow-origins=http://127.0.0.1:{port}",
                "about:blank",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for _attempt in range(50):
            try:
                with urllib.request.urlopen(
                    f"http://127.0.0.1:{port}/json", timeout=2
                ) as r:
                    pages = json.load(r)
                break
            except OSError:
                time.sleep(0.2)
        target = next(p for p in pages if p["type"] == "page")
        self.socket = websocket.create_connection(target["webSocketDebuggerUrl"])
        self.next_id = 0

    def call(self, method, **params):
        self.next_id += 1
        self.socket.send(
            json.dumps({"id": self.next_id, "method": method, "params": params})
        )
        while True:
            message = json.loads(self.socket.recv())
            if message.get("id") == self.next_id:
                return message.get("result", {})

    def close(self):
        self.socket.close()
        self.process.terminate()
        self.process.wait()
        shutil.rmtree(self.profile, ignore_errors=True)


def shoot(args, session, pages, lang):
    """The pictures of ``pages`` (name: path) in ``lang`` (None: admin's)."""
    suffix = f"_{lang.split('_')[0]}" if lang and lang != "en_US" else ""
    uid = call(args.url, session, "res.users", "search", [("login", "=", "admin")])
    own_lang = call(args.url, session, "res.users", "read", uid, ["lang"])[0]["lang"]
    if lang:
        install_language(args, session, lang)
        call(args.url, session, "res.users", "write", uid, {"lang": lang})
    # a session keeps the language it logged in with
    browser_session = login(args.url, args.database) if lang else session
    browser = Browser()
    try:
        host = args.url.split("//")[1].split(":")[0]
        browser.call("Network.enable")
        browser.call(
            "Network.setCookie", name="session_id", value=browser_session, domain=host
        )
        for name, path in pages.items():
            with demo_state(args, session, name):
                browser.call("Page.navigate", url=f"{args.url}{path}")
                time.sleep(6)
                if name in ACTIONS:
                    browser.call("Runtime.evaluate", expression=ACTIONS[name])
                    time.sleep(5)
                shot = browser.call("Page.captureScreenshot", format="png")
            target = OUT / f"{name}{suffix}.png"
            target.write_bytes(base64.b64decode(shot["data"]))
            print(target)
    finally:
        browser.close()
        if lang:
            call(args.url, session, "res.users", "write", uid, {"lang": own_lang})


def install_language(args, session, lang):
    """Activate ``lang`` with its translations, as Settings > Languages does."""
    lang_ids = call(
        args.url,
        session,
        "res.lang",
        "search",
        [("code", "=", lang)],
        context={"active_test": False},
    )
    if not lang_ids:
        raise SystemExit(f"unknown language {lang}")
    if call(args.url, session, "res.lang", "read", lang_ids, ["active"])[0]["active"]:
        return
    wizard = call(
        args.url,
        session,
        "base.language.install",
        "create",
        {"lang_ids": [[6, 0, lang_ids]]},
    )
    call(args.url, session, "base.language.install", "lang_install", [wizard])


@contextmanager
def demo_state(args, session, name):
    """The demo as page ``name`` needs it (STATES), restored afterwards."""
    if name not in STATES:
        yield
        return
    model, domain, values, restore = STATES[name]
    ids = call(
        args.url, session, model, "search", domain, context={"active_test": False}
    )
    call(args.url, session, model, "write", ids, values)
    try:
        yield
    finally:
        call(args.url, session, model, "write", ids, restore)


def default_partner(args, session):
    """The demo's largest top customer whose level has a forecast drop."""
    ids = call(
        args.url,
        session,
        "res.partner",
        "search",
        [
            ("customer_pyramid_level", "=", "top"),
            ("customer_pyramid_drop_date", "!=", False),
        ],
        order="customer_pyramid_revenue desc",
        limit=1,
    )
    if not ids:
        raise SystemExit("no top customer with a forecast drop: pass --partner ID")
    return ids[0]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", default="http://127.0.0.1:8069")
    parser.add_argument("--database", default="customer_pyramid_demo")
    parser.add_argument("--partner", type=int, help="partner id for partner_form.png")
    parser.add_argument(
        "--page",
        action="append",
        choices=[*PAGES, *RECORD_PAGES, "partner_form"],
        help="take only this picture (repeatable)",
    )
    parser.add_argument("--lang", help="an installed language code, e.g. ar_001")
    args = parser.parse_args()
    session = login(args.url, args.database)
    pages = dict(PAGES)
    pages["partner_form"] = (
        f"/odoo/contacts/{args.partner or default_partner(args, session)}"
    )
    for name, (model, path) in RECORD_PAGES.items():
        if not args.page or name in args.page:
            pages[name] = path.format(id=call(args.url, session, model, "create", {}))
    if args.page:
        pages = {name: path for name, path in pages.items() if name in args.page}
    OUT.mkdir(parents=True, exist_ok=True)
    if args.lang or args.page:
        shoot(args, session, pages, args.lang)
        return
    shoot(args, session, pages, None)
    shoot(args, session, {name: pages[name] for name in ARABIC_PAGES}, "ar_001")


if __name__ == "__main__":
    main()
