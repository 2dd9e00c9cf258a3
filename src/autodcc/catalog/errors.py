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
        "catalog.spec_row_unnamed": _("Row %(row)s: the group and the item must both be filled in."),
        "catalog.spec_row_twice": _("Row %(row)s: “%(value)s” is listed twice."),
        "catalog.spec_too_long": _("Row %(row)s: a cell is longer than %(limit)s characters."),
        "catalog.window_reversed": _("The last day on sale is before the first."),
        "catalog.nothing_to_publish": _("This series has no trim to put on sale yet."),
        "catalog.trim_without_colour": _("“%(value)s” has no colour yet: add at least one before it goes on sale."),
        "catalog.published_not_deleted": _("“%(value)s” has been on sale: withdraw it instead of deleting it."),
        "catalog.in_use": _("“%(value)s” is still used (by trims, editions, orders or bookings) and cannot be deleted."),
        "catalog.price_day_taken": _("A price change from %(value)s is already set for this trim."),
        "catalog.part_line": _("Line %(line)s: write the part number, the name and, if more than one, the quantity."),
        "catalog.part_too_long": _("Line %(line)s: the part number is at most 30 characters, the name 80."),
        "catalog.part_quantity": _("Line %(line)s: the quantity “%(value)s” must be a whole number from 1 to 999."),
        "catalog.part_twice": _("Line %(line)s: part number %(value)s is listed twice."),
        "catalog.package_empty": _("List at least one part."),
        "rates.not_json": _("Keep the shape shown: a list or table in JSON, as the current rate has it."),
        "rates.not_number": _("“%(value)s” is not a number (write it like 0.10 or 950)."),
        "rates.required": _("Fill this in."),
        "rates.unknown_table": _("“%(value)s” is not a rate that can be set here."),
        "rates.examples_fail": _("With these values the worked example “%(value)s” cannot be priced: check the values."),
        "rates.rewrites_past": _("These values would change the price of “%(value)s”, a day already past: a new rate takes effect from today or later."),
    }
)
