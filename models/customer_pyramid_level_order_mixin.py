from odoo import api, models
from odoo.tools import SQL

from ..lib.pyramid_split import LEVELS


class CustomerPyramidLevelOrderMixin(models.AbstractModel):
    """Groups by level in the pyramid's order, top first, not alphabetically.

    Pivots and graphs then read from the apex down (a migration matrix with
    the same order on both axes) instead of big, inactive, medium...
    """

    _name = "customer.pyramid.level.order.mixin"
    _description = "Customer pyramid levels in order"
    _customer_pyramid_level_fields = ()

    @api.model
    def _read_group_orderby(self, order, groupby_terms, query):
        ordered_terms = {
            spec: SQL("array_position(%s::varchar[], %s)", list(LEVELS), term)
            if spec in self._customer_pyramid_level_fields
            else term
            for spec, term in groupby_terms.items()
        }
        return super()._read_group_orderby(order, ordered_terms, query)
