from odoo.tools import SQL

from .models.customer_pyramid_standing import VENDOR_INDEX
from .models.res_partner import ACCOUNT_STATISTICS


def post_init_hook(env):
    """Give a database that already has years of orders its pyramid and stages.

    Runs the same set-based recompute as the scheduled action, for every company,
    so that users see levels right after installing.
    """
    env["customer.lifecycle.engine"].initialize(env["res.company"].search([]))
    env["customer.pyramid.engine"].recompute_companies(env["res.company"].search([]))


def uninstall_hook(env):
    """Delete the activities of the addon's activity types, and drop its
    index and statistics on res_partner and its triggers and index on the
    documents.

    The activities point at the types with a foreign key that forbids
    deleting them, so the types, and their XML ids, would otherwise stay
    behind; Odoo drops the tables and columns of a module, not its indexes,
    statistics and triggers on other modules' tables.
    """
    types = addon_activity_types(env)
    env["mail.activity"].with_context(
        active_test=False, customer_pyramid_skip_events=True
    ).search([("activity_type_id", "in", types.ids)]).unlink()
    env.cr.execute(SQL("DROP INDEX IF EXISTS %s", SQL.identifier(VENDOR_INDEX)))
    for name in ACCOUNT_STATISTICS:
        env.cr.execute(SQL("DROP STATISTICS IF EXISTS %s", SQL.identifier(name)))
    env["customer.pyramid.change"]._uninstall_database_objects()


def addon_activity_types(env):
    """The activity types the addon ships, whatever their XML ids."""
    return env["mail.activity.type"].browse(
        env["ir.model.data"]
        .search(
            [("module", "=", "customer_pyramid"), ("model", "=", "mail.activity.type")]
        )
        .mapped("res_id")
    )
