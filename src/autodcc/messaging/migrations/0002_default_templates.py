"""The default Chinese templates for each event (HQ marketing edits them in the console)."""

from django.db import migrations

from autodcc.messaging.defaults import load


class Migration(migrations.Migration):
    dependencies = [("messaging", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
