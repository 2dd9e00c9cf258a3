import secrets

from django.db import migrations, models

import autodcc.campaigns.models


def give_tokens(apps, schema_editor) -> None:
    """Every claim made before gets its own secret link token."""
    FirstNClaim = apps.get_model("campaigns", "FirstNClaim")
    for claim in FirstNClaim.objects.filter(token__isnull=True).only("pk"):
        FirstNClaim.objects.filter(pk=claim.pk).update(token=secrets.token_urlsafe(18))


class Migration(migrations.Migration):

    dependencies = [
        ("campaigns", "0010_wave_start_and_cancel"),
    ]

    operations = [
        migrations.AddField(
            model_name="firstnreward",
            name="starts_on",
            field=models.DateField(blank=True, null=True, verbose_name="from"),
        ),
        migrations.AddField(
            model_name="firstnreward",
            name="ends_on",
            field=models.DateField(blank=True, null=True, verbose_name="until"),
        ),
        migrations.AddField(
            model_name="firstnclaim",
            name="address_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="address given"),
        ),
        migrations.AddField(
            model_name="firstnclaim",
            name="token",
            field=models.CharField(max_length=32, null=True),
        ),
        migrations.RunPython(give_tokens, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="firstnclaim",
            name="token",
            field=models.CharField(default=autodcc.campaigns.models.new_claim_token, max_length=32, unique=True),
        ),
    ]
