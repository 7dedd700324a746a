"""Uses a database, uninstalls the addon and fails if any of its data is left.

Usage: python check_uninstall.py ODOO_CONFIG DATABASE (run by odoo_suite.py).
"""

import sys

import odoo
from odoo.tools import SQL

PREFIXES = ("customer_pyramid", "customer_lifecycle", "customer_relationship")


def use_the_database(env):
    """What a database in use holds: an activity of each of the addon's
    types on a customer. Returns the types' ids."""
    # the addon is loaded: the same lookup as its uninstall hook
    from odoo.addons.customer_pyramid.hooks import addon_activity_types

    types = addon_activity_types(env)
    customer = env["res.partner"].create({"name": "Used database customer"})
    for activity_type in types:
        customer.activity_schedule(activity_type_id=activity_type.id)
    return types.ids


def main(config, database):
    odoo.tools.config.parse_config(
        ["-c", config, "-d", database, "--no-http", "--log-level=warn"]
    )
    registry = odoo.modules.registry.Registry.new(database)
    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        used_types = use_the_database(env)
    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        env["ir.module.module"].search(
            [("name", "=", PREFIXES[0])]
        ).button_immediate_uninstall()
    registry = odoo.modules.registry.Registry.new(database)
    with registry.cursor() as cr:
        patterns = [prefix + "%" for prefix in PREFIXES]
        cr.execute(
            SQL(
                "SELECT table_name || '.' || column_name"
                " FROM information_schema.columns"
                " WHERE table_schema = 'public' AND (column_name LIKE ANY(%s)"
                " OR table_name LIKE ANY(%s))",
                patterns,
                patterns,
            )
        )
        leftovers = [row[0] for row in cr.fetchall()]
        cr.execute(
            SQL("SELECT count(*) FROM ir_model_data WHERE module = %s", PREFIXES[0])
        )
        leftover_xmlids = cr.fetchone()[0]
        cr.execute(
            SQL("SELECT id FROM mail_activity_type WHERE id = ANY(%s)", used_types)
        )
        leftovers += [f"mail_activity_type {row[0]}" for row in cr.fetchall()]
        cr.execute(
            SQL(
                "SELECT indexname FROM pg_indexes WHERE indexname LIKE ANY(%s)",
                [f"%{prefix}%" for prefix in PREFIXES],
            )
        )
        leftovers += [f"index {row[0]}" for row in cr.fetchall()]
        cr.execute(
            SQL(
                "SELECT stxname FROM pg_statistic_ext WHERE stxname LIKE ANY(%s)",
                [f"%{prefix}%" for prefix in PREFIXES],
            )
        )
        leftovers += [f"statistics {row[0]}" for row in cr.fetchall()]
        cr.execute(
            SQL(
                "SELECT trigger_name || ' on ' || event_object_table"
                " FROM information_schema.triggers WHERE trigger_name LIKE ANY(%s)"
                " UNION SELECT 'function ' || proname FROM pg_proc"
                " WHERE proname LIKE ANY(%s)",
                patterns,
                patterns,
            )
        )
        leftovers += [f"trigger {row[0]}" for row in cr.fetchall()]
    if leftovers or leftover_xmlids:
        print(
            f"left after uninstall: columns/tables {leftovers},"
            f" xml ids {leftover_xmlids}"
        )
        return 1
    print(
        "uninstall left no column, table, index, statistics, trigger or xml id"
        " of the addon"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:3]))
