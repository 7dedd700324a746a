from odoo import SUPERUSER_ID, api
from odoo.tools import SQL


def migrate(cr, version):
    """Databases installed before 18.0.1.1.0.

    They get the relationship defaults' rows, and lose the "is set" indexes
    Odoo created for our company-dependent fields: the fields now say
    index=False, but Odoo keeps an index it no longer expects, and each one
    slowed every partner write of the pyramid engine.
    """
    env = api.Environment(cr, SUPERUSER_ID, {})
    env["customer.relationship.default"]._create_missing_defaults()
    cr.execute(
        SQL(
            """SELECT indexname FROM pg_indexes
                WHERE tablename = 'res_partner' AND indexname ~ %s""",
            "^res_partner__customer_(pyramid_[a-z_]+|relationship_type"
            "|relationship_goal|satisfaction|lifecycle_stage_date)_index$",
        )
    )
    for (index_name,) in cr.fetchall():
        cr.execute(SQL("DROP INDEX IF EXISTS %s", SQL.identifier(index_name)))
