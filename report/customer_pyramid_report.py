from odoo import api, fields, models

from ..lib.pyramid_split import ACTIVE_LEVELS, LEVELS

# Band colours of the printed pyramid, apex first: the darker, the more valuable.
LEVEL_COLOURS = {
    "top": "#1b4f72",
    "big": "#21618c",
    "medium": "#2e86c1",
    "small": "#5dade2",
    "inactive": "#a6acaf",
    "prospect": "#d4ac0d",
    "suspect": "#f4d03f",
    "rest": "#e5e8e8",
}
DARK_LEVELS = ("top", "big", "medium")
# Width of the apex band; the base band is the full width.
APEX_WIDTH = 25


class CustomerPyramidReport(models.TransientModel):
    """The pyramid of a company as its last full recompute at a date left it."""

    _name = "customer.pyramid.report"
    _inherit = "customer.pyramid.report.mixin"
    _description = "Customer pyramid report"

    date = fields.Date(required=True, default=fields.Date.today)
    snapshot_ids = fields.Many2many(
        "customer.pyramid.snapshot", compute="_compute_snapshot_ids"
    )
    run_date = fields.Datetime(
        string="Recomputed on",
        compute="_compute_run_date",
        help="The last full recompute at or before the end of the date.",
    )

    @api.depends("company_id", "date")
    def _compute_snapshot_ids(self):
        snapshots = self.env["customer.pyramid.snapshot"]
        for report in self:
            report.snapshot_ids = snapshots._latest_run_at(
                report.company_id, self._day_end(report.date)
            )

    @api.depends("snapshot_ids")
    def _compute_run_date(self):
        for report in self:
            report.run_date = report.snapshot_ids[:1].run_date

    def action_print(self):
        self.ensure_one()
        return self.env.ref(
            "customer_pyramid.customer_pyramid_report_action_pdf"
        ).report_action(self)

    def action_open_snapshots(self):
        """The same run in the snapshots' pivot, graph and list."""
        self.ensure_one()
        action = self.env["ir.actions.actions"]._for_xml_id(
            "customer_pyramid.customer_pyramid_snapshot_action"
        )
        action["domain"] = [("id", "in", self.snapshot_ids.ids)]
        action["context"] = {}
        return action

    def _text_direction(self):
        """The language's direction, set on the page itself.

        Odoo's report stylesheet forces the body left to right unless the
        server has rtlcss to build its right-to-left variant.
        """
        return (
            self.env["res.lang"]._get_data(code=self.env.lang or "en_US").direction
            or "ltr"
        )

    def _pyramid_bands(self):
        """The printed pyramid: one band per level, apex first, growing wider."""
        self.ensure_one()
        steps = len(LEVELS) - 1
        return [
            {
                "snapshot": snapshot,
                "width": APEX_WIDTH
                + (100 - APEX_WIDTH) * LEVELS.index(snapshot.level) / steps,
                "colour": LEVEL_COLOURS[snapshot.level],
                "text_colour": "#ffffff" if snapshot.level in DARK_LEVELS else "#000",
                "has_cutoff": snapshot.level in ACTIVE_LEVELS
                and bool(snapshot.customer_count),
            }
            for snapshot in self.snapshot_ids
        ]
