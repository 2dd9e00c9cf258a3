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
    }
)
