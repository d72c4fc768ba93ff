"""Bank account numbers encrypted at rest, step 1 of 3: the columns of the ciphertext and the masked form.

``account_no`` gets a default only so that migrating back (0005 → 0003) can add it again to existing rows.
"""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('payments', '0002_append_only_triggers'),
    ]

    operations = [
        migrations.AddField(
            model_name='bankaccount',
            name='account_ciphertext',
            field=models.CharField(default='', editable=False, max_length=255, verbose_name='账号（密文）'),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name='bankaccount',
            name='account_masked',
            field=models.CharField(default='', editable=False, max_length=34, verbose_name='账号（脱敏）'),
            preserve_default=False,
        ),
        migrations.AlterField(
            model_name='bankaccount',
            name='account_no',
            field=models.CharField(default='', max_length=34, verbose_name='账号'),
        ),
    ]
