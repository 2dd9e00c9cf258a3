from django.utils.translation import gettext_lazy as _

from autodcc.core.errors import register

register(
    {
        "lead.city_required": _("Give the consumer's city (or choose a dealer) so the lead can reach a dealer."),
        "lead.no_dealer": _("There is no active dealer to receive this lead."),
        "lead.dealer_unknown": _("Unknown dealer “%(value)s”."),
        "lead.dealer_inactive": _("The dealer %(value)s is not active and cannot receive leads."),
        "lead.dealer_not_yours": _("You capture leads for your own dealer only; %(value)s is another dealer."),
        "lead.capture_rejected": _("This capture was refused: %(reason)s"),
        "lead.channel_unknown": _("Unknown channel “%(value)s”."),
        "lead.defeat_pending": _("A defeat request for this lead awaits the manager's decision."),
        "lead.value_unknown": _("Unknown %(label)s “%(value)s”."),
        "lead.closed": _("This lead is closed (%(status)s); nothing more can be recorded on it."),
        "lead.not_arrived": _("Register the customer's arrival in the showroom first."),
        "lead.not_ordered": _("Record the order before the delivery."),
        "lead.step_on_order": _("This customer's contract and delivery are recorded on the deposit order %(number)s."),
        "lead.no_consultant": _("Hand the lead over to a sales consultant first."),
        "lead.milestone_unknown": _("Unknown step “%(value)s”."),
        "lead.not_consultant": _("%(value)s is not an active sales consultant of this dealer."),
        "lead.not_agent": _("%(value)s is not an active DCC agent of this dealer."),
        "lead.note_required": _("Write a note saying why."),
        "lead.none_chosen": _("Choose at least one lead."),
        "lead.batch_too_large": _("%(count)s leads chosen; reassign at most %(limit)s at a time."),
        "lead.batch_closed": _("Lead %(number)s is closed (%(status)s) and cannot be reassigned; nothing was changed."),
        "lead.reassign_not_showroom": _("Lead %(number)s is still with DCC: %(value)s is a sales consultant — hand the "
                                        "lead over from its page instead. Nothing was changed."),
        "lead.not_holder": _("%(value)s is not an active DCC agent or sales consultant of %(dealer)s; nothing was "
                             "changed."),
        "lead.same_dealer": _("The lead is already at %(value)s."),
        "lead.open_elsewhere": _("The customer already has an open lead at %(value)s."),
        "lead.date_past": _("%(label)s cannot be in the past."),
        "lead.date_too_far": _("%(label)s is too far ahead (at most %(days)s days)."),
        "lead.grade_unknown": _("Unknown intent grade “%(value)s”."),
        "appointment.past": _("The visit time has already passed."),
        "appointment.is_booking": _("This visit is the test drive %(number)s: change or cancel the test drive itself."),
        "appointment.closed_day": _("The dealer is closed on %(value)s."),
        "appointment.outside_hours": _("The dealer is open %(opens)s–%(closes)s; %(value)s is outside opening hours."),
        "appointment.not_open": _("This appointment is already %(status)s."),
        "defeat.reason_kind": _("“%(value)s” is not a reason for this kind of request."),
        "defeat.competitor_missing": _("Name the competitor brand the customer bought."),
        "defeat.not_pending": _("This request has already been decided."),
        "defeat.no_contact": _("Record at least one contact attempt (a call, a message) before asking to close the lead."),
        "defeat.revisit_past": _("The revisit date must be in the future."),
        "target.invalid": _("The daily target must be between 0 and 500."),
        "settings.invalid_interval": _("The revisit interval for grade %(value)s must be between 1 and 90 days."),
        "insights.score_invalid": _("A platform score is between 0 and 100."),
        "token.invalid": _("Invalid or revoked API token."),
    }
)
