from odoo.tests import TransactionCase, tagged

from .common import load_arabic


@tagged("post_install", "-at_install")
class TestArabicTranslation(TransactionCase):
    """The addon ships Arabic: stages, levels and labels load from i18n/ar.po."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.arabic = load_arabic(cls.env)

    def test_stage_names_load_in_arabic(self):
        stages = self.arabic["customer.lifecycle.stage"].search([], order="sequence")
        self.assertEqual(
            stages.mapped("name"),
            ["الوعي", "الدراسة", "التحويل", "الولاء", "المناصرة"],
        )

    def test_pyramid_levels_read_in_arabic(self):
        labels = dict(
            self.arabic["res.partner"]
            ._fields["customer_pyramid_level"]
            ._description_selection(self.arabic)
        )
        self.assertEqual(labels["top"], "الأعلى")
        self.assertEqual(labels["rest"], "بقية العالم")

    def test_field_labels_read_in_arabic(self):
        description = self.arabic["res.partner"].fields_get(["customer_pyramid_level"])
        self.assertEqual(
            description["customer_pyramid_level"]["string"],
            "مستوى الهرم",
        )
