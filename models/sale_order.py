from odoo import _, api, fields, models
from odoo.exceptions import UserError

QUOTATION_STATES = ("draft", "sent")


class SaleOrder(models.Model):
    _name = "sale.order"
    _inherit = ["sale.order", "customer.pyramid.input.mixin"]
    # What the facts read of an order; its lines change the amounts.
    _customer_pyramid_inputs = frozenset(
        {
            "state",
            "locked",
            "partner_id",
            "company_id",
            "date_order",
            "currency_id",
            "currency_rate",
            "amount_untaxed",
            "amount_total",
            "pricelist_id",
            "order_line",
        }
    )
    _customer_pyramid_cause = "order"

    customer_care_warning = fields.Text(
        string="Customer care", compute="_compute_customer_care_warning"
    )
    customer_care_blocked = fields.Boolean(
        string="Sending blocked by customer care",
        compute="_compute_customer_care_warning",
    )

    @api.depends(
        "state", "partner_id", "company_id", "pricelist_id", "order_line.product_id"
    )
    def _compute_customer_care_warning(self):
        for order in self:
            # a new quotation has no customer yet: nothing to warn about
            offer = order.partner_id and order.state in QUOTATION_STATES
            issues = order._customer_care_issues() if offer else []
            order.customer_care_warning = "\n".join(text for _b, text in issues)
            order.customer_care_blocked = any(blocking for blocking, _t in issues)

    @api.onchange("partner_id")
    def _onchange_partner_id_customer_care(self):
        if self.partner_id:
            return self._customer_care_warning_dict(
                [text for _b, text in self._customer_care_issues()]
            )

    @api.onchange("pricelist_id")
    def _onchange_pricelist_id_customer_care(self):
        if self.partner_id and self.pricelist_id:
            return self._customer_care_warning_dict(
                [self._customer_care_pricelist_issue()]
            )

    @api.model_create_multi
    def create(self, vals_list):
        orders = super().create(vals_list)
        lifecycle = self.env["customer.lifecycle.engine"]
        for company, company_orders in orders.grouped("company_id").items():
            lifecycle.advance(company_orders.partner_id, "consideration", company)
        return orders

    def action_quotation_send(self):
        self._customer_care_check_offer(log=False)
        return super().action_quotation_send()

    def action_quotation_sent(self):
        self._customer_care_check_offer()
        return super().action_quotation_sent()

    def action_confirm(self):
        res = super().action_confirm()
        events = self.env["customer.pyramid.event"]
        for company, orders in self.grouped("company_id").items():
            events.queue_confirmed_orders(company, orders)
        events.apply_pending()
        return res

    @api.returns("mail.message", lambda value: value.id)
    def message_post(self, **kwargs):
        # The mail composer of "Send by email" posts with this key: the offer
        # is really sent now.
        if self.env.context.get("mark_so_as_sent"):
            self._customer_care_check_offer()
        return super().message_post(**kwargs)

    def _customer_care_partner(self):
        self.ensure_one()
        return self.partner_id.commercial_partner_id.with_company(self.company_id)

    def _customer_care_issues(self):
        """(blocking, message) pairs: the partner's care rules, then the fit."""
        self.ensure_one()
        issues = list(self._customer_care_partner()._customer_care_offer_issues())
        fit = [self._customer_care_pricelist_issue()] + [
            self._customer_care_product_issue(product)
            for product in self.order_line.product_id
        ]
        issues += [(False, message) for message in fit if message]
        return issues

    def _customer_care_level_issue(self, levels, offer):
        """A message when ``levels`` leave out the partner's level, else False."""
        if not levels:
            return False
        partner = self._customer_care_partner()
        level = partner.customer_pyramid_account_id.customer_pyramid_level
        if level in levels.mapped("code"):
            return False
        level_labels = dict(
            partner._fields["customer_pyramid_level"]._description_selection(self.env)
        )
        level_label = level_labels[level] if level else _("without a level")
        return _(
            "%(offer)s is for %(levels)s customers; %(partner)s is %(level)s.",
            offer=offer,
            levels=", ".join(levels.mapped("name")),
            partner=partner.display_name,
            level=level_label,
        )

    def _customer_care_pricelist_issue(self):
        self.ensure_one()
        pricelist = self.pricelist_id
        return self._customer_care_level_issue(
            pricelist.customer_pyramid_level_ids,
            _("The pricelist %(pricelist)s", pricelist=pricelist.name),
        )

    def _customer_care_product_issue(self, product):
        self.ensure_one()
        return self._customer_care_level_issue(
            product.product_tmpl_id.customer_pyramid_level_ids,
            _("The product %(product)s", product=product.display_name),
        )

    def _customer_care_warning_dict(self, messages):
        messages = [message for message in messages if message]
        if messages:
            return {
                "warning": {
                    "title": _("Customer care"),
                    "message": "\n".join(messages),
                }
            }

    def _customer_care_check_offer(self, log=True):
        """Refuse to send an offer that a care rule blocks; log the others.

        Only quotations are offers: a confirmation sent for a confirmed order
        is not. ``log`` is False when the sending only starts (the composer
        opens), so that a warned offer is logged once, when it is sent.
        """
        for order in self.filtered(lambda o: o.state in QUOTATION_STATES):
            issues = order._customer_care_partner()._customer_care_offer_issues()
            blocking = [text for is_blocking, text in issues if is_blocking]
            if blocking:
                raise UserError(
                    _(
                        "%(order)s cannot be sent:\n%(reasons)s",
                        order=order.name,
                        reasons="\n".join(blocking),
                    )
                )
            if issues and log:
                order._customer_care_partner()._message_log(
                    body=_(
                        "Quotation %(order)s sent by %(user)s despite: %(reasons)s",
                        order=order.name,
                        user=self.env.user.name,
                        reasons=" ".join(text for _b, text in issues),
                    )
                )
