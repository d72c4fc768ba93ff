"""Bank account numbers encrypted at rest, step 3 of 3: the plain column goes."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('payments', '0004_encrypt_bank_account_numbers'),
    ]

    operations = [
        migrations.RemoveField(
            model_name='bankaccount',
            name='account_no',
        ),
    ]
