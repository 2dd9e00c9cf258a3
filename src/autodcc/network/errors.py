from django.utils.translation import gettext_lazy as _

from autodcc.core.errors import register

register(
    {
        "dealer.code_taken": _("Dealer code “%(value)s” is already used by another dealer."),
        "dealer.code_invalid": _("Dealer code “%(value)s” may only contain letters, digits, “-” and “_” (2–20 characters)."),
        "dealer.hours_invalid": _("Opening time must be before closing time."),
        "dealer.weekdays_invalid": _("Choose at least one opening day."),
        "dealer.account_invalid": _("“%(value)s” is not a bank account number (8 to 34 digits)."),
        "dealer.coordinates_invalid": _("Coordinates are outside China: longitude %(lng)s, latitude %(lat)s."),
        "dealer.coordinates_half": _("Give both longitude and latitude, or neither."),
        "region.unknown": _("Unknown region “%(value)s”."),
        "region.code_invalid": _("Region code “%(value)s” may only contain letters, digits, “-” and “_” (2–20 characters)."),
        "region.code_taken": _("Region code “%(value)s” is already used by another region."),
        "region.name_required": _("Give the region a name (at most 60 characters)."),
        "region.has_active_dealers": _("%(n)s active dealers still belong to this region: move them to another region first."),
        "staff.username_taken": _("Login name “%(value)s” is already taken."),
        "staff.grant_scope": _("The role “%(role)s” must be given at %(scope)s level."),
        "staff.no_roles": _("A staff member needs at least one role."),
        "staff.grant_outside_scope": _("You cannot give roles outside your own dealer or region."),
        "leave.range_invalid": _("The leave must end after it starts."),
        "leave.overlaps": _("This leave overlaps another leave of the same person."),
        "import.no_rows": _("The file has no data rows."),
        "import.bad_header": _("Missing column “%(value)s” in the header row."),
        "import.unreadable": _("The file could not be read as CSV or Excel (.xlsx)."),
        "import.row": _("Row %(row)s, %(column)s: %(message)s"),
        "import.duplicate_in_file": _("Dealer code “%(value)s” appears more than once in the file (also row %(other)s)."),
        "value.not_a_number": _("“%(value)s” is not a number."),
        "value.not_a_time": _("“%(value)s” is not a time (HH:MM)."),
        "value.not_a_bool": _("“%(value)s” is not yes/no (是/否)."),
    }
)
