"""Regenerate the README screenshots from the running demo (scripts/demo.sh).

Usage: python3 scripts/screenshots.py [--url http://127.0.0.1:8069] [--partner ID]
       [--only preview_wizard ...]

Logs in as admin through JSON-RPC, then drives headless Chromium over the
DevTools protocol (websocket-client) and writes PNGs to docs/screenshots/.
"""

import argparse
import base64
import json
import shutil
import subprocess
import tempfile
import time
import urllib.request
from http.cookiejar import CookieJar
from pathlib import Path

import websocket

PAGES = {
    "lifecycle_board": "/odoo/customer-lifecycle",
    "pyramid_board": "/odoo/customer-pyramid",
    "settings": "/odoo/action-sale.action_sale_config_settings",
    "snapshot_report": "/odoo/action-customer_pyramid.customer_pyramid_snapshot_action",
    "preview_wizard": "/odoo/action-sale.action_sale_config_settings",
}
# What to do on a page before the picture: show our part of it.
ACTIONS = {
    "settings": "document.getElementById('customer_pyramid_shares')"
    ".closest('.o_settings_container').previousElementSibling.scrollIntoView()",
    "partner_form": "document.querySelector(\"a[name='customer_pyramid']\").click()",
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


class Browser:
    def __init__(self, width=1600, height=1000):
        self.profile = tempfile.mkdtemp()
        binary = shutil.which("chromium") or shutil.which("google-chrome")
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
                "--remote-debugging-port=9333",
                "about:blank",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for _attempt in range(50):
            try:
                with urllib.request.urlopen(
                    "http://127.0.0.1:9333/json", timeout=2
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


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", default="http://127.0.0.1:8069")
    parser.add_argument("--database", default="customer_pyramid_demo")
    parser.add_argument("--partner", type=int, help="partner id for partner_form.png")
    parser.add_argument("--only", nargs="*", help="take only these pictures")
    args = parser.parse_args()
    session = login(args.url, args.database)
    pages = dict(PAGES)
    if args.partner:
        pages["partner_form"] = f"/odoo/contacts/{args.partner}"
    if args.only:
        pages = {name: path for name, path in pages.items() if name in args.only}
    OUT.mkdir(parents=True, exist_ok=True)
    browser = Browser()
    try:
        host = args.url.split("//")[1].split(":")[0]
        browser.call("Network.enable")
        browser.call("Network.setCookie", name="session_id", value=session, domain=host)
        for name, path in pages.items():
            browser.call("Page.navigate", url=f"{args.url}{path}")
            time.sleep(6)
            if name in ACTIONS:
                browser.call("Runtime.evaluate", expression=ACTIONS[name])
                time.sleep(5)
            shot = browser.call("Page.captureScreenshot", format="png")
            target = OUT / f"{name}.png"
            target.write_bytes(base64.b64decode(shot["data"]))
            print(target)
    finally:
        browser.close()


if __name__ == "__main__":
    main()
