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
    for field in env["res.partner"]._fields.values():
        if (
            field._module == "customer_pyramid"
            and field.company_dependent
            and (not field.index)
        ):
            index = f"res_partner__{field.name}_index"
            cr.execute(SQL("DROP INDEX IF EXISTS %s", SQL.identifier(index)))
