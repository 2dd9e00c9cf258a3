"""Forms of the message pages: the outbox filter, templates, opt-outs."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from autodcc.console.forms.common import FilterForm
from autodcc.messaging.models import Channel, Event, MessageStatus, OptOutScope


class MessageFilterForm(FilterForm):
    status = forms.ChoiceField(label=_("Status"), choices=[("", _("All")), *MessageStatus.choices], required=False)
    event = forms.ChoiceField(label=_("Event"), choices=[("", _("All events")), *Event.choices], required=False)
    channel = forms.ChoiceField(label=_("Channel"), choices=[("", _("All channels")), *Channel.choices], required=False)


class TemplateForm(forms.Form):
    event = forms.ChoiceField(label=_("Event"), choices=Event.choices)
    channel = forms.ChoiceField(label=_("Channel"), choices=Channel.choices)
    body = forms.CharField(label=_("Text"), widget=forms.Textarea(attrs={"rows": 4}))
    wechat_template_id = forms.CharField(label=_("WeChat template id"), max_length=64, required=False)
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)


class OptOutForm(forms.Form):
    phone = forms.CharField(label=_("Mobile"), max_length=30)
    scope = forms.ChoiceField(label=_("Stop"), choices=OptOutScope.choices)
    note = forms.CharField(label=_("Note"), max_length=200, required=False)
