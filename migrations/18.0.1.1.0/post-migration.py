from odoo import SUPERUSER_ID, api


def migrate(cr, version):
    """Databases installed before the relationship defaults get their rows."""
    env = api.Environment(cr, SUPERUSER_ID, {})
    env["customer.relationship.default"]._create_missing_defaults()
