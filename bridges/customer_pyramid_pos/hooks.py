from .models.customer_pyramid_query import POS_SOURCE


def uninstall_hook(env):
    """Rank the companies that counted Point of Sale orders by their sale
    orders again: without this module their source is offered no more, and
    their next scheduled run ranks them by it. Drop the triggers that note
    the Point of Sale orders written for the pyramid."""
    env["customer.pyramid.change"]._drop_change_triggers("pos_order")
    env["res.company"].search(
        [("customer_pyramid_revenue_source", "=", POS_SOURCE)]
    ).customer_pyramid_revenue_source = "sale_order"
