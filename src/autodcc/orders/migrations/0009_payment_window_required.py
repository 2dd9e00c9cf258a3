# The deadline required once every order has one (a migration of its own: PostgreSQL alters the
# table outside the transaction that filled the column)

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('orders', '0008_payment_window'),
    ]

    operations = [
        migrations.AlterField(
            model_name='order',
            name='pay_by',
            field=models.DateTimeField(verbose_name='pay by'),
        ),
        migrations.AddIndex(
            model_name='order',
            index=models.Index(fields=['status', 'pay_by'], name='orders_orde_status_bb62e4_idx'),
        ),
    ]
