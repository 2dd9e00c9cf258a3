"""The default Chinese templates for each event (HQ marketing edits them in the console)."""

from django.db import migrations

from autodcc.messaging.defaults import DEFAULTS



def load(apps, schema_editor):
    MessageTemplate = apps.get_model("messaging", "MessageTemplate")
    for event, channel, body in DEFAULTS:
        if not MessageTemplate.objects.filter(event=event, channel=channel).exists():
            MessageTemplate.objects.create(event=event, channel=channel, body=body, is_active=True)


class Migration(migrations.Migration):
    dependencies = [("messaging", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
