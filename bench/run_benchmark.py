"""The pyramid recompute at scale, against the floor and the naive baseline.

Run with an interpreter that imports Odoo 18, on a database where the addon is
installed (bench/benchmark.sh does both):

    python3 bench/run_benchmark.py -c ODOO_CONF -d DATABASE \
        --partners 10000 --orders 50000

It loads synthetic data directly in PostgreSQL (set-based INSERT ... SELECT from
generate_series, cloned from one real partner and one real confirmed order):
partners split between two companies, confirmed orders over three years with a
long-tailed (Pareto) revenue per partner and four currencies. Then it times, on
the same data:

- recompute: the scheduled action, triggered as the cron runner does: a first
  run that places every partner, then DAILY_REPEATS daily runs with nothing
  changed (each must write no row),
- daily run without the look-ahead: the same daily run with the engine's
  ``_look_ahead`` patched out (no outlook, no activities before a drop, no
  win-back), to show what the look-ahead adds to it,
- full outlook refresh: every active customer's outlook computed again (as a
  day whose cut-offs moved, or the weekly refresh, does), rolled back,
- floor: a bare SELECT partner, sum(amount) ... GROUP BY over the same orders,
  after each daily run; these are compared by their medians,
- confirm overhead: action_confirm with and without the addon's hooks, 1,000 in
  one transaction (a batch) and 200 each in its own transaction (a user's click),
- then, after one more (untimed) run ranks the confirmed partners again:
  naive app: the same job as a typical Odoo app does it, an ORM loop over each
  company's partners (bench/naive_app.py), checked to find the addon's answer;
  sums-only loop: the baseline of earlier tables, one _read_group per partner
  and nothing else (both loops: every partner up to --baseline-max partners,
  beyond that many per company, extrapolated linearly),

and prints one table row (markdown) with the peak memory of this process
while the addon works (loading, its runs, the confirmations) and while the naive
app does.
"""

import argparse
import gc
import json
import statistics
import threading
import time
from contextlib import contextmanager, nullcontext
from datetime import datetime, timezone
from unittest.mock import patch

import naive_app
import psycopg2
from dateutil.relativedelta import relativedelta

import odoo
from odoo import Command, api
from odoo.tools import SQL

BASELINE_MAX = 100_000
# One loaded partner in PROSPECT_SHARE never bought (the last ones).
PROSPECT_SHARE = 10
# Who has what beside orders: (modulo, remainder of the partner's id, among
# the buyers or the partners who never bought).
RELATIONS = {
    "prospect_lead": (4, 0, "prospects"),  # an open opportunity: a prospect
    "quotation": (4, 1, "prospects"),  # a quotation: a prospect
    "customer_lead": (50, 13, "buyers"),  # 2 % of customers
    "feedback": (20, 3, "buyers"),  # 5 %
    "complaint": (200, 11, "buyers"),  # 0.5 %, open
    "consent": (10, 5, "buyers"),  # 10 % gave their consent to profiling
    "refusal": (1000, 17, "buyers"),  # 0.1 % refused it: not ranked
    "pin": (1000, 29, "buyers"),  # 0.1 % pinned to Big for 60 days
}
CONFIRM_SAMPLE = 1_000
REQUEST_SAMPLE = 200
# The daily run and the floor are each timed this many times, one after the
# other, and compared by their medians: on a shared machine a single timing
# of the same statement varies by a third from one hour to the next.
DAILY_REPEATS = 3
CURRENCIES = ("USD", "EUR", "GBP", "CHF")
# The addon's default active window, which the fair floor sums.
WINDOW_MONTHS = 12


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-c", "--config")
    parser.add_argument("-d", "--database")
    parser.add_argument("--partners", type=int, default=0)
    parser.add_argument("--orders", type=int, default=0)
    parser.add_argument("--header", action="store_true", help="print the table head")
    parser.add_argument("--baseline-max", type=int, default=BASELINE_MAX)
    parser.add_argument(
        "--source",
        choices=("sale_order", "invoice"),
        default="sale_order",
        help="the revenue source the companies rank by",
    )
    parser.add_argument(
        "--install-results",
        help="bench/install_benchmark.py's JSON for this size, added to the row",
    )
    args = parser.parse_args()
    if args.header:
        return args
    if not (args.config and args.database and args.partners and args.orders):
        parser.error("-c, -d, --partners and --orders are needed, or --header")
    # with and without the hooks, in a batch and one per request, every
    # confirmation needs a partner of its own
    needed = 2 * (CONFIRM_SAMPLE + REQUEST_SAMPLE)
    if args.partners < needed:
        parser.error(f"--partners must be at least {needed:,} for the confirmations")
    return args


def peak_mb(pid="self"):
    """The peak resident memory of process ``pid`` (this one by default,
    since the last reset_peak())."""
    with open(f"/proc/{pid}/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    raise RuntimeError("no VmHWM in /proc/self/status: the benchmark needs Linux")


def reset_peak():
    """Start a new peak (Linux: 5 in clear_refs resets VmHWM to the current RSS)."""
    gc.collect()
    with open("/proc/self/clear_refs", "w", encoding="ascii") as clear_refs:
        clear_refs.write("5")


@contextmanager
def timed(results, key):
    started = time.perf_counter()
    yield
    results[key] = time.perf_counter() - started


def columns(cr, table):
    cr.execute(
        SQL(
            "SELECT column_name FROM information_schema.columns"
            " WHERE table_schema = current_schema() AND table_name = %s"
            " AND column_name <> 'id'",
            table,
        )
    )
    return [name for (name,) in cr.fetchall()]


def clone(cr, table, template_id, count, overrides):
    """INSERT count copies of a template row, with SQL expressions of `n`."""
    names = columns(cr, table) + (["id"] if "id" in overrides else [])
    values = [overrides.get(name, SQL("t.%s", SQL.identifier(name))) for name in names]
    cr.execute(
        SQL(
            "INSERT INTO %s (%s) SELECT %s FROM %s t, generate_series(1, %s) n"
            " WHERE t.id = %s",
            SQL.identifier(table),
            SQL(", ").join(SQL.identifier(name) for name in names),
            SQL(", ").join(values),
            SQL.identifier(table),
            count,
            template_id,
        )
    )


def load_data(env, partner_count, order_count):
    """Two companies, partner_count partners, order_count confirmed orders."""
    cr = env.cr
    main = env.ref("base.main_company")
    second = env["res.company"].create({"name": "Bench Second Company"})
    currencies = [env.ref(f"base.{code}") for code in CURRENCIES]
    for currency in currencies:
        currency.active = True
    product = env["product.product"].create(
        {"name": "Bench service", "type": "service", "list_price": 1.0}
    )
    template_partner = env["res.partner"].create({"name": "Bench template"})
    template = env["sale.order"].create(
        {
            "partner_id": template_partner.id,
            "order_line": [Command.create({"product_id": product.id, "price_unit": 1})],
        }
    )
    template.action_confirm()
    templates = relation_templates(env, template, main)
    env.flush_all()
    cr.execute(SQL("SELECT setseed(0.42)"))
    # Foreign-key triggers off while loading rows that are consistent by
    # construction: each check is planned against the tiny template tables and
    # scans res_partner whole, which made loading 100k partners quadratic.
    cr.execute(SQL("SET LOCAL session_replication_role = replica"))
    first_partner = load_partners(cr, template_partner, partner_count, second)
    load_orders(cr, template, first_partner, partner_count, order_count, currencies)
    load_relations(cr, templates, first_partner, partner_count, main)
    cr.execute(SQL("SET LOCAL session_replication_role = origin"))
    cr.execute(SQL("ANALYZE res_partner; ANALYZE sale_order"))
    env.invalidate_all()
    return product, [main, second]


def load_partners(cr, template_partner, partner_count, second):
    """partner_count companies cloned from the template; every fifth belongs
    to the second company. Returns the first one's id."""
    cr.execute(SQL("SELECT COALESCE(max(id), 0) FROM res_partner"))
    first_partner = cr.fetchone()[0] + 1
    clone(
        cr,
        "res_partner",
        template_partner.id,
        partner_count,
        {
            "name": SQL("'Bench partner ' || n"),
            "complete_name": SQL("'Bench partner ' || n"),
            "is_company": SQL("TRUE"),
            # ids given here, so that no second pass over these wide rows
            # (and all their indexes) is needed to set the commercial partner
            "id": SQL("%s + n - 1", first_partner),
            "commercial_partner_id": SQL("%s + n - 1", first_partner),
            "company_id": SQL("CASE WHEN mod(n, 5) = 0 THEN %s END", second.id),
            # new partners: none of the template's levels, facts or stage
            **{
                name: SQL("NULL")
                for name in columns(cr, "res_partner")
                if name.startswith(("customer_pyramid_", "customer_lifecycle_"))
            },
            # no parent: each is its own group
            "customer_pyramid_group_id": SQL("%s + n - 1", first_partner),
        },
    )
    cr.execute(
        SQL("SELECT setval('res_partner_id_seq', (SELECT max(id) FROM res_partner))")
    )
    return first_partner


def buyer_count(partner_count):
    """How many of the loaded partners bought: the first ones; the rest, one
    in PROSPECT_SHARE, never did (prospects and suspects)."""
    return partner_count - partner_count // PROSPECT_SHARE


def load_orders(cr, template, first_partner, partner_count, order_count, currencies):
    """order_count confirmed orders of the template, spread over the buyers
    from first_partner, in each partner's company, over three years."""
    # Pareto revenue per partner: a few partners buy a lot, most a little.
    cr.execute(
        SQL(
            """
            CREATE TEMPORARY TABLE bench_weight AS
            SELECT id AS partner_id, company_id,
                   200 / power(1 - random() * 0.999, 1 / 1.16) AS weight
              FROM res_partner WHERE id >= %s
            """,
            first_partner,
        )
    )
    cr.execute(SQL("CREATE INDEX ON bench_weight (partner_id)"))
    order_overrides = {
        "name": SQL("'BENCH/' || n"),
        "partner_id": SQL("p.partner_id"),
        "partner_invoice_id": SQL("p.partner_id"),
        "partner_shipping_id": SQL("p.partner_id"),
        "company_id": SQL("COALESCE(p.company_id, t.company_id)"),
        "date_order": SQL("now() - random() * interval '3 years'"),
        "currency_id": SQL(
            "(%s::int[])[1 + mod(n, %s)]", [c.id for c in currencies], len(currencies)
        ),
        "currency_rate": SQL("(ARRAY[1.0, 0.92, 0.79, 0.88])[1 + mod(n, 4)]"),
        "amount_untaxed": SQL("round((p.weight * (0.5 + random()))::numeric, 2)"),
        "amount_total": SQL("round((p.weight * 1.2 * (0.5 + random()))::numeric, 2)"),
        "access_token": SQL("NULL"),
    }
    names = columns(cr, "sale_order")
    values = [
        order_overrides.get(name, SQL("t.%s", SQL.identifier(name))) for name in names
    ]
    cr.execute(
        SQL(
            """
            INSERT INTO sale_order (%s)
            SELECT %s FROM sale_order t, generate_series(1, %s) n
              JOIN bench_weight p
                ON p.partner_id = %s + mod(n::bigint * 7919, %s)
             WHERE t.id = %s
            """,
            SQL(", ").join(SQL.identifier(name) for name in names),
            SQL(", ").join(values),
            order_count,
            first_partner,
            buyer_count(partner_count),
            template.id,
        )
    )


def relation_templates(env, template, main):
    """The real records the relations are cloned from (see load_relations),
    made through the ORM on the template's partner, before any row is
    loaded: {table: record}. Only the models the database has: without the
    addon (bench/install_benchmark.py), leads and quotations."""
    partner = template.partner_id
    values = {
        "crm.lead": {
            "name": "Bench lead",
            "type": "opportunity",
            "partner_id": partner.id,
        },
        "customer.feedback": {
            "partner_id": partner.id,
            "company_id": main.id,
            "score": "4",
        },
        "customer.consent": {
            "partner_id": partner.id,
            "company_id": main.id,
            "purpose": "profiling",
            "state": "given",
            "source": "Bench sign-up form",
        },
    }
    templates = {
        env[model]._table: env[model].create(vals)
        for model, vals in values.items()
        if model in env
    }
    complaint_type = env.ref(
        "customer_pyramid.mail_activity_type_complaint", raise_if_not_found=False
    )
    if complaint_type:
        templates["mail_activity"] = env["mail.activity"].create(
            {
                "res_model_id": env["ir.model"]._get_id("res.partner"),
                "res_id": partner.id,
                "activity_type_id": complaint_type.id,
                "summary": "Bench complaint",
            }
        )
    templates["sale_order"] = template
    return templates


def load_relations(cr, templates, first_partner, partner_count, main):
    """What a customer base holds beside its orders, cloned from
    ``templates`` on partners chosen by their id (see RELATIONS): leads and
    quotations of prospects, open opportunities of customers, feedback, open
    complaints, consents and pins, each in the partner's company (the main
    one for shared partners); of these, what the database has a table or a
    column for."""
    buyers = buyer_count(partner_count)

    def chosen(kind):
        modulo, remainder, among = RELATIONS[kind]
        low, high = (0, buyers) if among == "buyers" else (buyers, partner_count)
        return SQL(
            "p.id BETWEEN %s AND %s AND mod(p.id, %s) = %s",
            first_partner + low,
            first_partner + high - 1,
            modulo,
            remainder,
        )

    company = SQL("COALESCE(p.company_id, %s)", main.id)
    for kind, table, overrides in (
        ("prospect_lead", "crm_lead", {"company_id": SQL("p.company_id")}),
        ("customer_lead", "crm_lead", {"company_id": SQL("p.company_id")}),
        (
            "quotation",
            "sale_order",
            {
                "name": SQL("'BENCH/QUOTE/' || p.id"),
                "state": SQL("'draft'"),
                "partner_invoice_id": SQL("p.id"),
                "partner_shipping_id": SQL("p.id"),
                "company_id": company,
                "date_order": SQL("now() - random() * interval '30 days'"),
                "access_token": SQL("NULL"),
            },
        ),
        (
            "feedback",
            "customer_feedback",
            {
                "company_id": company,
                "score": SQL("(1 + mod(p.id, 5))::text"),
                "date": SQL("current_date - mod(p.id, 300)"),
            },
        ),
        ("consent", "customer_consent", {"company_id": company}),
        (
            "refusal",
            "customer_consent",
            {"company_id": company, "state": SQL("'refused'")},
        ),
        ("complaint", "mail_activity", {}),
    ):
        if table in templates:
            clone_for_partners(cr, table, templates[table].id, chosen(kind), overrides)
    if "customer_pyramid_pinned_level" not in columns(cr, "res_partner"):
        return
    cr.execute(
        SQL(
            """
            UPDATE res_partner p
               SET customer_pyramid_pinned_level =
                       jsonb_build_object(%(company)s::text, 'big'),
                   customer_pyramid_pin_until = jsonb_build_object(
                       %(company)s::text, (current_date + 60)::text),
                   customer_pyramid_pin_reason =
                       jsonb_build_object(%(company)s::text, 'Bench pin')
             WHERE %(chosen)s
            """,
            company=company,
            chosen=chosen("pin"),
        )
    )


def clone_for_partners(cr, table, template_id, chosen, overrides):
    """INSERT a copy of a template row for each partner ``p`` that ``chosen``
    selects, its partner (``res_id`` for an activity) set to ``p``."""
    names = columns(cr, table)
    partner_column = "res_id" if table == "mail_activity" else "partner_id"
    overrides = {partner_column: SQL("p.id"), **overrides}
    cr.execute(
        SQL(
            "INSERT INTO %s (%s) SELECT %s FROM %s t, res_partner p"
            " WHERE t.id = %s AND %s",
            SQL.identifier(table),
            SQL(", ").join(SQL.identifier(name) for name in names),
            SQL(", ").join(
                overrides.get(name, SQL("t.%s", SQL.identifier(name))) for name in names
            ),
            SQL.identifier(table),
            template_id,
            chosen,
        )
    )


def set_durability(database, durable):
    """Turn fsync, full_page_writes and synchronous_commit on (``durable``)
    or off for the whole cluster: off only to load, on for every timing."""
    _name, info = odoo.sql_db.connection_info_for(database)
    connection = psycopg2.connect(**info)
    connection.autocommit = True
    value = "on" if durable else "off"
    try:
        with connection.cursor() as cursor:
            for setting in ("fsync", "full_page_writes", "synchronous_commit"):
                cursor.execute(f"ALTER SYSTEM SET {setting} = {value}")
            cursor.execute("SELECT pg_reload_conf()")
            # the loaded pages reach the disk now, not during a timing
            cursor.execute("CHECKPOINT")
    finally:
        connection.close()


class BackendMemory:
    """The peak private memory (RssAnon: shared buffers are not counted) of
    the PostgreSQL backends and parallel workers serving ``database``, summed
    over the processes alive at each sample, every SAMPLE_SECONDS, while the
    ``with`` block runs; and the temporary files they wrote meanwhile."""

    SAMPLE_SECONDS = 0.05

    def __init__(self, database):
        self.database = database
        self.peak_mb = 0.0
        self.temp_mb = 0.0
        self._stop = threading.Event()

    def __enter__(self):
        _name, info = odoo.sql_db.connection_info_for(self.database)
        self._connection = psycopg2.connect(**info)
        self._connection.autocommit = True
        self._temp_before = self._temp_bytes()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()
        time.sleep(1)  # let the statistics collector count the last files
        self.temp_mb = (self._temp_bytes() - self._temp_before) / 2**20
        self._connection.close()

    def _temp_bytes(self):
        with self._connection.cursor() as cursor:
            cursor.execute("SELECT pg_stat_clear_snapshot()")
            cursor.execute(
                "SELECT temp_bytes FROM pg_stat_database WHERE datname = %s",
                [self.database],
            )
            return cursor.fetchone()[0]

    def _sample(self):
        with self._connection.cursor() as cursor:
            while not self._stop.wait(self.SAMPLE_SECONDS):
                cursor.execute(
                    "SELECT pid FROM pg_stat_activity"
                    " WHERE datname = %s AND pid <> pg_backend_pid()",
                    [self.database],
                )
                total_kb = sum(rss_anon_kb(pid) for (pid,) in cursor.fetchall())
                self.peak_mb = max(self.peak_mb, total_kb / 1024)


def rss_anon_kb(pid):
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("RssAnon:"):
                    return int(line.split()[1])
    except OSError:
        pass  # the process ended between the listing and the reading
    return 0


def fair_floor_query(env):
    """The least the ranking needs: the sum of the window's confirmed orders
    per customer in company currency, kept in the server, with the planner
    settings of the addon's run (no JIT)."""
    env.cr.execute(SQL("SET LOCAL jit = off"))
    env.cr.execute(
        SQL(
            """
            SELECT count(*), sum(revenue) FROM (
                SELECT so.company_id, p.commercial_partner_id,
                       sum(so.amount_untaxed / NULLIF(so.currency_rate, 0)) AS revenue
                  FROM sale_order so JOIN res_partner p ON p.id = so.partner_id
                 WHERE so.state = 'sale' AND so.date_order >= %s
              GROUP BY so.company_id, p.commercial_partner_id) sums
            """,
            odoo.fields.Date.today() - relativedelta(months=WINDOW_MONTHS),
        )
    )
    return env.cr.fetchone()[0]


def load_invoices(env, companies):
    """A posted invoice for each confirmed order, in the order's company, on
    its day, for its amounts in the company's currency; and a credit note of
    30 % for one order in CREDIT_NOTE_MODULO. Cloned from a real posted
    invoice of each company (which gets a chart of accounts if it has none)."""
    cr = env.cr
    product = env["product.product"].search([("name", "=", "Bench service")])
    partner = env["res.partner"].search([("name", "=", "Bench template")])
    for company in companies:
        if not company.chart_template:
            env["account.chart.template"].try_loading(
                "generic_coa", company=company, install_demo=False
            )
        template = (
            env["account.move"]
            .with_company(company)
            .create(
                {
                    "move_type": "out_invoice",
                    "partner_id": partner.id,
                    "invoice_date": odoo.fields.Date.today(),
                    "invoice_line_ids": [
                        Command.create({"product_id": product.id, "price_unit": 1})
                    ],
                }
            )
        )
        template.action_post()
        env.flush_all()
        names = [
            name
            for name in columns(cr, "account_move")
            if name not in ("id", "inalterable_hash", "secure_sequence_number")
        ]
        for move_type, prefix, share, condition in (
            ("out_invoice", "BINV/", 1, SQL("TRUE")),
            (
                "out_refund",
                "BREF/",
                -0.3,
                SQL("mod(so.id, %s) = 0", CREDIT_NOTE_MODULO),
            ),
        ):
            signed = {
                "amount_untaxed_signed": SQL(
                    "round(%s * so.amount_untaxed / so.currency_rate, 2)", share
                ),
                "amount_total_signed": SQL(
                    "round(%s * so.amount_total / so.currency_rate, 2)", share
                ),
            }
            overrides = {
                "name": SQL("%s || so.id", prefix),
                "move_type": SQL("%s", move_type),
                "state": SQL("'posted'"),
                "partner_id": SQL("so.partner_id"),
                "commercial_partner_id": SQL("so.partner_id"),
                "company_id": SQL("so.company_id"),
                "currency_id": SQL("so.currency_id"),
                "date": SQL("so.date_order::date"),
                "invoice_date": SQL("so.date_order::date"),
                "invoice_date_due": SQL("so.date_order::date"),
                "amount_untaxed": SQL("round(abs(%s) * so.amount_untaxed, 2)", share),
                "amount_total": SQL("round(abs(%s) * so.amount_total, 2)", share),
                "amount_residual": SQL("0"),
                "amount_residual_signed": SQL("0"),
                "amount_untaxed_in_currency_signed": signed["amount_untaxed_signed"],
                "amount_total_in_currency_signed": signed["amount_total_signed"],
                **signed,
                "payment_state": SQL("'paid'"),
                "access_token": SQL("NULL"),
                "invoice_origin": SQL("so.name"),
            }
            cr.execute(
                SQL(
                    """
                    INSERT INTO account_move (%s)
                    SELECT %s FROM sale_order so, account_move t
                     WHERE t.id = %s AND so.company_id = %s AND so.state = 'sale'
                       AND so.name LIKE %s AND %s
                    """,
                    SQL(", ").join(SQL.identifier(name) for name in names),
                    SQL(", ").join(
                        overrides.get(name, SQL("t.%s", SQL.identifier(name)))
                        for name in names
                    ),
                    template.id,
                    company.id,
                    "BENCH/%",
                    condition,
                )
            )
    cr.execute(SQL("ANALYZE account_move"))
    cr.execute(
        SQL(
            "SELECT count(*) FROM account_move WHERE name LIKE %s OR name LIKE %s",
            "BINV/%",
            "BREF/%",
        )
    )
    return cr.fetchone()[0]


def fair_invoice_floor_query(env):
    """The fair floor of the invoice source: the window's posted invoices
    minus credit notes per customer in company currency, kept in the server,
    without JIT."""
    env.cr.execute(SQL("SET LOCAL jit = off"))
    env.cr.execute(
        SQL(
            """
            SELECT count(*), sum(revenue) FROM (
                SELECT am.company_id, p.commercial_partner_id,
                       sum(am.amount_untaxed_signed) AS revenue
                  FROM account_move am JOIN res_partner p ON p.id = am.partner_id
                 WHERE am.state = 'posted'
                   AND am.move_type IN ('out_invoice', 'out_refund')
                   AND am.invoice_date >= %s
              GROUP BY am.company_id, p.commercial_partner_id) sums
            """,
            odoo.fields.Date.today() - relativedelta(months=WINDOW_MONTHS),
        )
    )
    return env.cr.fetchone()[0]


def floor_query(env):
    env.cr.execute(
        SQL(
            "SELECT p.commercial_partner_id, sum(so.amount_untaxed / so.currency_rate)"
            " FROM sale_order so JOIN res_partner p ON p.id = so.partner_id"
            " WHERE so.state = 'sale' GROUP BY so.company_id, p.commercial_partner_id"
        )
    )
    return len(env.cr.fetchall())


def sums_only_loop(env, limit):
    """The baseline of earlier tables: loop over partners, one aggregate each."""
    partners = env["res.partner"].search(
        [("name", "like", "Bench partner")], limit=limit
    )
    revenue = {}
    for partner in partners:
        groups = env["sale.order"]._read_group(
            [("partner_id", "=", partner.id), ("state", "=", "sale")],
            [],
            ["amount_untaxed:sum"],
        )
        revenue[partner.id] = groups[0][0]
    return len(partners)


def run_cron_job(registry, lastcall):
    """Run the scheduled action as ir.cron's _run_job does; returns its calls.

    Every call of the job gets the job's ``lastcall`` (None for a job that
    never ran), each in its own transaction, until every company has been
    recomputed in this run. The next run's ``lastcall`` is when this one
    ended, as ir.cron records it.
    """
    with registry.cursor() as cr:
        # last_run is stored to the second
        cr.execute(SQL("SELECT date_trunc('second', now() AT TIME ZONE 'UTC')"))
        started = cr.fetchone()[0]
    calls = 0
    while True:
        with registry.cursor() as cr:
            context = {"lastcall": lastcall} if lastcall else {}
            env = api.Environment(cr, odoo.SUPERUSER_ID, context)
            pending = env["res.company"].search_count(
                [
                    "|",
                    ("customer_pyramid_last_run", "=", False),
                    ("customer_pyramid_last_run", "<", started),
                ]
            )
            if not pending:
                return calls
            env["customer.pyramid.engine"]._cron_recompute()
            calls += 1


# Where a run writes what it computed: the partners, their standing rows and
# the level history. (A run also writes its snapshot rows and stamps the
# company, by design; those are not rows of partners.)
WRITTEN_TABLES = (
    "res_partner",
    "customer_pyramid_standing",
    "customer_pyramid_history",
)


def rows_written(cr):
    cr.execute(
        SQL(
            "SELECT sum(n_tup_ins + n_tup_upd + n_tup_del) FROM pg_stat_user_tables"
            " WHERE relname IN %s",
            WRITTEN_TABLES,
        )
    )
    return cr.fetchone()[0]


@contextmanager
def hooks(env, enabled):
    """The addon's order hooks as they are, or patched out."""
    if enabled:
        yield
        return
    events = type(env["customer.pyramid.event"])
    with (
        patch.object(events, "queue", lambda *args, **kwargs: None),
        patch.object(events, "queue_confirmed_orders", lambda *args, **kwargs: None),
    ):
        yield


def quotations(registry, product_id, count, offset):
    """``count`` committed quotations of the last shared partners loaded (who
    never bought come last), from ``offset``."""
    with registry.cursor() as cr:
        env = api.Environment(cr, odoo.SUPERUSER_ID, {})
        partners = env["res.partner"].search(
            [("name", "like", "Bench partner"), ("company_id", "=", False)],
            order="id desc",
            limit=count,
            offset=offset,
        )
        orders = env["sale.order"].create(
            [
                {
                    "partner_id": partner.id,
                    "order_line": [
                        Command.create({"product_id": product_id, "price_unit": 5})
                    ],
                }
                for partner in partners
            ]
        )
        return orders.ids


def confirm_overhead(registry, product_id, with_hooks, per_request, offset):
    """Seconds per action_confirm of fresh quotations.

    per_request: REQUEST_SAMPLE confirmations, each in its own committed
    transaction, as a user's click is; else CONFIRM_SAMPLE confirmations in
    one transaction, as a batch or an import is.
    """
    count = REQUEST_SAMPLE if per_request else CONFIRM_SAMPLE
    order_ids = quotations(registry, product_id, count, offset)
    started = time.perf_counter()
    if per_request:
        for order_id in order_ids:
            with registry.cursor() as cr:
                env = api.Environment(cr, odoo.SUPERUSER_ID, {})
                with hooks(env, with_hooks):
                    env["sale.order"].browse(order_id).action_confirm()
                    env.flush_all()
    else:
        with registry.cursor() as cr:
            env = api.Environment(cr, odoo.SUPERUSER_ID, {})
            with hooks(env, with_hooks):
                for order in env["sale.order"].browse(order_ids):
                    order.action_confirm()
                env.flush_all()
    return (time.perf_counter() - started) / len(order_ids)


def timed_daily_run(registry, lastcall, results, look_ahead):
    """One daily run (with the look-ahead, or with it patched out): its
    seconds; the rows it wrote are added to results["daily_rows"], and the
    backends' memory and temporary files of a run with the look-ahead to
    results["memory"]["daily"]."""
    time.sleep(1)  # let the statistics collector catch up
    with registry.cursor() as cr:
        before = rows_written(cr)
    engine = registry["customer.pyramid.engine"]
    with (
        nullcontext()
        if look_ahead
        else patch.object(engine, "_look_ahead", lambda *args, **kwargs: None)
    ):
        with BackendMemory(registry.db_name) as memory:
            started = time.perf_counter()
            run_cron_job(registry, lastcall)
            seconds = time.perf_counter() - started
    if look_ahead:
        keep_largest(results, "daily", memory)
    time.sleep(1)
    with registry.cursor() as cr:
        # every daily run, not the last one alone: each must write nothing
        results["daily_rows"] = results.get("daily_rows", 0) + int(
            rows_written(cr) - before
        )
    return seconds


def check_against_rebuild(registry, results):
    """Compare every partner's standing, as the run just left it, with a full
    rebuild's (every order summed again, rolled back): the rows that differ
    in any fact are added to results["rebuild_disagree"], those compared to
    results["rebuild_compared"]."""
    from odoo.addons.customer_pyramid.models.customer_pyramid_standing import (
        FACT_COLUMNS,
    )

    facts = SQL(", ").join(SQL.identifier(c) for c in FACT_COLUMNS.values())
    with registry.cursor() as cr:
        env = api.Environment(cr, odoo.SUPERUSER_ID, {})
        cr.execute(
            SQL(
                "CREATE TEMPORARY TABLE bench_kept AS"
                " SELECT partner_id, company_id, %s FROM customer_pyramid_standing",
                facts,
            )
        )
        env["customer.pyramid.engine"].recompute_companies(
            env["res.company"].search([]), cause="manual_recompute"
        )
        env.flush_all()
        cr.execute(
            SQL(
                """
                SELECT (SELECT count(*) FROM bench_kept), (SELECT count(*) FROM (
                    (SELECT partner_id, company_id, %(facts)s FROM bench_kept
                     EXCEPT SELECT partner_id, company_id, %(facts)s
                              FROM customer_pyramid_standing)
                    UNION ALL
                    (SELECT partner_id, company_id, %(facts)s
                       FROM customer_pyramid_standing
                     EXCEPT SELECT partner_id, company_id, %(facts)s FROM bench_kept)
                ) differing)
                """,
                facts=facts,
            )
        )
        compared, differing = cr.fetchone()
        cr.rollback()
    results["rebuild_compared"] = results.get("rebuild_compared", 0) + compared
    results["rebuild_disagree"] = results.get("rebuild_disagree", 0) + differing


def full_outlook_refresh(registry):
    """Seconds to compute every company's outlook again against its last
    cut-offs, as a day whose cut-offs moved does; rolled back."""
    with registry.cursor() as cr:
        env = api.Environment(cr, odoo.SUPERUSER_ID, {})
        companies = env["res.company"].search([])
        started = time.perf_counter()
        for company in companies:
            env["customer.pyramid.outlook"]._refresh(
                company, env["customer.pyramid.ranking"]._latest_run(company)[0]
            )
        seconds = time.perf_counter() - started
        cr.rollback()
    return seconds


def keep_largest(results, phase, memory):
    peak, temp = results.setdefault("memory", {}).get(phase, (0.0, 0.0))
    results["memory"][phase] = (max(peak, memory.peak_mb), max(temp, memory.temp_mb))


# A normal day: 1 % of the customers order, 0.2 % have an order edited or
# cancelled (one in two each), written in SQL as an import would.
NEW_ORDER_MODULO = 100
CHANGED_ORDER_MODULO = 500
# One confirmed order in this many gets a credit note (invoice source).
CREDIT_NOTE_MODULO = 20


def normal_day_changes(cr):
    """Write a normal day's orders in SQL; returns (new, edited, cancelled)."""
    cr.execute(SQL("SELECT min(id) FROM sale_order WHERE name LIKE %s", "BENCH/%"))
    template_id = cr.fetchone()[0]
    names = columns(cr, "sale_order")
    overrides = {
        "name": SQL("'BENCH/DAY/' || p.id"),
        "partner_id": SQL("p.id"),
        "partner_invoice_id": SQL("p.id"),
        "partner_shipping_id": SQL("p.id"),
        "company_id": SQL("COALESCE(p.company_id, t.company_id)"),
        "date_order": SQL("now() AT TIME ZONE 'UTC'"),
        "amount_untaxed": SQL(
            "round((200 / power(1 - random() * 0.999, 1 / 1.16))::numeric, 2)"
        ),
        "amount_total": SQL(
            "round((240 / power(1 - random() * 0.999, 1 / 1.16))::numeric, 2)"
        ),
        "access_token": SQL("NULL"),
    }
    cr.execute(
        SQL(
            """
            INSERT INTO sale_order (%s)
            SELECT %s FROM sale_order t, res_partner p
             WHERE t.id = %s AND p.name LIKE %s AND mod(p.id, %s) = 7
            """,
            SQL(", ").join(SQL.identifier(name) for name in names),
            SQL(", ").join(
                overrides.get(name, SQL("t.%s", SQL.identifier(name))) for name in names
            ),
            template_id,
            "Bench partner %",
            NEW_ORDER_MODULO,
        )
    )
    new = cr.rowcount
    cr.execute(
        SQL(
            "UPDATE sale_order SET amount_untaxed = amount_untaxed * 3,"
            " amount_total = amount_total * 3 WHERE id IN (%s)",
            changed_orders(3),
        )
    )
    edited = cr.rowcount
    cr.execute(
        SQL(
            "UPDATE sale_order SET state = 'cancel' WHERE id IN (%s)",
            changed_orders(4),
        )
    )
    cancelled = cr.rowcount
    cr.execute(SQL("ANALYZE sale_order"))
    return new, edited, cancelled


def changed_orders(remainder):
    """SQL: one order in the window of each customer whose id leaves
    ``remainder`` modulo CHANGED_ORDER_MODULO (two remainders: 0.2 %)."""
    return SQL(
        """
        SELECT DISTINCT ON (partner_id) id FROM sale_order
         WHERE state = 'sale' AND name LIKE %s
           AND date_order >= (now() AT TIME ZONE 'UTC') - interval '11 months'
           AND mod(partner_id, %s) = %s
      ORDER BY partner_id, id
        """,
        "BENCH/%",
        CHANGED_ORDER_MODULO,
        remainder,
    )


def traces(cr):
    """Level-history rows, chatter messages on partners and activities."""
    cr.execute(
        SQL(
            """
            SELECT (SELECT count(*) FROM customer_pyramid_history),
                   (SELECT count(*) FROM mail_message WHERE model = 'res.partner'),
                   (SELECT count(*) FROM mail_activity)
            """
        )
    )
    return cr.fetchone()


def time_normal_day(registry, lastcall, results):
    """A normal day's changes, then the daily run, timed; returns its end."""
    with registry.cursor() as cr:
        results["day_changes"] = normal_day_changes(cr)
        before = traces(cr)
    with BackendMemory(registry.db_name) as memory:
        started = time.perf_counter()
        run_cron_job(registry, lastcall)
        results["normal_day"] = time.perf_counter() - started
    keep_largest(results, "day", memory)
    with registry.cursor() as cr:
        results["day_traces"] = [
            after - earlier for after, earlier in zip(traces(cr), before, strict=True)
        ]
    ended = datetime.now(timezone.utc).replace(tzinfo=None)
    check_against_rebuild(registry, results)
    return ended


def time_daily_runs(registry, lastcall, results):
    """The daily run, the daily run without the look-ahead, the full outlook
    refresh and the floor, DAILY_REPEATS times each, alternating; their
    medians go to results. Returns the last run's time."""
    times = {"daily": [], "bare": [], "outlook": [], "fair": [], "floor": []}
    for _repeat in range(DAILY_REPEATS):
        for key, look_ahead in (("daily", True), ("bare", False)):
            times[key].append(timed_daily_run(registry, lastcall, results, look_ahead))
            lastcall = datetime.now(timezone.utc).replace(tzinfo=None)
            if look_ahead:
                check_against_rebuild(registry, results)
        times["outlook"].append(full_outlook_refresh(registry))
        with registry.cursor() as cr:
            env = api.Environment(cr, odoo.SUPERUSER_ID, {})
            started = time.perf_counter()
            fair_floor_query(env)
            times["fair"].append(time.perf_counter() - started)
            cr.rollback()
        with registry.cursor() as cr:
            env = api.Environment(cr, odoo.SUPERUSER_ID, {})
            started = time.perf_counter()
            floor_query(env)
            times["floor"].append(time.perf_counter() - started)
    for key, values in times.items():
        results[key] = statistics.median(values)
    results["spread"] = times
    return lastcall


def install_cells(path):
    """The installation and the lone confirmations of this size
    (bench/install_benchmark.py), as HEADER's columns after *naive app peak*."""
    if not path:
        return ["not run"] * len(INSTALL_HEADER)
    with open(path, encoding="utf-8") as results_file:
        install = json.load(results_file)
    (without_p50, without_p95), (with_p50, with_p95) = (
        install["lone_without"],
        install["lone_with"],
    )
    return [
        f"{install['install']:.1f}",
        f"{install['odoo_mb']:.0f} / {install['backends_mb']:.0f} / "
        f"{install['temp_mb']:.0f}",
        f"{install['standing_rows']:,} / {install['staged']:,}",
        f"{without_p50:.0f} / {without_p95:.0f}",
        f"{with_p50:.0f} / {with_p95:.0f}",
        f"{with_p50 - without_p50:+.0f} / {with_p95 - without_p95:+.0f}",
    ]


def print_row(args, results, extrapolated, addon_peak, naive_peak):
    """The benchmark's table row for docs/benchmarks.md (HEADER's columns)."""
    overhead_ms = (results["batch", True] - results["batch", False]) * 1000
    request_ms = (results["request", True] - results["request", False]) * 1000
    first, daily, fair = results["recompute"], results["daily"], results["fair"]
    day, floor, bare = results["normal_day"], results["floor"], results["bare"]
    naive, loop = results["naive"], results["loop"]
    estimate = " (extrapolated)" if extrapolated else ""
    checked = "revenue" if extrapolated else "levels"
    agree = results["naive_compared"] - results["naive_disagree"]
    spread = {
        key: f"{min(times):.2f}-{max(times):.2f}"
        for key, times in results["spread"].items()
    }
    new, edited, cancelled = results["day_changes"]
    history, chatter, activities = results["day_traces"]
    memory = results["memory"]
    phases = ("first", "daily", "day")
    backends = " / ".join(f"{memory[phase][0]:.0f}" for phase in phases)
    temp = " / ".join(f"{memory[phase][1]:.0f}" for phase in phases)
    cells = [
        f"{args.partners:,} / {args.orders:,}",
        f"{first:.2f}",
        f"{daily:.2f} ({spread['daily']})",
        f"{bare:.2f} ({spread['bare']})",
        f"{(daily / bare - 1) * 100:+.0f} %",
        f"{results['outlook']:.2f} ({spread['outlook']})",
        f"{day:.2f}",
        f"{new:,} / {edited:,} / {cancelled:,}; {history:,} / {chatter:,} / "
        f"{activities:,}",
        f"{fair:.2f} ({spread['fair']})",
        f"{first / fair:.1f}",
        f"{daily / fair:.1f}",
        f"{day / fair:.1f}",
        f"{floor:.2f} ({spread['floor']})",
        f"{daily / floor:.1f}",
        f"{naive:.1f}{estimate}",
        f"{naive / first:.0f}",
        f"{naive / daily:.0f}",
        f"{checked}: {agree:,} of {results['naive_compared']:,}",
        f"{loop:.1f}{estimate}",
        f"{loop / daily:.0f}",
        f"{results['daily_rows']}",
        f"{results['rebuild_compared'] - results['rebuild_disagree']:,} of "
        f"{results['rebuild_compared']:,}",
        f"{overhead_ms:.1f}",
        f"{request_ms:.1f}",
        f"{addon_peak:.0f}",
        backends,
        temp,
        f"{naive_peak:.0f}",
        *install_cells(args.install_results),
    ]
    print("| " + " | ".join(cells) + " |")


HEADER = (
    "partners / orders",
    "1st run s",
    "daily run s, median of 3 (range)",
    "daily run without the look-ahead s (range)",
    "look-ahead's share",
    "full outlook refresh s (range)",
    "normal day s",
    "normal day: new / edited / cancelled orders; history / chatter / activities",
    "fair floor s (range)",
    "1st/fair floor",
    "daily/fair floor",
    "day/fair floor",
    "old floor s (range)",
    "daily/old floor",
    "naive app s",
    "naive/1st",
    "naive/daily",
    "naive app agrees on",
    "sums-only loop s",
    "loop/daily",
    "daily runs' rows",
    "daily and normal day runs agree with a full rebuild on (standing rows)",
    "confirm ms, batch",
    "confirm ms, per request",
    "Odoo peak MB",
    "backends' peak MB, 1st / daily / day",
    "temp files MB, 1st / daily / day",
    "naive app peak MB",
)
INSTALL_HEADER = (
    "install s",
    "install: Odoo / backends' peak MB / temp files MB",
    "install: standing rows / stages set",
    "lone confirmation over JSON-RPC without the addon ms, p50 / p95",
    "lone confirmation with the addon ms, p50 / p95",
    "the addon adds ms, p50 / p95",
)


INVOICE_HEADER = (
    "partners / orders / invoices and credit notes",
    "1st run s",
    "daily run s, median of 3 (range)",
    "fair floor over account_move s (range)",
    "1st/fair floor",
    "daily/fair floor",
    "daily runs' rows",
    "Odoo peak MB",
    "backends' peak MB, 1st / daily",
    "temp files MB, 1st / daily",
)


def invoice_benchmark(args, registry):
    """The invoice source: both companies rank by posted invoices minus
    credit notes; the first run, the daily run and their fair floor."""
    results = {}
    set_durability(args.database, False)  # loading only
    with registry.cursor() as cr:
        env = api.Environment(cr, odoo.SUPERUSER_ID, {})
        _product, companies = load_data(env, args.partners, args.orders)
        invoices = load_invoices(env, companies)
        for company in companies:
            company.customer_pyramid_revenue_source = "invoice"
        cr.commit()
    set_durability(args.database, True)
    with BackendMemory(args.database) as memory, timed(results, "recompute"):
        run_cron_job(registry, None)
    keep_largest(results, "first", memory)
    lastcall = datetime.now(timezone.utc).replace(tzinfo=None)
    times = {"daily": [], "fair": []}
    for _repeat in range(DAILY_REPEATS):
        times["daily"].append(timed_daily_run(registry, lastcall, results, True))
        lastcall = datetime.now(timezone.utc).replace(tzinfo=None)
        with registry.cursor() as cr:
            env = api.Environment(cr, odoo.SUPERUSER_ID, {})
            started = time.perf_counter()
            fair_invoice_floor_query(env)
            times["fair"].append(time.perf_counter() - started)
            cr.rollback()
    first = results["recompute"]
    daily, fair = (statistics.median(times[key]) for key in ("daily", "fair"))
    spread = {key: f"{min(v):.2f}-{max(v):.2f}" for key, v in times.items()}
    memory = results["memory"]
    phases = ("first", "daily")
    cells = [
        f"{args.partners:,} / {args.orders:,} / {invoices:,}",
        f"{first:.2f}",
        f"{daily:.2f} ({spread['daily']})",
        f"{fair:.2f} ({spread['fair']})",
        f"{first / fair:.1f}",
        f"{daily / fair:.1f}",
        f"{results['daily_rows']}",
        f"{peak_mb():.0f}",
        " / ".join(f"{memory[phase][0]:.0f}" for phase in phases),
        " / ".join(f"{memory[phase][1]:.0f}" for phase in phases),
    ]
    print("| " + " | ".join(cells) + " |")


def main():
    args = parse_args()
    if args.header:
        header = INVOICE_HEADER if args.source == "invoice" else HEADER + INSTALL_HEADER
        print("| " + " | ".join(header) + " |")
        print("|" + " --- |" * len(header))
        return
    odoo.tools.config.parse_config(
        ["-c", args.config, "-d", args.database, "--log-level=warn"]
    )
    registry = odoo.modules.registry.Registry(args.database)
    if args.source == "invoice":
        invoice_benchmark(args, registry)
        return
    results = {}
    set_durability(args.database, False)  # loading only
    with registry.cursor() as cr:
        env = api.Environment(cr, odoo.SUPERUSER_ID, {})
        with timed(results, "load"):
            product, _companies = load_data(env, args.partners, args.orders)
        cr.commit()
    set_durability(args.database, True)
    lastcall = None
    with BackendMemory(args.database) as memory, timed(results, "recompute"):
        run_cron_job(registry, lastcall)
    keep_largest(results, "first", memory)
    lastcall = datetime.now(timezone.utc).replace(tzinfo=None)
    lastcall = time_daily_runs(registry, lastcall, results)
    lastcall = time_normal_day(registry, lastcall, results)
    # disjoint partners for each measurement, those who never bought first
    offset = 0
    for per_request in (False, True):
        for with_hooks in (False, True):
            key = ("request" if per_request else "batch", with_hooks)
            results[key] = confirm_overhead(
                registry, product.id, with_hooks, per_request, offset
            )
            offset += REQUEST_SAMPLE if per_request else CONFIRM_SAMPLE
    # The confirmations placed their partners against the last cut-offs; one
    # more run ranks everyone again, the answer the naive app must find.
    run_cron_job(registry, lastcall)
    addon_peak = peak_mb()
    # the loops' ORM cache stays in this process: measured apart, and last
    reset_peak()
    # beyond --baseline-max partners, both loops time a sample and extrapolate
    extrapolated = args.partners > args.baseline_max
    with registry.cursor() as cr:
        env = api.Environment(cr, odoo.SUPERUSER_ID, {})
        (
            results["naive"],
            results["naive_compared"],
            results["naive_disagree"],
        ) = naive_app.run(env, args.baseline_max if extrapolated else None)
        cr.rollback()
        env.invalidate_all()
        measured = min(args.partners, args.baseline_max)
        with timed(results, "loop_measured"):
            sums_only_loop(env, measured)
        results["loop"] = results["loop_measured"] * args.partners / measured
        cr.rollback()
    naive_peak = peak_mb()
    print_row(args, results, extrapolated, addon_peak, naive_peak)


if __name__ == "__main__":
    main()
