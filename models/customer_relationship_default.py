from odoo import api, fields, models

from ..lib.pyramid_split import LEVEL_SELECTION, LEVELS
from .customer_pyramid_standing import (
    RELATIONSHIP_GOAL_SELECTION,
    RELATIONSHIP_TYPE_SELECTION,
)

# What a sales manager starts from: personal care where the revenue is,
# automation for the long tail, acquisition before the first order.
DEFAULT_RELATIONSHIPS = {
    "top": ("dedicated", "retain"),
    "big": ("personal", "retain"),
    "medium": ("personal", "grow"),
    "small": ("automated", "grow"),
    "inactive": ("personal", "retain"),
    "prospect": ("personal", "acquire"),
    "suspect": ("automated", "acquire"),
    "rest": (False, False),
}


class CustomerRelationshipDefault(models.Model):
    """The relationship type and goal that a partner takes with its level."""

    _name = "customer.relationship.default"
    _description = "Default relationship of a pyramid level"
    _order = "company_id, sequence, id"
    _rec_name = "level"
    _check_company_auto = True

    company_id = fields.Many2one(
        "res.company",
        required=True,
        index=True,
        ondelete="cascade",
        default=lambda self: self.env.company,
    )
    level = fields.Selection(LEVEL_SELECTION, required=True)
    sequence = fields.Integer(compute="_compute_sequence", store=True)
    relationship_type = fields.Selection(
        RELATIONSHIP_TYPE_SELECTION,
        help="Empty: partners reaching this level keep their relationship type.",
    )
    relationship_goal = fields.Selection(
        RELATIONSHIP_GOAL_SELECTION,
        help="Empty: partners reaching this level keep their relationship goal.",
    )

    _sql_constraints = [
        (
            "company_level_unique",
            "unique(company_id, level)",
            "Each pyramid level has one default relationship per company.",
        ),
    ]

    @api.depends("level")
    def _compute_sequence(self):
        for default in self:
            default.sequence = (
                LEVELS.index(default.level) if default.level else len(LEVELS)
            )

    @api.model_create_multi
    def create(self, vals_list):
        self.env["customer.pyramid.level"]._check_level_codes(
            self._name, "level", [vals.get("level") for vals in vals_list]
        )
        return super().create(vals_list)

    def write(self, vals):
        self.env["customer.pyramid.level"]._check_level_codes(
            self._name, "level", [vals.get("level")]
        )
        return super().write(vals)

    @api.model
    def _create_missing_defaults(self, companies=None):
        """The starting rows for each company and level that has none."""
        companies = companies or self.env["res.company"].search([])
        existing = {
            (default.company_id, default.level)
            for default in self.search([("company_id", "in", companies.ids)])
        }
        self.create(
            [
                {
                    "company_id": company.id,
                    "level": level,
                    "relationship_type": relationship_type,
                    "relationship_goal": relationship_goal,
                }
                for company in companies
                for level, (
                    relationship_type,
                    relationship_goal,
                ) in DEFAULT_RELATIONSHIPS.items()
                if (company, level) not in existing
            ]
        )
