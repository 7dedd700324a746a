"""Installing the addon on a database that already holds the data, and a
lone confirmation over JSON-RPC on that data without and with the addon.

Run by bench/benchmark.sh, with an interpreter that imports Odoo 18, on a
database where sale_management and crm are installed and the addon is not:

    python3 bench/install_benchmark.py -c ODOO_CONF -d DATABASE \
        --partners 1000000 --orders 5000000 --results FILE.json

It loads the benchmark's synthetic data (bench/run_benchmark.py's loader, with
durability off while loading, of its relations those a database without the
addon can hold), turns durability on and commits LONE_SAMPLE quotations for
each of two sets of partners who never bought. Then:

1. the first set is confirmed over JSON-RPC (``/jsonrpc``, ``execute_kw``
   ``action_confirm``), one request and one transaction at a time, on the
   database served by Odoo with ``--workers=2`` (a salesperson's click, the
   customer's first order): the latencies without the addon;
2. ``odoo -i customer_pyramid --stop-after-init`` is timed end to end in a
   process of its own: the module's tables and columns, its data files, the
   lifecycle stages of every partner and the first ranking of every company
   (the post-init hook). Memory is the installing process's peak (VmHWM)
   plus the peak of the summed private memory of the database's PostgreSQL
   backends and parallel workers, both sampled every 50 ms, and the
   temporary files they wrote; every partner in scope must have got its
   standing row;
3. the second set is confirmed as the first: the latencies with the addon.

It writes its figures to ``--results`` (JSON), which bench/run_benchmark.py
adds to the size's row of the benchmark's table.
"""

import argparse
import json
import statistics
import subprocess
import sys
import threading
import time

import run_benchmark
import storm

import odoo
from odoo import api
from odoo.tools import SQL

# Confirmations timed over JSON-RPC, without the addon and again with it.
LONE_SAMPLE = 200


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-c", "--config", required=True)
    parser.add_argument("-d", "--database", required=True)
    parser.add_argument("--partners", type=int, required=True)
    parser.add_argument("--orders", type=int, required=True)
    parser.add_argument("--results", required=True, help="the JSON file to write")
    return parser.parse_args()


class ProcessPeak:
    """The peak resident memory (VmHWM) of a child process, sampled while it
    runs: its /proc entry is gone once it has exited."""

    def __init__(self, process):
        self.process = process
        self.peak_mb = 0.0
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()

    def _sample(self):
        while self.process.poll() is None:
            try:
                self.peak_mb = max(
                    self.peak_mb, run_benchmark.peak_mb(self.process.pid)
                )
            except (OSError, RuntimeError):
                return  # it exited between the poll and the reading
            time.sleep(run_benchmark.BackendMemory.SAMPLE_SECONDS)

    def join(self):
        self._thread.join()


def load(args):
    """The data, and the quotations of the two sets of lone confirmations:
    (seconds, the first set's order ids, the second's)."""
    odoo.tools.config.parse_config(
        ["-c", args.config, "-d", args.database, "--log-level=warn"]
    )
    registry = odoo.modules.registry.Registry(args.database)
    run_benchmark.set_durability(args.database, False)  # loading only
    started = time.perf_counter()
    with registry.cursor() as cr:
        env = api.Environment(cr, odoo.SUPERUSER_ID, {})
        product, _companies = run_benchmark.load_data(env, args.partners, args.orders)
        env.ref("base.user_admin").password = storm.PASSWORD
        cr.commit()
    loaded = time.perf_counter() - started
    run_benchmark.set_durability(args.database, True)
    without_ids = run_benchmark.quotations(registry, product.id, LONE_SAMPLE, 0)
    with_ids = run_benchmark.quotations(registry, product.id, LONE_SAMPLE, LONE_SAMPLE)
    forget(args.database)
    return loaded, without_ids, with_ids


def forget(database):
    """Close this process's registry and connections: the server and the
    installation run in processes of their own."""
    odoo.modules.registry.Registry.delete(database)
    odoo.sql_db.close_db(database)


def lone_confirmations(args, order_ids):
    """p50 and p95 ms of confirming each order alone over JSON-RPC, on the
    database served with two workers."""
    port = storm.free_port()
    server = storm.serve(args, port)
    latencies = []
    try:
        for order_id in order_ids:
            started = time.monotonic()
            storm.rpc(port, args.database, "sale.order", "action_confirm", [[order_id]])
            latencies.append(1000 * (time.monotonic() - started))
    finally:
        server.terminate()
        server.wait(timeout=60)
    return statistics.median(latencies), statistics.quantiles(latencies, n=20)[-1]


def install(args):
    """Seconds, Odoo's peak MB, the backends' peak MB and temp files MB."""
    command = [
        sys.executable,
        "-m",
        "odoo",
        "-c",
        args.config,
        "-d",
        args.database,
        "-i",
        "customer_pyramid",
        "--without-demo=all",
        "--stop-after-init",
        "--no-http",
        "--log-level=warn",
    ]
    with run_benchmark.BackendMemory(args.database) as backends:
        started = time.perf_counter()
        process = subprocess.Popen(command)
        peak = ProcessPeak(process)
        returncode = process.wait()
        seconds = time.perf_counter() - started
        peak.join()
    if returncode:
        sys.exit(f"installing the addon failed (exit code {returncode})")
    return seconds, peak.peak_mb, backends.peak_mb, backends.temp_mb


def placed(args):
    """(standing rows, loaded partners without one, loaded partners with a
    stage)."""
    registry = odoo.modules.registry.Registry(args.database)
    with registry.cursor() as cr:
        cr.execute(
            SQL(
                """
                SELECT (SELECT count(*) FROM customer_pyramid_standing),
                       (SELECT count(*) FROM res_partner p
                         WHERE p.name LIKE %(loaded)s
                           AND NOT EXISTS (
                               SELECT 1 FROM customer_pyramid_standing st
                                WHERE st.partner_id = p.id)),
                       (SELECT count(*) FROM res_partner p
                         WHERE p.name LIKE %(loaded)s
                           AND p.customer_lifecycle_stage_id IS NOT NULL)
                """,
                loaded="Bench partner %",
            )
        )
        return cr.fetchone()


def confirmed(args, order_ids):
    """How many of ``order_ids`` are confirmed orders."""
    registry = odoo.modules.registry.Registry(args.database)
    with registry.cursor() as cr:
        cr.execute(
            SQL(
                "SELECT count(*) FROM sale_order WHERE id = ANY(%s) AND state = 'sale'",
                order_ids,
            )
        )
        return cr.fetchone()[0]


def main():
    args = parse_args()
    loaded, without_ids, with_ids = load(args)
    without_p50, without_p95 = lone_confirmations(args, without_ids)
    seconds, odoo_mb, backends_mb, temp_mb = install(args)
    rows, unplaced, staged = placed(args)
    forget(args.database)
    if unplaced:
        sys.exit(f"{unplaced} loaded partners have no standing row after installing")
    with_p50, with_p95 = lone_confirmations(args, with_ids)
    if confirmed(args, without_ids + with_ids) != 2 * LONE_SAMPLE:
        sys.exit("a lone confirmation over JSON-RPC did not confirm its order")
    results = {
        "load": loaded,
        "install": seconds,
        "odoo_mb": odoo_mb,
        "backends_mb": backends_mb,
        "temp_mb": temp_mb,
        "standing_rows": rows,
        "staged": staged,
        "lone_without": [without_p50, without_p95],
        "lone_with": [with_p50, with_p95],
    }
    with open(args.results, "w", encoding="utf-8") as output:
        json.dump(results, output)


if __name__ == "__main__":
    main()
