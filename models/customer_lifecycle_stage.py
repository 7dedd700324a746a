from odoo import fields, models

LIFECYCLE_RULE_SELECTION = [
    ("awareness", "A lead or a customer is created"),
    ("consideration", "An opportunity or a quotation exists"),
    ("conversion", "The first order is confirmed"),
    ("loyalty", "Repeat orders within the loyalty period"),
    ("advocacy", "A referral converted, or marked a promoter"),
]


class CustomerLifecycleStage(models.Model):
    _name = "customer.lifecycle.stage"
    _description = "Customer lifecycle stage"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    fold = fields.Boolean(string="Folded in the board")
    description = fields.Text(translate=True)
    rule = fields.Selection(
        LIFECYCLE_RULE_SELECTION,
        string="Entered automatically when",
        help="The event that moves a partner forward into this stage. "
        "Automatic moves only go forward; users may move cards back by hand.",
    )
    active = fields.Boolean(default=True)

    _sql_constraints = [
        (
            "rule_unique",
            "UNIQUE(rule)",
            "Each automatic rule can enter one stage only.",
        )
    ]
