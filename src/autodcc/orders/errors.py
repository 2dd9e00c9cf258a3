from django.utils.translation import gettext_lazy as _

from autodcc.core.errors import register

register(
    {
        "order.deposit_above_cap": _("The deposit (%(value)s) is above the %(cap)s CNY cap."),
        "order.not_for_sale": _("This car is not on sale."),
        "order.not_payable": _("This order cannot be paid now (%(status)s)."),
        "order.closed_unpaid": _("This order was closed because the deposit was not paid by %(deadline)s. "
                                 "Please place a new order."),
        "order.provider_unknown": _("Unknown payment method “%(value)s”."),
        "order.illegal_step": _("The order is %(status)s; “%(step)s” is not possible now."),
        "order.not_paid": _("Nothing has been paid on this order."),
        "order.refund_exists": _("A refund is already under way for this order."),
        "order.refund_too_much": _("A refund cannot exceed what was paid (%(paid)s)."),
        "order.refund_not_allowed": _("The order is %(status)s: it can no longer be refunded."),
        "order.refund_on_marketplace": _("This deposit was paid on %(platform)s: ask for the refund on your %(platform)s order; this page shows it once %(platform)s has refunded you."),
        "order.refund_wrong_state": _("The refund is %(status)s; this step is not possible."),
        "order.review_reason_required": _("Write why you approve the refund the dealer declined: it is kept in the log."),
        "order.decline_reason_required": _("Write the reason for the buyer: they read it by SMS and on the order page."),
        "order.contract_below_deposit": _("The contract value cannot be less than the deposit."),
        "order.balance_negative": _("The balance paid cannot be negative."),
        "order.balance_above_contract": _("The balance is the contract value less the deposit: at most ¥%(balance)s."),
        "order.promise_too_early": _("The accessories need %(days)s days: the promised date cannot be before %(date)s."),
        "order.no_package": _("This order is not for a special edition with an accessory package."),
        "order.not_contracted": _("Order the accessories after the contract is signed."),
        "order.receipt_early": _("The car has not been delivered yet."),
        "reward.unknown": _("No voucher or card “%(value)s” was issued at this dealer."),
        "reward.redeemed": _("This voucher was already redeemed on %(at)s (%(by)s)."),
        "reward.expired": _("This voucher expired on %(day)s."),
        "statement.already_imported": _("This statement file was already imported for that month."),
        "order.update_empty": _("Write what the buyer should know."),
        "order.update_closed": _("The order is %(status)s: no delivery updates now."),
        "statement.bad_row": _("Row %(row)s: %(message)s"),
        "statement.bad_amount": _("Row %(row)s: “%(value)s” is not an amount."),
        "statement.month_invalid": _("Give the month as YYYY-MM."),
        "order.accessories_not_installed": _("The accessory package is not installed yet (%(status)s): the car is "
                                             "delivered with its package fitted."),
        "order.accessories_not_ordered": _("This special edition's accessory package has not been ordered yet: order "
                                           "it by part number, then record the delivery once it is installed."),
        "order.accessory_step": _("Unknown accessory step “%(value)s”."),
        "order.accessory_out_of_order": _("The accessory order is “%(status)s”: it cannot be marked “%(step)s” yet."),
        "order.sold_out": _("%(name)s is sold out (limited to %(quantity)s cars)."),
        "order.vin_required": _("Give the car's VIN: the buyer's vehicle goes on file at the delivery."),
        "settlement.nothing": _("Nothing to settle for %(dealer)s in %(month)s."),
        "settlement.total_changed": _("The amount to settle has changed since you checked it (%(expected)s → "
                                      "%(actual)s CNY): check the list again before settling."),
        "settlement.not_confirmed": _("Tick the box to confirm you have checked the amounts."),
    }
)
