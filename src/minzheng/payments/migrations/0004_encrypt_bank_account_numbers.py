"""Bank account numbers encrypted at rest, step 2 of 3: encrypt every stored number with the current key
(``core/fieldcrypto.py``; the key is created in the data directory on first use outside production), keep
its masked form, and blank the plain column in the same row update, so the rows no longer hold it.

Backwards: the numbers are decrypted into ``account_no`` again (this needs the keys that encrypted them).
Each migration runs in its own transaction: schema changes (0003, 0005) and row updates are kept apart.
"""

from django.db import migrations

from minzheng.core.masking import mask_account

# The purpose the ciphertexts are bound to: the same text as payments.models.bank.ACCOUNT_PURPOSE, written
# out here so this migration keeps its meaning whatever the model module becomes.
PURPOSE = "payments.BankAccount.account_no"
BATCH = 1000


def _rewrite(apps, schema_editor, change):
    """``change(ring, row)`` on every bank account, saved in batches (the keys are loaded, or created
    outside production, only when there is a row)."""
    from minzheng.core import fieldcrypto

    BankAccount = apps.get_model("payments", "BankAccount")
    db = schema_editor.connection.alias
    ids = list(BankAccount.objects.using(db).order_by("id").values_list("id", flat=True))
    for i in range(0, len(ids), BATCH):
        rows = list(BankAccount.objects.using(db).filter(pk__in=ids[i : i + BATCH]))
        ring = fieldcrypto.keyring()
        for row in rows:
            change(ring, row)
        BankAccount.objects.using(db).bulk_update(rows, ["account_no", "account_ciphertext", "account_masked"])


def _encrypt(ring, row):
    if row.account_no:  # (a row without it was encrypted already)
        row.account_ciphertext = ring.encrypt(row.account_no, purpose=PURPOSE)
        row.account_masked = mask_account(row.account_no)
        row.account_no = ""


def _decrypt(ring, row):
    row.account_no = ring.decrypt(row.account_ciphertext, purpose=PURPOSE)
    row.account_ciphertext = row.account_masked = ""


def encrypt_numbers(apps, schema_editor):
    _rewrite(apps, schema_editor, _encrypt)


def decrypt_numbers(apps, schema_editor):
    _rewrite(apps, schema_editor, _decrypt)


class Migration(migrations.Migration):

    dependencies = [
        ('payments', '0003_bankaccount_encrypted_number'),
    ]

    operations = [
        migrations.RunPython(encrypt_numbers, decrypt_numbers),
    ]
