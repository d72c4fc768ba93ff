"""``minzheng manage field_keys new | status | reencrypt``: the keys of the bank account numbers encrypted at
rest (``core/fieldcrypto.py``, docs/payments.md "Bank account numbers at rest").

- ``new``: print a new random key (nothing is stored: put it first in ``MINZHENG_FIELD_KEY`` or the key file).
- ``status``: where the keys come from, their ids (the encrypting one first) and how many accounts each
  key holds, read from the stored prefixes (nothing is decrypted).
- ``reencrypt``: after a new key was put first, re-encrypt the accounts still under older keys (audited),
  so that the older keys can be removed.
"""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import Count
from django.db.models.functions import Substr

from minzheng.core import fieldcrypto
from minzheng.payments.actions import reencrypt_bank_accounts
from minzheng.payments.models import BankAccount


class Command(BaseCommand):
    help = "银行账号加密密钥：new 生成新密钥，status 查看各密钥加密的账号数，reencrypt 轮换后用当前密钥重新加密"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("what", choices=["new", "status", "reencrypt"])

    def handle(self, *args: Any, **options: Any) -> None:
        if options["what"] == "new":
            key = fieldcrypto.generate_key()
            self.stdout.write(f"{key}\n# key id {fieldcrypto.key_id(fieldcrypto.parse_keys(key, source='new')[0])}")
            return
        ring = fieldcrypto.keyring()
        if options["what"] == "reencrypt":
            moved = reencrypt_bank_accounts(user=None)
            self.stdout.write(json.dumps({"key": ring.current_id, "reencrypted": moved}, ensure_ascii=False))
            return
        prefix = len(fieldcrypto.FORMAT) + 2
        held = dict(BankAccount.objects.annotate(kid=Substr("account_ciphertext", prefix, 8)).values("kid")
                    .annotate(n=Count("id")).order_by("kid").values_list("kid", "n"))
        status = {"source": ring.source, "keys": ring.ids, "current": ring.current_id, "accounts_by_key": held}
        self.stdout.write(json.dumps(status, ensure_ascii=False))
        missing = sorted(set(held) - set(ring.ids))
        if missing:
            raise CommandError(f"accounts are encrypted with keys that are not configured: {', '.join(missing)}")
