"""Runs the addon's Odoo test suite on fresh databases and judges the logs.

Steps: install without demo data running every test of the addon, upgrade,
uninstall (checking that no column or table of the addon is left), then install
with demo data and sale_margin running the tests that check the demo story
and the margin ranking basis. Any failing test,
any ERROR or CRITICAL line, and any WARNING not listed in ALLOWED_WARNINGS fails
the run. Prints ``N passed, N failed`` for the Odoo suite.
"""

import re
import socket
import subprocess
import sys
import time
from pathlib import Path

MODULE = "customer_pyramid"
RESULT_LINE = re.compile(
    r"(\d+) failed, (\d+) error\(s\) of (\d+) tests when loading database"
)
LOG_LEVEL = re.compile(r"^\S+ \S+ \d+ (WARNING|ERROR|CRITICAL) ")
# Warnings Odoo 18 itself prints on a bare test machine, unrelated to the addon.
ALLOWED_WARNINGS = (
    "You need Wkhtmltopdf",
    "wkhtmltopdf",
    "Running as user 'root'",
)


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def run_odoo(config, run_dir, label, args):
    log_path = Path(run_dir) / f"{label}.log"
    command = [sys.executable, "-m", "odoo", "-c", config, "--stop-after-init"]
    command += ["--http-interface=127.0.0.1", f"--http-port={free_port()}", *args]
    print(f"\n==== Odoo: {label}\n$ {' '.join(command)}", flush=True)
    started = time.monotonic()
    with open(log_path, "w") as log:
        process = subprocess.run(command, stdout=log, stderr=subprocess.STDOUT)
    text = log_path.read_text(errors="replace")
    problems = [
        line
        for line in text.splitlines()
        if LOG_LEVEL.match(line)
        and not any(allowed in line for allowed in ALLOWED_WARNINGS)
    ]
    results = [tuple(map(int, m)) for m in RESULT_LINE.findall(text)]
    print(f"     exit {process.returncode} in {time.monotonic() - started:.0f}s")
    for line in problems[:40]:
        print(f"     {line}")
    if process.returncode or problems:
        print(f"     full log: {log_path} (last lines below)")
        print("\n".join(text.splitlines()[-60:]))
    return process.returncode == 0 and not problems, results


def check_uninstall(config, run_dir, database):
    script = Path(__file__).with_name("check_uninstall.py")
    print("\n==== Odoo: uninstall and look for leftovers", flush=True)
    process = subprocess.run(
        [sys.executable, str(script), config, database],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    print(process.stdout[-4000:])
    return process.returncode == 0


def main(config, run_dir):
    database = f"{MODULE}_test"
    demo_database = f"{MODULE}_demo_test"
    ok_all = True
    totals = []
    steps = [
        (
            "install without demo data, every test of the addon",
            database,
            ["-i", MODULE, "--without-demo=all", "--test-enable"]
            + [f"--test-tags=/{MODULE},-{MODULE}_demo"],
        ),
        ("upgrade", database, ["-u", MODULE]),
    ]
    for label, db, args in steps:
        ok, results = run_odoo(config, run_dir, label.split(",")[0], ["-d", db, *args])
        ok_all &= ok
        totals += results
    ok_all &= check_uninstall(config, run_dir, database)
    # sale_margin here, not above: the margin ranking basis is tested with it
    # in this run and without it in the first one.
    ok, results = run_odoo(
        config,
        run_dir,
        "install with demo data and sale_margin",
        ["-d", demo_database, "-i", f"{MODULE},sale_margin", "--test-enable"]
        + [f"--test-tags={MODULE}_demo,{MODULE}_margin"],
    )
    ok_all &= ok
    totals += results

    failed = sum(f + e for f, e, _ in totals)
    ran = sum(n for _, _, n in totals)
    print(f"\nOdoo suite: {ran} tests ran in {len(totals)} runs")
    if ran == 0:
        print("Odoo suite: no test ran, which counts as a failure")
        ok_all = False
    print(f"{ran - failed} passed, {failed} failed")
    return 0 if ok_all and failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:3]))
