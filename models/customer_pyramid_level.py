from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

from ..lib.pyramid_split import LEVEL_SELECTION, LEVELS


class CustomerPyramidLevel(models.Model):
    """The pyramid levels as records, so that products and pricelists can be
    restricted to a set of them with many2many tags.

    One record per value of LEVEL_SELECTION, shipped as data; ``code`` ties
    the record to the level that the engine writes on partners.
    """

    _name = "customer.pyramid.level"
    _description = "Customer pyramid level"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    code = fields.Selection(LEVEL_SELECTION, required=True)
    sequence = fields.Integer(default=10)

    _sql_constraints = [
        ("code_unique", "unique(code)", "Each pyramid level exists only once."),
    ]

    @api.model_create_multi
    def create(self, vals_list):
        self._check_level_codes(self._name, "code", [v.get("code") for v in vals_list])
        return super().create(vals_list)

    def write(self, vals):
        self._check_level_codes(self._name, "code", [vals.get("code")])
        return super().write(vals)

    @api.model
    def _check_level_codes(self, model_name, fname, codes):
        """Refuse unknown level codes with a message naming the field and value.

        Called before the ORM sees the value, whose own check raises a bare
        ValueError that an import or an RPC call shows as a server error.
        """
        unknown = [code for code in codes if code and code not in LEVELS]
        if unknown:
            field = self.env[model_name]._fields[fname]
            raise ValidationError(
                _(
                    "%(field)s: %(value)s is not a pyramid level; "
                    "use one of %(levels)s.",
                    field=field.get_description(self.env)["string"],
                    value=repr(unknown[0]),
                    levels=", ".join(LEVELS),
                )
            )
