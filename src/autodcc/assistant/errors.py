from django.utils.translation import gettext_lazy as _

from autodcc.core.errors import register

register(
    {
        "assistant.empty": _("Please type your question."),
        "assistant.too_long": _("Your message is too long: %(length)s characters, at most %(limit)s. Please shorten it."),
        "assistant.control_characters": _("Your message contains invisible control characters; please remove them."),
        "assistant.closed": _("This conversation has been closed."),
        "assistant.question_missing": _("Write the question."),
        "assistant.answer_missing": _("Write the answer."),
        "assistant.field_too_long": _("%(label)s is too long: %(length)s characters, at most %(limit)s."),
        "assistant.link_invalid": _("Line %(line)s of the links: write a title, a space and an address starting with / or https:// (got “%(value)s”)."),
        "assistant.variant_duplicate": _("The wording “%(value)s” is already a question of entry %(entry)s."),
    }
)
