from odoo import api, models


class CustomerPyramidInputMixin(models.AbstractModel):
    """A model the pyramid is computed from: its changes are events.

    A model joins by inheriting this mixin and naming, in
    ``_customer_pyramid_inputs``, the fields whose change matters (None:
    every field) and the history cause. Creating, writing or deleting
    records then queues the commercial partners they concern, before and
    after the change (an order moved to another customer refreshes both),
    and applies the queue when the call ends (at the commit with
    ``_customer_pyramid_apply_at_commit``).
    """

    _name = "customer.pyramid.input.mixin"
    _description = "Customer pyramid input"
    # The fields whose change is an event; None for every field.
    _customer_pyramid_inputs = None
    _customer_pyramid_cause = "order"
    # True for inputs Odoo creates and converts in bulk (mass conversion,
    # assignment, the mail gateway): their events wait for the commit, one
    # pass for the whole transaction.
    _customer_pyramid_apply_at_commit = False

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
        # A write that empties a required field is a step inside an onchange
        # or a wizard: the record cannot be flushed yet, the commit applies it.
        halfway = any(
            self._fields[fname].required and not value
            for fname, value in vals.items()
            if fname in self._fields
        )
        self._customer_pyramid_queue(
            before, self._customer_pyramid_concerns(), apply=not halfway
        )
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

    def _customer_pyramid_queue(self, *concerns, apply=True):
        if not any(concerns):
            return  # nothing of the pyramid's: leave the queue as it is
        events = self.env["customer.pyramid.event"]
        for by_company in concerns:
            for company, partners in by_company.items():
                events.queue(company, partners, self._customer_pyramid_cause)
        if apply and not self._customer_pyramid_apply_at_commit:
            events.apply_pending()
