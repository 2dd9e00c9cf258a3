from django.utils.translation import gettext_lazy as _

from autodcc.core.errors import register

register(
    {
        "channels.not_replayable": _("Only a failed or refused delivery can be replayed."),
        "channels.score_file_unreadable": _("The file could not be read as an Excel workbook (.xlsx)."),
        "channels.score_file_too_big": _("The file is larger than %(limit)s MB."),
        "channels.trade_known": _("Tmall trade %(value)s already has a deposit order."),
        "channels.trade_item_unknown": _("The trade's merchant code “%(value)s” is neither a trim nor a special edition."),
        "channels.trade_amount": _("The trade paid %(value)s yuan but the deposit is %(deposit)s yuan."),
        "channels.trade_not_applied": _("The payment could not be applied: %(value)s"),
        "channels.score_platform_unknown": _("Choose one of the platforms."),
    }
)
