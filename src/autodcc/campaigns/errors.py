from django.utils.translation import gettext_lazy as _

from autodcc.core.errors import register

register(
    {
        "campaign.code_invalid": _("A campaign code is 2 to 24 letters, digits or hyphens (got “%(value)s”)."),
        "campaign.code_taken": _("The campaign code “%(value)s” is already used."),
        "campaign.dates_reversed": _("The last day is before the first."),
        "campaign.fixed": _("This plan was fixed on %(day)s (a month before it starts): a manager approves changes, with a reason."),
        "campaign.reason_required": _("Say why the fixed plan changes."),
        "campaign.owner_elsewhere": _("The task's owner must work at the campaign's dealer."),
        "campaign.month_invalid": _("Give the month as YYYY-MM."),
        "campaign.audience_unknown": _("Choose one of your saved customer groups."),
        "campaign.content_missing": _("Write the message's text."),
        "campaign.channel_unknown": _("Unknown channel “%(value)s”."),
        "campaign.agents_missing": _("Choose at least one agent to call."),
        "campaign.script_unknown": _("Choose one of the current call scripts."),
        "campaign.script_old": _("Version %(value)s of this script has been replaced: edit the current one."),
        "campaign.situation_unknown": _("Unknown situation “%(value)s”."),
        "campaign.script_empty": _("A script needs a title and its text."),
        "first_n.shipping_incomplete": _("Give the address, the carrier and the tracking number."),
        "draw.prize_unreachable": _("This winner could not be reached: the prize went to the next draw."),
        "draw.prize_order": _("Take the prize's steps in order: contact, pickup, return."),
        "draw.prize_pickup_incomplete": _("Give the rental partner, the agreement number, the pickup and return dates and the rental cost."),
        "draw.prize_dates": _("The car is returned after it is picked up."),
        "draw.prize_cost": _("The rental cost is between ¥0 and ¥%(max)s."),
        "draw.prize_report_missing": _("Write the usage report the partner gave back."),
        "draw.name_missing": _("Please give your name."),
        "draw.city_missing": _("Please give your city, so that a dealer near you can follow up."),
        "draw.window_reversed": _("The round must close after it opens."),
        "draw.round_taken": _("Round %(value)s already exists."),
        "draw.round_closed": _("Round %(number)s is not open for entries now."),
        "draw.name_too_long": _("The name is at most %(max)s characters."),
        "draw.name_unprintable": _("The name holds characters that are not text (such as control characters); "
                                   "please type it again."),
        "draw.duplicate": _("This mobile number has already entered round %(number)s: one entry per person per round."),
        "draw.not_closed_yet": _("Round %(number)s has not closed yet."),
        "draw.already_drawn": _("Round %(number)s has been drawn: a draw is never repeated."),
        "draw.no_entries": _("Round %(number)s has no entries to draw from."),
        "draw.list_changed": _("The entry list of round %(number)s no longer matches its published digest."),
        "draw.not_drawn": _("Round %(number)s has not been drawn yet."),
        "draw.no_one_left": _("Every entrant of round %(number)s has already been drawn."),
        "campaign.cost_row_month": _("Row %(row)s: give the month as YYYY-MM."),
        "campaign.cost_row_channel": _("Row %(row)s: unknown channel “%(value)s”."),
        "campaign.cost_row_amount": _("Row %(row)s: “%(value)s” is not an amount."),
        "campaign.cost_row_dealer": _("Row %(row)s: “%(value)s” is not a dealer you may enter costs for."),
    }
)
