from odoo.tools import SQL


def migrate(cr, version):
    """Drop the "is set" indexes Odoo created for our company-dependent fields.

    The fields now say index=False, but Odoo keeps an index it no longer
    expects; each one slowed every partner write of the pyramid engine.
    """
    cr.execute(
        SQL(
            """SELECT indexname FROM pg_indexes
                WHERE tablename = 'res_partner' AND indexname ~ %s""",
            "^res_partner__customer_(pyramid|relationship|satisfaction"
            "|lifecycle_stage_date)_.*_?index$",
        )
    )
    for (index_name,) in cr.fetchall():
        cr.execute(SQL("DROP INDEX IF EXISTS %s", SQL.identifier(index_name)))
