"""Leads point at a campaign (CMP-2) instead of carrying its name as text: each name found on
leads becomes a campaign of the brand with a generated code, dated by the leads that named it."""

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import Max, Min


def to_campaigns(apps, schema_editor):
    lead = apps.get_model("leads", "Lead")
    campaign = apps.get_model("campaigns", "Campaign")
    names = (lead.objects.exclude(campaign="").values("campaign")
             .annotate(first=Min("created_at"), last=Max("created_at")).order_by("campaign"))
    for n, row in enumerate(names, start=1):
        made = campaign.objects.create(code=f"C{n:04d}", name=row["campaign"][:80], theme="other",
                                       starts_on=row["first"].date(), ends_on=row["last"].date(),
                                       created_by="migration")
        lead.objects.filter(campaign=row["campaign"]).update(campaign_ref=made)


def to_text(apps, schema_editor):
    lead = apps.get_model("leads", "Lead")
    for row in lead.objects.exclude(campaign_ref=None).values("pk", "campaign_ref__name"):
        lead.objects.filter(pk=row["pk"]).update(campaign=row["campaign_ref__name"])


class Migration(migrations.Migration):
    dependencies = [
        ("campaigns", "0001_campaigns"),
        ("leads", "0008_lead_labels"),
    ]

    operations = [
        migrations.AddField(
            model_name="lead", name="campaign_ref",
            field=models.ForeignKey(null=True, blank=True, on_delete=django.db.models.deletion.PROTECT,
                                    related_name="+", to="campaigns.campaign"),
        ),
        migrations.RunPython(to_campaigns, to_text),
        migrations.RemoveField(model_name="lead", name="campaign"),
        migrations.RenameField(model_name="lead", old_name="campaign_ref", new_name="campaign"),
        migrations.AlterField(
            model_name="lead", name="campaign",
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT,
                                    related_name="leads", to="campaigns.campaign", verbose_name="campaign"),
        ),
    ]
