"""Installing the addon on a database that already holds the data.

Run by bench/install_big.sh, with an interpreter that imports Odoo 18, on a
database where sale_management and crm are installed and the addon is not:

    python3 bench/install_benchmark.py -c ODOO_CONF -d DATABASE \
        --partners 1000000 --orders 5000000

It loads the benchmark's synthetic data (bench/run_benchmark.py's loader, with
durability off while loading), turns durability on, then times
``odoo -i customer_pyramid --stop-after-init`` end to end in a process of its
own: the module's tables and columns, its data files, the lifecycle stages of
every partner and the first ranking of every company (the post-init hook).
Memory is the installing process's peak (VmHWM) plus the peak of the summed
private memory of the database's PostgreSQL backends and parallel workers,
both sampled every 50 ms, and the temporary files they wrote. It then checks
that every partner in scope got its standing row and prints one markdown row.
"""

import argparse
import subprocess
import sys
import threading
import time

import run_benchmark

import odoo
from odoo import api
from odoo.tools import SQL

HEADER = [
    "partners / orders",
    "load s",
    "install s",
    "Odoo peak MB",
    "backends' peak MB",
    "temp files MB",
    "standing rows",
    "stage set",
]


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-c", "--config")
    parser.add_argument("-d", "--database")
    parser.add_argument("--partners", type=int, default=0)
    parser.add_argument("--orders", type=int, default=0)
    parser.add_argument("--header", action="store_true", help="print the table head")
    args = parser.parse_args()
    if not args.header and not (
        args.config and args.database and args.partners and args.orders
    ):
        parser.error("-c, -d, --partners and --orders are needed, or --header")
    return args


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
    odoo.tools.config.parse_config(
        ["-c", args.config, "-d", args.database, "--log-level=warn"]
    )
    registry = odoo.modules.registry.Registry(args.database)
    run_benchmark.set_durability(args.database, False)  # loading only
    started = time.perf_counter()
    with registry.cursor() as cr:
        env = api.Environment(cr, odoo.SUPERUSER_ID, {})
        run_benchmark.load_data(env, args.partners, args.orders)
        cr.commit()
    loaded = time.perf_counter() - started
    run_benchmark.set_durability(args.database, True)
    odoo.modules.registry.Registry.delete(args.database)
    odoo.sql_db.close_db(args.database)
    return loaded


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
    """(standing rows, partners in scope without one, partners with a stage)."""
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


def main():
    args = parse_args()
    if args.header:
        print("| " + " | ".join(HEADER) + " |")
        print("|" + " --- |" * len(HEADER))
        return
    loaded = load(args)
    seconds, odoo_mb, backends_mb, temp_mb = install(args)
    rows, unplaced, staged = placed(args)
    if unplaced:
        sys.exit(f"{unplaced} loaded partners have no standing row after installing")
    print(
        f"| {args.partners:,} / {args.orders:,} | {loaded:.1f} | {seconds:.1f}"
        f" | {odoo_mb:.0f} | {backends_mb:.0f} | {temp_mb:.0f} | {rows:,}"
        f" | {staged:,} |"
    )


if __name__ == "__main__":
    main()
