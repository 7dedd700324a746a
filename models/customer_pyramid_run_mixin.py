from odoo import _, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

from ..lib.pyramid_split import LEVEL_SELECTION


class CustomerPyramidRunMixin(models.AbstractModel):
    """Rows a full recompute stores per company and level, known by the
    run's date to the second, with its latest run found in SQL."""

    _name = "customer.pyramid.run.mixin"
    _inherit = "customer.pyramid.level.order.mixin"
    _description = "Rows of a full recompute of the customer pyramid"
    _order = "run_date desc, company_id, id"
    _rec_name = "level"
    _customer_pyramid_level_fields = ("level",)

    company_id = fields.Many2one(
        "res.company", required=True, index=True, ondelete="cascade", readonly=True
    )
    run_date = fields.Datetime(required=True, index=True, readonly=True)
    level = fields.Selection(LEVEL_SELECTION, required=True, readonly=True)
    is_latest_run = fields.Boolean(
        string="Latest run",
        compute="_compute_is_latest_run",
        search="_search_is_latest_run",
        help="The rows of each company's most recent full recompute.",
    )

    def _compute_is_latest_run(self):
        latest = self.search([("id", "in", self.ids), ("is_latest_run", "=", True)])
        for row in self:
            row.is_latest_run = row in latest

    def _search_is_latest_run(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise UserError(_("Search the latest run with 'is set' or 'is not set'."))
        self.flush_model(["company_id", "run_date"])
        latest_rows = SQL(
            """(SELECT s.id FROM %(table)s s
                 WHERE s.run_date = (SELECT max(run_date) FROM %(table)s
                                      WHERE company_id = s.company_id))""",
            table=SQL.identifier(self._table),
        )
        return [("id", "in" if (operator == "=") == value else "not in", latest_rows)]
