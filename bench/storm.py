"""Concurrent confirmations on a multi-worker Odoo, and a recompute among them.

Run by bench/storm.sh, with an interpreter that imports Odoo 18:

    python3 bench/storm.py -c ODOO_CONF -d DATABASE --customers 200 \
        --quotations 600 --clients 8

On a database where the addon is installed (``--without-addon``: one where it
is not, for the latency baseline) it creates the customers, one confirmed order
each, and the quotations, spread over a few hot customers so that several
clients confirm orders of the same customer at the same moment. It serves
Odoo with ``--workers=2`` on 127.0.0.1, confirms every quotation over JSON-RPC
from ``--clients`` threads, one request each, triggers the real scheduled
recompute over JSON-RPC when half of them are done, stops the server and
compares every customer's facts (revenue, confirmed orders) with its orders.
Prints one markdown row: requests, failed requests, wrong customers, p50 and
p95 of a confirmation. Exits non-zero on any failed request or wrong customer.
"""

import argparse
import itertools
import json
import queue
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import odoo
from odoo import Command, api
from odoo.tools import SQL

HOT_CUSTOMERS = 10
PASSWORD = "storm"
# The server gets this long to answer its first request before the run fails.
STARTUP_SECONDS = 120


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-c", "--config", required=True)
    parser.add_argument("-d", "--database", required=True)
    parser.add_argument("--customers", type=int, default=200)
    parser.add_argument("--quotations", type=int, default=600)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--without-addon", action="store_true")
    return parser.parse_args()


def prepare(args):
    """Customers with one confirmed order each, the quotations, a password."""
    odoo.tools.config.parse_config(["-c", args.config, "-d", args.database])
    registry = odoo.modules.registry.Registry(args.database)
    with registry.cursor() as cr:
        env = api.Environment(cr, odoo.SUPERUSER_ID, {})
        env.ref("base.user_admin").password = PASSWORD
        product = env["product.product"].create(
            {"name": "Storm service", "type": "service", "list_price": 1.0}
        )
        product.taxes_id = False
        customers = env["res.partner"].create(
            [
                {"name": f"Storm customer {index:04d}", "is_company": True}
                for index in range(args.customers)
            ]
        )

        def order(partner, amount):
            line = {"product_id": product.id, "product_uom_qty": 1}
            return {
                "partner_id": partner.id,
                "order_line": [Command.create(dict(line, price_unit=amount))],
            }

        first = env["sale.order"].create(
            [order(partner, 100 + index) for index, partner in enumerate(customers)]
        )
        first.action_confirm()
        hot = itertools.cycle(customers[:HOT_CUSTOMERS])
        quotations = env["sale.order"].create(
            [order(next(hot), 10 + index % 7) for index in range(args.quotations)]
        )
        if not args.without_addon:
            env["customer.pyramid.engine"].recompute_companies(env.company)
        cron = env.ref(
            "customer_pyramid.ir_cron_customer_pyramid_recompute",
            raise_if_not_found=False,
        )
        return quotations.ids, customers.ids, env.company.id, cron.id if cron else None


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def rpc(port, database, model, method, args):
    payload = {
        "jsonrpc": "2.0",
        "method": "call",
        "params": {
            "service": "object",
            "method": "execute_kw",
            "args": [database, 2, PASSWORD, model, method, args],
        },
    }
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/jsonrpc",
        data=json.dumps(payload).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=120) as response:
        answer = json.loads(response.read())
    if "error" in answer:
        raise RuntimeError(answer["error"]["data"]["message"])
    return answer["result"]


def odoo_command():
    """How to start Odoo's server so that it can start its own helpers: the
    prefork server spawns its websocket worker as ``sys.argv[0] gevent``,
    which ``python -m odoo`` cannot be."""
    script = Path(sys.executable).with_name("odoo")
    if not script.exists():
        script = Path(odoo.__file__).resolve().parent.parent / "odoo-bin"
    return [sys.executable, str(script)]


def serve(args, port):
    command = [*odoo_command(), "-c", args.config, "-d", args.database]
    command += ["--workers=2", "--max-cron-threads=0", "--http-interface=127.0.0.1"]
    command += [f"--http-port={port}", f"--gevent-port={free_port()}"]
    command += [f"--db-filter=^{args.database}$"]
    command += ["--log-level=warn", "--limit-time-real=300"]
    server = subprocess.Popen(command, stdout=subprocess.DEVNULL)
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        try:
            rpc(port, args.database, "res.partner", "search_count", [[]])
            return server
        except OSError:
            time.sleep(1)
    server.terminate()
    raise RuntimeError("the Odoo server did not answer within two minutes")


def storm(port, database, quotation_ids, cron_id, clients):
    """Confirm every quotation, one request each; the recompute half-way."""
    todo = queue.Queue()
    for quotation_id in quotation_ids:
        todo.put(quotation_id)
    latencies, failures = [], []
    lock = threading.Lock()
    half = len(quotation_ids) // 2

    def client():
        while True:
            try:
                quotation_id = todo.get_nowait()
            except queue.Empty:
                return
            started = time.monotonic()
            try:
                rpc(port, database, "sale.order", "action_confirm", [[quotation_id]])
            except (OSError, RuntimeError) as error:
                with lock:
                    failures.append(f"{quotation_id}: {error}")
                continue
            with lock:
                latencies.append(1000 * (time.monotonic() - started))
                done = len(latencies)
            if cron_id and done == half:
                threading.Thread(target=recompute).start()

    def recompute():
        try:
            rpc(port, database, "ir.cron", "method_direct_trigger", [[cron_id]])
        except (OSError, RuntimeError) as error:
            with lock:
                failures.append(f"recompute: {error}")

    threads = [threading.Thread(target=client) for _index in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return latencies, failures


def wrong_customers(args, customer_ids, company_id):
    """Customers whose stored facts differ from their confirmed orders."""
    registry = odoo.modules.registry.Registry(args.database)
    with registry.cursor() as cr:
        cr.execute(
            SQL(
                """
                SELECT p.id
                  FROM res_partner p
             LEFT JOIN (SELECT partner_id, sum(amount_untaxed) AS revenue,
                               count(*) AS orders
                          FROM sale_order WHERE state = 'sale'
                      GROUP BY partner_id) o ON o.partner_id = p.id
             LEFT JOIN customer_pyramid_standing st
                    ON st.partner_id = p.id AND st.company_id = %s
                 WHERE p.id = ANY(%s)
                   AND (round(st.revenue::numeric, 2)
                            IS DISTINCT FROM round(o.revenue, 2)
                        OR st.order_count IS DISTINCT FROM o.orders::int)
                """,
                company_id,
                customer_ids,
            )
        )
        return [partner_id for (partner_id,) in cr.fetchall()]


def main():
    args = parse_args()
    quotation_ids, customer_ids, company_id, cron_id = prepare(args)
    port = free_port()
    server = serve(args, port)
    try:
        latencies, failures = storm(
            port, args.database, quotation_ids, cron_id, args.clients
        )
    finally:
        server.terminate()
        server.wait(timeout=60)
    wrong = (
        [] if args.without_addon else wrong_customers(args, customer_ids, company_id)
    )
    quantiles = statistics.quantiles(latencies, n=20) if len(latencies) > 1 else [0]
    p50, p95 = statistics.median(latencies or [0]), quantiles[-1]
    label = "without the addon" if args.without_addon else "with the addon"
    print(
        f"| {label} | {args.clients} | {len(quotation_ids)} | {len(failures)} "
        f"| {'n/a' if args.without_addon else len(wrong)} | {p50:.0f} | {p95:.0f} |"
    )
    for failure in failures[:10]:
        print(f"failed: {failure}", file=sys.stderr)
    if wrong:
        print(f"wrong customers: {wrong[:20]}", file=sys.stderr)
    return 1 if failures or wrong else 0


if __name__ == "__main__":
    sys.exit(main())
