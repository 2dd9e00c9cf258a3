from django.utils.translation import gettext_lazy as _

from autodcc.core.errors import register

register(
    {
        "loan.down_payment_too_high": _("The down payment (¥%(down)s) cannot be more than the price (¥%(price)s)."),
        "loan.down_payment_negative": _("The down payment cannot be negative."),
        "loan.term_invalid": _("The term must be between 12 and 60 months (got %(value)s)."),
        "loan.rate_invalid": _("The annual rate must be between 0 and 36%%."),
        "loan.fee_invalid": _("The fee cannot be negative or more than the loan."),
        "price.no_rate": _("No tax rates are on file for an invoice dated %(value)s."),
        "price.invalid": _("The price must be more than zero."),
        "price.seats_invalid": _("The number of seats must be between 2 and 9."),
        "catalog.code_taken": _("The code “%(value)s” is already used."),
        "catalog.offer_above_guide": _("The offer price (%(offer)s) is above the guide price (%(guide)s)."),
        "catalog.deposit_too_high": _("The deposit (%(value)s) is above the %(cap)s CNY cap."),
        "catalog.spec_bad_header": _("The first two columns must be the group and the item; then one column per trim code."),
        "catalog.spec_unknown_trim": _("Unknown trim code “%(value)s” in the header."),
    }
)
