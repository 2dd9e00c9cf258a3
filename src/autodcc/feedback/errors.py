from django.utils.translation import gettext_lazy as _

from autodcc.core.errors import register

register(
    {
        "complaint.category_unknown": _("Choose a category (got “%(value)s”)."),
        "complaint.kind_unknown": _("Choose whether this is a complaint, a suggestion or praise (got “%(value)s”)."),
        "complaint.description_missing": _("Please describe what happened."),
        "complaint.name_missing": _("Please give your name."),
        "complaint.dealer_unknown": _("No dealer has the code “%(value)s”."),
        "complaint.dealer_not_yours": _("You may file complaints for your own dealer only, not for “%(value)s”."),
        "complaint.order_unknown": _("No order has the number “%(value)s” for this mobile number."),
        "complaint.lead_unknown": _("No lead has the number “%(value)s” for this mobile number."),
        "complaint.consent_missing": _("Please agree to the privacy notice to continue."),
        "complaint.sharing_missing": _("Please agree that your details are shared with the dealer or customer "
                                       "service handling your feedback."),
        "complaint.not_yours": _("Only the dealer or HQ department handling this complaint may do this."),
        "complaint.assignee_elsewhere": _("Choose a person who works for the handler of this complaint."),
        "complaint.note_missing": _("Write the note."),
        "complaint.resolution_missing": _("Say how the complaint was resolved: the consumer reads it."),
        "complaint.reassign_same": _("The complaint is already with this handler."),
        "complaint.reassign_dealer_missing": _("Choose the dealer to pass the complaint to."),
        "complaint.link_invalid": _("This link is not valid."),
        "complaint.link_used": _("You have already answered through this link. Thank you!"),
        "complaint.link_expired": _("This link has expired. Please call us or file your feedback again."),
        "complaint.reopen_reason_missing": _("Please tell us what is still wrong."),
        "complaint.attachment_too_large": _("The file is larger than %(limit)s MB."),
        "complaint.attachment_type": _("Attach a picture (JPG, PNG) or a PDF."),
        "complaint.rule_minutes": _("Give a number of minutes from 1 to %(limit)s."),
    }
)
