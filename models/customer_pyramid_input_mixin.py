from odoo import api, models


class CustomerPyramidInputMixin(models.AbstractModel):
    """A model the pyramid is computed from: its changes are events.

    A model joins by inheriting this mixin and naming, in
    ``_customer_pyramid_inputs``, the fields whose change matters (None:
    every field) and the history cause. Creating, writing or deleting
    records then queues the commercial partners they concern, before and
    after the change (an order moved to another customer refreshes both),
    and applies the queue when the call ends.
    """

    _name = "customer.pyramid.input.mixin"
    _description = "Customer pyramid input"
    # The fields whose change is an event; None for every field.
    _customer_pyramid_inputs = None
    _customer_pyramid_cause = "order"

    @api.model_create_multi
    def create(self, vals_list):
        records = super().create(vals_list)
        records._customer_pyramid_queue(records._customer_pyramid_concerns())
        return records

    def write(self, vals):
        if not self._customer_pyramid_is_event(vals):
            return super().write(vals)
        before = self._customer_pyramid_concerns()
        res = super().write(vals)
        self._customer_pyramid_queue(before, self._customer_pyramid_concerns())
        return res

    def unlink(self):
        before = self._customer_pyramid_concerns()
        res = super().unlink()
        self._customer_pyramid_queue(before)
        return res

    def _customer_pyramid_is_event(self, vals):
        inputs = self._customer_pyramid_inputs
        return inputs is None or not inputs.isdisjoint(vals)

    def _customer_pyramid_concerns(self):
        """{company: partners} whose facts these records feed.

        By default the record's company (the user's when it has none) and
        its partner; a model whose records reach them otherwise overrides it.
        """
        # sudo: which partners an event concerns does not depend on what the
        # user may read; only their ids are queued.
        records = self.sudo()
        concerns = {}
        for company, group in records.grouped("company_id").items():
            company = company or self.env.company
            concerns[company] = concerns.get(company, group.browse()) | group
        return {company: group.partner_id for company, group in concerns.items()}

    def _customer_pyramid_queue(self, *concerns):
        events = self.env["customer.pyramid.event"]
        for by_company in concerns:
            for company, partners in by_company.items():
                events.queue(company, partners, self._customer_pyramid_cause)
        events.apply_pending()
