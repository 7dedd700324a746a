from dateutil.relativedelta import relativedelta

from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

from .customer_pyramid_standing import PYRAMID_USER
from .customer_pyramid_standing_mixin import _search_standing

OUTLOOK_SELECTION = [
    ("lapsed", "Lapsed"),
    ("at_risk", "At risk"),
    ("dropping", "Dropping soon"),
    ("safe", "Safe"),
]


def outlook_case(lapsed_since, risk_date, drop_date, today, horizon):
    """SQL: the outlook of a standing row's dates, on ``today``, dropping
    soon up to ``horizon``: the partners' field and the weekly list alike."""
    return SQL(
        "CASE WHEN %(lapsed)s IS NOT NULL THEN 'lapsed'"
        " WHEN %(risk)s <= %(today)s THEN 'at_risk'"
        " WHEN %(drop)s <= %(horizon)s THEN 'dropping'"
        " WHEN %(risk)s IS NOT NULL THEN 'safe' END",
        lapsed=lapsed_since,
        risk=risk_date,
        drop=drop_date,
        today=today,
        horizon=horizon,
    )


class CustomerPyramidOutlookMixin(models.AbstractModel):
    """Where a partner is going, for ``res.partner``: the outlook columns of
    its standing row (written by customer.pyramid.outlook) and what they
    mean today.

    ``customer_pyramid_outlook`` depends on the day: it is not stored, and
    ``_field_to_sql`` gives it as an expression on the standing row, so that
    the boards group, count and sum by it like a stored field.
    """

    _name = "customer.pyramid.outlook.mixin"
    _description = "Customer pyramid outlook of a partner"

    customer_pyramid_drop_date = fields.Date(
        string="Keeps its level until",
        help="If the customer bought nothing more, its orders would leave the "
        "active window one by one: on this day it would fall below its level's "
        "current cut-off.",
        compute="_compute_customer_pyramid_standing",
        search=_search_standing("customer_pyramid_drop_date"),
        groups=PYRAMID_USER,
    )
    customer_pyramid_keep_amount = fields.Float(
        string="Needed to keep the level",
        help="What the customer must order before that day to keep its level "
        "(a small customer keeps it with any order).",
        compute="_compute_customer_pyramid_standing",
        search=_search_standing("customer_pyramid_keep_amount"),
        groups=PYRAMID_USER,
    )
    customer_pyramid_next_gap = fields.Float(
        string="To the next level",
        help="The revenue between the customer and the next level's cut-off.",
        compute="_compute_customer_pyramid_standing",
        search=_search_standing("customer_pyramid_next_gap"),
        groups=PYRAMID_USER,
    )
    customer_pyramid_next_gap_percent = fields.Float(
        string="To the next level (%)",
        digits=(16, 2),
        help="The gap to the next level as a share of that level's cut-off.",
        compute="_compute_customer_pyramid_standing",
        search=_search_standing("customer_pyramid_next_gap_percent"),
        groups=PYRAMID_USER,
    )
    customer_pyramid_near_next_level = fields.Boolean(
        string="Near the next level",
        help="Within the company's grow band of the next level's cut-off.",
        compute="_compute_customer_pyramid_near_next_level",
        search="_search_customer_pyramid_near_next_level",
        groups=PYRAMID_USER,
    )
    customer_pyramid_usual_gap = fields.Float(
        string="Usual days between orders",
        digits=(16, 1),
        help="The median number of days between the customer's order days.",
        compute="_compute_customer_pyramid_standing",
        search=_search_standing("customer_pyramid_usual_gap"),
        groups=PYRAMID_USER,
    )
    customer_pyramid_risk_date = fields.Date(
        string="At risk from",
        help="The last order plus the usual gap times the company's risk factor "
        "(the company's default gap for a customer with one order day).",
        compute="_compute_customer_pyramid_standing",
        search=_search_standing("customer_pyramid_risk_date"),
        groups=PYRAMID_USER,
    )
    customer_pyramid_lapsed_since = fields.Date(
        string="Lapsed since",
        help="The day the former customer's last order left the active window.",
        compute="_compute_customer_pyramid_standing",
        search=_search_standing("customer_pyramid_lapsed_since"),
        groups=PYRAMID_USER,
    )
    customer_pyramid_outlook = fields.Selection(
        OUTLOOK_SELECTION,
        string="Outlook",
        help="Lapsed: a former customer. At risk: overdue against its usual "
        "rhythm. Dropping soon: the level would drop within the company's "
        "horizon if nothing more were bought. Safe: any other active customer.",
        compute="_compute_customer_pyramid_outlook",
        search=_search_standing("customer_pyramid_outlook"),
        groups=PYRAMID_USER,
    )
    customer_pyramid_outlook_reason = fields.Char(
        string="Why",
        compute="_compute_customer_pyramid_outlook",
        groups=PYRAMID_USER,
    )

    @api.depends_context("company")
    def _compute_customer_pyramid_outlook(self):
        describe = self.env["customer.pyramid.outlook"]._describe
        horizon = self._customer_pyramid_outlook_horizon()
        today = fields.Date.today()
        reasons = {"dropping": "drop", "lapsed": "lapsed", "at_risk": "at_risk"}
        for partner in self:
            commercial = partner.customer_pyramid_account_id
            outlook = False
            if commercial.customer_pyramid_lapsed_since:
                outlook = "lapsed"
            elif commercial.customer_pyramid_risk_date and (
                commercial.customer_pyramid_risk_date <= today
            ):
                outlook = "at_risk"
            elif commercial.customer_pyramid_drop_date and (
                commercial.customer_pyramid_drop_date <= horizon
            ):
                outlook = "dropping"
            elif commercial.customer_pyramid_risk_date:
                outlook = "safe"
            partner.customer_pyramid_outlook = outlook
            partner.customer_pyramid_outlook_reason = (
                describe(commercial, reasons[outlook]) if outlook in reasons else False
            )

    @api.depends_context("company")
    def _compute_customer_pyramid_near_next_level(self):
        band = self.env.company._customer_pyramid_setting("customer_pyramid_grow_band")
        for partner in self:
            account = partner.customer_pyramid_account_id
            partner.customer_pyramid_near_next_level = bool(
                account.customer_pyramid_next_gap
            ) and (account.customer_pyramid_next_gap_percent <= band)

    def _search_customer_pyramid_near_next_level(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise UserError(_("Search 'Near the next level' with is set or not set."))
        band = self.env.company._customer_pyramid_setting("customer_pyramid_grow_band")
        near = [
            ("customer_pyramid_next_gap", ">", 0),
            ("customer_pyramid_next_gap_percent", "<=", band),
        ]
        if (operator == "=") == value:
            return near
        return ["!", "&", *near]

    def _customer_pyramid_outlook_horizon(self):
        days = self.env.company._customer_pyramid_setting(
            "customer_pyramid_outlook_days"
        )
        return fields.Date.today() + relativedelta(days=days)

    def _field_to_sql(self, alias, fname, query=None, flush=True):
        """The outlook as an expression on the standing row, for today."""
        if fname != "customer_pyramid_outlook":
            return super()._field_to_sql(alias, fname, query, flush)
        # the whole chain, not super(): the standing mixin may come first
        column = {
            name: self._field_to_sql(alias, f"customer_pyramid_{name}", query, flush)
            for name in ("lapsed_since", "risk_date", "drop_date")
        }
        return outlook_case(
            column["lapsed_since"],
            column["risk_date"],
            column["drop_date"],
            SQL("%s", fields.Date.today()),
            SQL("%s", self._customer_pyramid_outlook_horizon()),
        )
