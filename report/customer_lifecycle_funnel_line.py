from odoo import fields, models


class CustomerLifecycleFunnelLine(models.TransientModel):
    """One stage of the lifecycle funnel."""

    _name = "customer.lifecycle.funnel.line"
    _description = "Customer lifecycle funnel stage"
    _order = "sequence, id"
    _rec_name = "stage_id"

    funnel_id = fields.Many2one(
        "customer.lifecycle.funnel",
        required=True,
        ondelete="cascade",
        index=True,
        readonly=True,
    )
    company_id = fields.Many2one("res.company", required=True, readonly=True)
    stage_id = fields.Many2one("customer.lifecycle.stage", required=True, readonly=True)
    sequence = fields.Integer(readonly=True)
    next_stage_id = fields.Many2one(
        "customer.lifecycle.stage", string="Next stage", readonly=True
    )
    partner_count = fields.Integer(
        string="Partners in the stage",
        readonly=True,
        help="Partners in this stage at the end of the date.",
    )
    reached_count = fields.Integer(
        string="Reached the stage",
        readonly=True,
        help="Partners who entered this stage or a later one by the date.",
    )
    conversion_rate = fields.Float(
        string="Went on to the next stage (%)",
        readonly=True,
        digits=(16, 1),
        aggregator="avg",
        help="Of the partners who reached this stage, the share who reached "
        "the next one.",
    )
    stay_count = fields.Integer(
        string="Stays",
        readonly=True,
        help="Times a partner entered this stage, up to the date.",
    )
    median_days = fields.Float(
        string="Median days in stage",
        readonly=True,
        digits=(16, 1),
        aggregator="avg",
        help="Half the stays were shorter, half longer. A stay ends when the "
        "partner leaves the stage; a stay still running counts until the date.",
    )
