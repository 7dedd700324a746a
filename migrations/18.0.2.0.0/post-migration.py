from odoo import SUPERUSER_ID, api
from odoo.tools import SQL
from odoo.tools.sql import column_exists

from odoo.addons.customer_pyramid.models.customer_pyramid_standing import (
    STANDING_FIELDS,
)


def migrate(cr, version):
    """Databases from before 18.0.2.0.0 kept the standing on the partner.

    The pyramid facts, levels and relationship fields were company-dependent
    columns of res_partner (jsonb, keyed by company id); they move to one
    customer_pyramid_standing row per partner and company, and the old columns
    go: Odoo leaves the column of a field that is no longer stored.
    """
    _drop_history_log_access(cr)
    env = api.Environment(cr, SUPERUSER_ID, {})
    standing = env["customer.pyramid.standing"]
    moved = {
        fname: column
        for fname, column in STANDING_FIELDS.items()
        if column_exists(cr, "res_partner", fname)
    }
    if not moved:
        return
    keys = SQL(" || ").join(
        SQL("COALESCE(p.%s, '{}'::jsonb)", SQL.identifier(fname)) for fname in moved
    )
    values = [
        SQL(
            "(p.%s ->> k.key)::%s",
            SQL.identifier(fname),
            SQL(standing._fields[column].column_type[1]),
        )
        for fname, column in moved.items()
    ]
    cr.execute(
        SQL(
            """
            INSERT INTO customer_pyramid_standing (partner_id, company_id, %(columns)s)
            SELECT p.id, k.key::int, %(values)s
              FROM res_partner p
        CROSS JOIN LATERAL jsonb_object_keys(%(keys)s) AS k(key)
             WHERE k.key::int IN (SELECT id FROM res_company)
            ON CONFLICT (partner_id, company_id) DO NOTHING
            """,
            columns=SQL(", ").join(SQL.identifier(column) for column in moved.values()),
            values=SQL(", ").join(values),
            keys=keys,
        )
    )
    for fname in moved:
        cr.execute(SQL("ALTER TABLE res_partner DROP COLUMN %s", SQL.identifier(fname)))


def _drop_history_log_access(cr):
    """History rows no longer keep Odoo's create/write columns (date, user_id)."""
    for table in ("customer_pyramid_history", "customer_lifecycle_history"):
        for column in ("create_uid", "create_date", "write_uid", "write_date"):
            if column_exists(cr, table, column):
                cr.execute(
                    SQL(
                        "ALTER TABLE %s DROP COLUMN %s",
                        SQL.identifier(table),
                        SQL.identifier(column),
                    )
                )
