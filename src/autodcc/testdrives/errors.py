from django.utils.translation import gettext_lazy as _

from autodcc.core.errors import register

register(
    {
        "slot.taken": _("Sorry, this time has just been booked by someone else. Please choose another time."),
        "slot.past": _("This time has already passed. Please choose a later time."),
        "slot.outside_hours": _("The dealer is open %(opens)s–%(closes)s; please choose a time within opening hours."),
        "slot.closed_day": _("The dealer is closed on %(value)s. Please choose another day."),
        "slot.misaligned": _("Please choose one of the offered start times."),
        "slot.too_soon": _("Please book at least %(minutes)s minutes ahead so the car can be prepared."),
        "booking.started": _("The test drive has already started; please call the dealer."),
        "slot.too_far": _("Bookings are open for the next %(days)s days."),
        "booking.no_vehicle": _("This dealer has no test-drive car of that model."),
        "booking.not_open": _("This booking is already %(status)s."),
        "booking.not_completed": _("The report can be filled in after the test drive."),
        "booking.report_done": _("The report has already been submitted. Thank you!"),
        "booking.rating_invalid": _("Give each rating from 1 to 5 stars."),
    }
)
