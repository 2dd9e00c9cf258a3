from django.utils.translation import gettext_lazy as _

from autodcc.core.errors import register

register(
    {
        "vehicle.mileage_invalid": _("“%(value)s” km is not a mileage."),
        "vehicle.purchase_date_invalid": _("The purchase date %(value)s is in the future or before 1990."),
        "code.too_soon": _("A code was sent to this number less than a minute ago: wait a moment before asking again."),
        "code.too_many": _("Too many codes for this number in the last hour: try again later."),
        "code.expired": _("This code has expired or was used up: ask for a new one."),
        "code.wrong": _("The code is not right (%(left)s tries left)."),
        "consent.missing": _("Consent to the processing of the personal details is required (PIPL)."),
        "consent.sharing_missing": _("Separate consent to share the details with the dealer is required (PIPL art. 23)."),
        "consent.version_missing": _("The consent text version is required."),
        "customer.name_missing": _("The customer's name is required."),
        "vehicle.vin_invalid": _("“%(value)s” is not a valid VIN: 17 letters and digits, without I, O or Q."),
        "vehicle.vin_taken": _("The VIN %(value)s is already registered to another customer."),
        "vehicle.plate_invalid": _("“%(value)s” is not a valid Chinese licence plate."),
        "vehicle.trim_invalid": _("This trim is not in the catalogue or is no longer on sale: choose one from the list."),
        "vehicle.model_twice": _("Choose the model from the catalogue or type another brand's model, not both."),
        "group.empty_criteria": _("Choose at least one criterion."),
        "group.name_missing": _("Give the customer group a name."),
    }
)
