"""Runs the addon's Odoo test suite on fresh databases and judges the logs.

Steps: install without demo data running every test of the addon, upgrade,
check that the translation template is a fresh export, install from the
addon's wheel in a virtual environment of its own on a database of its own,
uninstall (checking that no column or table of the addon is left), then install
with demo data, sale_margin and base_automation running the tests that check
the demo story, the margin ranking basis and the automated actions, and
uninstall that used database; then Odoo's own sale and crm tests with and
without the addon (``check_host_suites``). Any failing test,
any ERROR or CRITICAL line, and any WARNING not listed in ALLOWED_WARNINGS fails
the run. Prints ``N passed, N failed`` for the Odoo suite.
"""

import configparser
import hashlib
import json
import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import odoo

MODULE = "customer_pyramid"
ROOT = Path(__file__).resolve().parents[1]
# The bridge modules of bridges/, each installed with the app it bridges to.
POS_BRIDGE = "customer_pyramid_pos"
RESULT_LINE = re.compile(
    r"(\d+) failed, (\d+) error\(s\) of (\d+) tests when loading database"
)
# A test that failed, raised, or whose class could not set up.
TEST_FAILURE = re.compile(
    r"(odoo\.addons\.[\w.]+): (?:ERROR|FAIL): (?:Subtest )?"
    r"(setUpClass \([\w.]+\)|\w+\.test_\w+)"
)
# Odoo's own suites the addon must not break, and what their tests load.
HOST_SUITES = ("sale", "crm")
HOST_DEPENDENCIES = ("sale", "crm", "sale_management", "sales_team", "account", "mail")
LOG_LEVEL = re.compile(r"^\S+ \S+ \d+ (WARNING|ERROR|CRITICAL) ")
# Warnings Odoo 18 itself prints on a bare test machine, unrelated to the addon.
ALLOWED_WARNINGS = (
    "You need Wkhtmltopdf",
    "wkhtmltopdf",
    "Running as user 'root'",
    # babel's message extraction imports it, on any setuptools before 81
    "pkg_resources is deprecated",
)
# Lines of a translation template that change with each export.
EXPORT_DATES = re.compile(r'^"(POT-Creation-Date|PO-Revision-Date): .*$', re.MULTILINE)


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def run_odoo(config, run_dir, label, args, python=sys.executable):
    log_path = Path(run_dir) / f"{label}.log"
    command = [python, "-m", "odoo", "-c", config, "--stop-after-init"]
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
    problems = [
        line
        for line in process.stdout.splitlines()
        if LOG_LEVEL.match(line)
        and not any(allowed in line for allowed in ALLOWED_WARNINGS)
    ]
    for line in problems:
        print(f"     {line}")
    return process.returncode == 0 and not problems


def check_template(config, run_dir, database, module=MODULE, addon_dir=ROOT):
    """The committed i18n/<module>.pot of ``module`` (the addon's, or a
    bridge's in ``addon_dir``) is what Odoo exports now."""
    fresh = Path(run_dir) / f"{module}.pot"
    ok, _results = run_odoo(
        config,
        run_dir,
        f"export the translation template of {module}",
        ["-d", database, f"--i18n-export={fresh}", f"--modules={module}"],
    )
    committed = addon_dir / "i18n" / f"{module}.pot"
    if not ok or not fresh.exists():
        return False
    same = EXPORT_DATES.sub("", fresh.read_text()) == EXPORT_DATES.sub(
        "", committed.read_text()
    )
    if not same:
        where = committed.parent.relative_to(ROOT)
        print(f"     {where}/{module}.pot differs from a fresh export ({fresh}):")
        print(f"     copy it over, then translate the new entries in {where}/ar.po")
    return same


def check_wheel(config, run_dir, wheel):
    """The wheel installs as OCA's odoo-addon-* wheels do: into a fresh
    virtual environment beside Odoo, from which Odoo installs the addon on a
    fresh database, its addons path holding only Odoo's own addons."""
    print(f"\n==== Odoo: install the addon from its wheel {Path(wheel).name}")
    venv = Path(run_dir) / "wheel-venv"
    python = str(venv / "bin" / "python")
    subprocess.run(
        [sys.executable, "-m", "venv", "--system-site-packages", str(venv)], check=True
    )
    # The wheel's odoo/addons folder makes odoo a namespace in the venv, which
    # hides an Odoo installed in editable mode (found by setuptools' import
    # hook, asked last): the folder above Odoo's package goes on the path, as
    # an Odoo installed from its own wheel or tree is found.
    site_packages = subprocess.run(
        [python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    Path(site_packages, "odoo-source.pth").write_text(
        os.path.dirname(os.path.dirname(odoo.__file__)) + "\n"
    )
    # no index: the wheel's one dependency, odoo 18.0, is the Odoo beside it
    subprocess.run(
        [python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
        + ["--no-index", str(wheel)],
        check=True,
    )
    parser = configparser.ConfigParser()
    parser.read(config)
    # Odoo's addons only: not the folder that links this checkout
    parser["options"]["addons_path"] = ",".join(
        folder
        for folder in parser["options"]["addons_path"].split(",")
        if not (Path(folder) / MODULE).exists()
    )
    wheel_config = Path(run_dir) / "wheel.conf"
    with open(wheel_config, "w") as config_file:
        parser.write(config_file)
    database = f"{MODULE}_wheel"
    ok, _results = run_odoo(
        str(wheel_config),
        run_dir,
        "install from the wheel",
        ["-d", database, "-i", MODULE, "--without-demo=all"],
        python=python,
    )
    where = subprocess.run(
        [python, "-c", WHEEL_CHECK, str(wheel_config), database],
        capture_output=True,
        text=True,
    )
    print(f"     {where.stdout.strip() or where.stderr.strip()[-2000:]}")
    installed_from_wheel = where.returncode == 0 and where.stdout.startswith(str(venv))
    if not installed_from_wheel:
        print(f"     {MODULE} was not installed from the wheel's copy in {venv}")
    return ok and installed_from_wheel


# Run by the wheel's virtual environment: where Odoo found the addon, and
# whether the database has it installed.
WHEEL_CHECK = f"""
import sys
import odoo
from odoo.modules.module import get_module_path
from odoo.tools import SQL
odoo.tools.config.parse_config(["-c", sys.argv[1]])
with odoo.sql_db.db_connect(sys.argv[2]).cursor() as cr:
    cr.execute(SQL("SELECT state FROM ir_module_module WHERE name = %s", "{MODULE}"))
    state = cr.fetchone()[0]
print(get_module_path("{MODULE}"), state)
sys.exit(state != "installed")
"""


def check_installed(config, database, module):
    """``module`` is installed on ``database``: a bridge module installs
    itself with the app it bridges to."""
    process = subprocess.run(
        [sys.executable, "-c", STATE_CHECK, config, database, module],
        capture_output=True,
        text=True,
    )
    state = process.stdout.strip() or process.stderr.strip()[-2000:]
    print(f"     {module}: {state}")
    return process.returncode == 0 and state == "installed"


STATE_CHECK = """
import sys
import odoo
from odoo.tools import SQL
odoo.tools.config.parse_config(["-c", sys.argv[1]])
with odoo.sql_db.db_connect(sys.argv[2]).cursor() as cr:
    cr.execute(SQL("SELECT state FROM ir_module_module WHERE name = %s", sys.argv[3]))
    row = cr.fetchone()
print(row[0] if row else "not found")
"""


def host_failures(config, run_dir, label, database, modules):
    """Odoo's own tests of HOST_SUITES on a database with ``modules``: the set
    of tests that failed or could not set up, and the number that ran.

    Installed first, then updated with the tests, so that the tests that run
    while a host module loads meet the addon's columns without its models,
    as they do on a database where the addon is installed.
    """
    install = ["-d", database, "-i", ",".join(modules), "--without-demo=all"]
    run_odoo(config, run_dir, f"{label}: install", install)
    tags = ",".join(f"/{module}" for module in HOST_SUITES)
    log_path = Path(run_dir) / f"{label}.log"
    command = [sys.executable, "-m", "odoo", "-c", config, "--stop-after-init"]
    command += ["--http-interface=127.0.0.1", f"--http-port={free_port()}"]
    command += ["-d", database, "-u", ",".join(HOST_SUITES), "--test-enable"]
    command += [f"--test-tags={tags}"]
    print(f"\n==== Odoo: {label}\n$ {' '.join(command)}", flush=True)
    started = time.monotonic()
    with open(log_path, "w") as log:
        subprocess.run(command, stdout=log, stderr=subprocess.STDOUT)
    text = log_path.read_text(errors="replace")
    failed = sorted({f"{where}: {test}" for where, test in TEST_FAILURE.findall(text)})
    ran = sum(int(n) for _f, _e, n in RESULT_LINE.findall(text))
    print(
        f"     {ran} tests, {len(failed)} failed, in {time.monotonic() - started:.0f}s"
    )
    return {"ran": ran, "failed": failed}


def host_cache_key():
    """What the run without the addon depends on: Odoo's source and the
    installed packages."""
    digest = hashlib.sha256()
    root = Path(odoo.__file__).resolve().parent.parent
    for folder in [Path(odoo.__file__).resolve().parent, *host_source_dirs(root)]:
        for path in sorted(folder.rglob("*.py")):
            stat = path.stat()
            digest.update(f"{path}:{stat.st_size}:{stat.st_mtime_ns}".encode())
    freeze = subprocess.run(
        [sys.executable, "-m", "pip", "freeze"], capture_output=True, text=True
    ).stdout
    digest.update(freeze.encode())
    return digest.hexdigest()[:20]


def host_source_dirs(root):
    addons = root / "addons"
    return [addons / name for name in HOST_DEPENDENCIES if (addons / name).is_dir()]


def check_host_suites(config, run_dir):
    """Odoo's sale and crm tests break no more with the addon than without.

    The run without the addon is cached by Odoo's source and packages.
    """
    cache_dir = Path(
        os.environ.get("CUSTOMER_PYRAMID_CACHE", Path.home() / ".cache" / MODULE)
    )
    cache = cache_dir / f"host-suites-{host_cache_key()}.json"
    if cache.exists():
        without = json.loads(cache.read_text())
        print(f"\n==== Odoo: sale and crm without the addon: cached in {cache}")
        print(f"     {without['ran']} tests, {len(without['failed'])} failed")
    else:
        without = host_failures(
            config,
            run_dir,
            "sale and crm tests without the addon",
            f"{MODULE}_host_without",
            ["sale_management", "crm"],
        )
        if without["ran"]:
            cache_dir.mkdir(parents=True, exist_ok=True)
            cache.write_text(json.dumps(without))
    with_addon = host_failures(
        config,
        run_dir,
        "sale and crm tests with the addon",
        f"{MODULE}_host_with",
        ["sale_management", "crm", MODULE],
    )
    broken = sorted(set(with_addon["failed"]) - set(without["failed"]))
    for test in without["failed"]:
        print(f"     fails without the addon too: {test}")
    for test in broken:
        print(f"     BROKEN BY THE ADDON: {test}")
    ok = bool(with_addon["ran"]) and not broken
    print(
        f"sale and crm: {with_addon['ran']} tests with the addon, "
        f"{without['ran']} without; {len(broken)} broken by the addon"
    )
    return ok, with_addon["ran"], len(broken)


def main(config, run_dir, wheel):
    database = f"{MODULE}_test"
    demo_database = f"{MODULE}_demo_test"
    ok_all = True
    totals = []
    steps = [
        (
            "install without demo data, every test of the addon",
            database,
            ["-i", MODULE, "--without-demo=all", "--test-enable"]
            + [f"--test-tags=/{MODULE},-{MODULE}_demo,-{MODULE}_automation"],
        ),
        ("upgrade", database, ["-u", MODULE]),
    ]
    for label, db, args in steps:
        ok, results = run_odoo(config, run_dir, label.split(",")[0], ["-d", db, *args])
        ok_all &= ok
        totals += results
    ok_all &= check_template(config, run_dir, database)
    ok_all &= check_wheel(config, run_dir, wheel)
    ok_all &= check_uninstall(config, run_dir, database)
    # sale_margin, base_automation and point_of_sale here, not above: the
    # margin ranking basis and the revenue sources are tested with them in
    # this run and without them in the first one, the automated actions need
    # base_automation, and point_of_sale installs the Point of Sale bridge.
    ok, results = run_odoo(
        config,
        run_dir,
        "install with demo data, sale_margin, base_automation, point_of_sale",
        ["-d", demo_database, "-i"]
        + [f"{MODULE},sale_margin,base_automation,point_of_sale", "--test-enable"]
        + [
            f"--test-tags={MODULE}_demo,{MODULE}_margin,{MODULE}_automation"
            f",{POS_BRIDGE}"
        ],
    )
    ok_all &= ok
    totals += results
    ok_all &= check_installed(config, demo_database, POS_BRIDGE)
    ok_all &= check_template(
        config, run_dir, demo_database, POS_BRIDGE, ROOT / "bridges" / POS_BRIDGE
    )
    # a used database: demo data, history, activities of the addon's types
    ok_all &= check_uninstall(config, run_dir, demo_database)

    host_ok, host_ran, host_broken = check_host_suites(config, run_dir)
    ok_all &= host_ok
    totals.append((host_broken, 0, host_ran))

    failed = sum(f + e for f, e, _ in totals)
    ran = sum(n for _, _, n in totals)
    print(f"\nOdoo suite: {ran} tests ran in {len(totals)} runs")
    if ran == 0:
        print("Odoo suite: no test ran, which counts as a failure")
        ok_all = False
    print(f"{ran - failed} passed, {failed} failed")
    return 0 if ok_all and failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:4]))
