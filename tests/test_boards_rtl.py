from odoo import Command
from odoo.tests import HttpCase, tagged

from .common import load_arabic


@tagged("post_install", "-at_install")
class TestBoardsRightToLeft(HttpCase):
    """In Arabic the boards and the pyramid report read right to left, as
    Odoo's right-to-left stylesheets (built with rtlcss) lay them out."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        load_arabic(cls.env)
        cls.manager = cls.env["res.users"].create(
            {
                "name": "Arabic Manager",
                "login": "arabic_manager",
                "password": "arabic_manager",
                "email": "arabic.manager@example.com",
                "lang": "ar_001",
                "groups_id": [
                    Command.set(
                        cls.env.ref("sales_team.group_sale_manager").ids
                        + cls.env.ref("customer_pyramid.group_manager").ids
                    )
                ],
            }
        )
        buyer = cls.env["res.partner"].create(
            {"name": "RTL Buyer", "is_company": True, "user_id": cls.manager.id}
        )
        product = cls.env["product.product"].create(
            {"name": "RTL service", "type": "service", "list_price": 1.0}
        )
        cls.env["sale.order"].create(
            {
                "partner_id": buyer.id,
                "order_line": [
                    Command.create({"product_id": product.id, "price_unit": 10**6})
                ],
            }
        ).action_confirm()
        cls.env["customer.pyramid.engine"].recompute_companies(cls.env.company)

    def test_lifecycle_board_reads_right_to_left_in_arabic(self):
        self.start_tour(
            "/odoo", "customer_pyramid_rtl_lifecycle_board", login="arabic_manager"
        )

    def test_pyramid_board_reads_right_to_left_in_arabic(self):
        self.start_tour(
            "/odoo", "customer_pyramid_rtl_pyramid_board", login="arabic_manager"
        )

    def test_pyramid_report_reads_right_to_left_in_arabic(self):
        self.start_tour(
            "/odoo", "customer_pyramid_rtl_pyramid_report", login="arabic_manager"
        )
