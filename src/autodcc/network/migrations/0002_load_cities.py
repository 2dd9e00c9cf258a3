"""Provinces and cities from the shipped data (administrative codes, GCJ-02 city centres)."""

from django.db import migrations


def load(apps, schema_editor):
    from autodcc.core import geo

    Province = apps.get_model("network", "Province")
    City = apps.get_model("network", "City")
    provinces = {}
    for info in geo.all_cities().values():
        if info.province_code not in provinces:
            provinces[info.province_code], _ = Province.objects.get_or_create(
                code=info.province_code, defaults={"name": info.province}
            )
    existing = set(City.objects.values_list("adcode", flat=True))
    City.objects.bulk_create(
        [
            City(adcode=i.adcode, name=i.name, province=provinces[i.province_code], level=i.level, lng=i.lng, lat=i.lat)
            for i in geo.all_cities().values()
            if i.adcode not in existing
        ]
    )


class Migration(migrations.Migration):
    dependencies = [("network", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
