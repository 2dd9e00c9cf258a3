from django.db import migrations

from autodcc.messaging.defaults import load  # a default still in its old wording is brought up to date


class Migration(migrations.Migration):
    dependencies = [("messaging", "0005_verification_code")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
