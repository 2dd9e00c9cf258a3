from django.db import migrations


def load(apps, schema_editor) -> None:
    from autodcc.feedback.rules import DEFAULT_RULES

    CategoryRule = apps.get_model("feedback", "CategoryRule")
    for category, (target, first, resolve, again) in DEFAULT_RULES.items():
        CategoryRule.objects.get_or_create(category=str(category), defaults={
            "target": str(target), "first_response_minutes": first, "resolution_minutes": resolve,
            "escalate_again_minutes": again})


class Migration(migrations.Migration):

    dependencies = [("feedback", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
