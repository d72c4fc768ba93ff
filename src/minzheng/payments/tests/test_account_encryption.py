"""Bank account numbers at rest: the table holds a ciphertext and the masked form, never the number; the bank
file still carries it whole; pages and reconciliation never decrypt; a wrong key or an altered value fails
loudly; keys rotate (old values stay readable, ``reencrypt`` moves them); the key file; the data migration."""

from __future__ import annotations

import csv
import io
import json
import stat
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.template import Context, Template
from django.urls import reverse
from openpyxl import load_workbook

from minzheng.audit.models import AuditEvent
from minzheng.core import fieldcrypto
from minzheng.core.errors import Forbidden
from minzheng.core.fieldcrypto import DecryptionError, FieldKeyError
from minzheng.core.models import Person
from minzheng.payments import actions as a
from minzheng.payments.models import BankAccount, Disbursement
from minzheng.payments.models.bank import ACCOUNT_PURPOSE
from minzheng.payments.tests.support import D, Y, enrolled, released
from minzheng.testing import factories as f

NUMBER = "6222020402011112222"
MASKED = "***************2222"
KEY_A, KEY_B = fieldcrypto.generate_key(), fieldcrypto.generate_key()


def _kid(key: str) -> str:
    return fieldcrypto.key_id(fieldcrypto.parse_keys(key, source="test")[0])


@pytest.fixture
def keys(monkeypatch):
    """``keys("k1", "k2")`` configures MINZHENG_FIELD_KEY for the rest of the test (the first encrypts)."""

    def use(*values: str) -> fieldcrypto.KeyRing:
        monkeypatch.setenv(fieldcrypto.ENV_VAR, ",".join(values))
        fieldcrypto.reset()
        return fieldcrypto.keyring()

    fieldcrypto.reset()
    yield use
    fieldcrypto.reset()  # the environment is restored after this (monkeypatch tears down later)


def _record(users: dict[str, Any], household: Any, number: str = NUMBER) -> BankAccount:
    head = household.memberships.get(relation="户主").person
    return a.record_bank_account(user=users["district"], household=household, holder_name=head.name,
                                 bank_name="中国工商银行沈阳分行", account_no=number)


@pytest.fixture
def paid(users, household_a, approver):
    """A released June payroll paying household_a into NUMBER."""
    head = household_a.memberships.get(relation="户主").person
    Person.objects.filter(pk=head.pk).update(monthly_income=Y(1000))
    enrolled(users, household=household_a, start=D(2025, 6, 1))
    _record(users, household_a)
    return released(users, approver, "2025-06")


def _raw_rows() -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM payments_bankaccount")
        columns = [c[0] for c in cursor.description]
        return [(*columns, *row) for row in cursor.fetchall()]


def _raw(column: str, pk: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM payments_bankaccount WHERE id = %s", [pk])  # noqa: S608
        return cursor.fetchone()[0]


def test_the_table_holds_a_ciphertext_and_the_masked_form_never_the_number(users, household_a) -> None:
    account = _record(users, household_a)
    rows = _raw_rows()
    assert len(rows) == 1 and "account_no" not in rows[0]
    assert all(NUMBER not in str(value) for value in rows[0])  # no column holds it, nor contains it
    stored = _raw("account_ciphertext", account.pk)
    assert stored != NUMBER and stored.startswith(f"mz1:{fieldcrypto.keyring().current_id}:")
    assert _raw("account_masked", account.pk) == MASKED
    # Two accounts with the same number do not share a ciphertext (a random nonce per value).
    again = _record(users, household_a)
    assert _raw("account_ciphertext", again.pk) != stored
    assert BankAccount.objects.get(pk=account.pk).account_number() == NUMBER
    # The audit trail of the recording shows the masked form only.
    event = AuditEvent.objects.get(object_type="payments.bankaccount", object_id=str(account.pk))
    assert NUMBER not in json.dumps(event.after, ensure_ascii=False) + event.summary and MASKED in event.summary


def test_the_bank_file_carries_the_whole_number(users, paid, client) -> None:
    disbursement = Disbursement.objects.get()
    line = disbursement.lines.get()
    _name, content, _kind = a.export_bank_file(disbursement, user=users["district"], fmt="csv")
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    assert rows[1][1:4] == [line.reference, line.payee_name, NUMBER]
    _name, content, _kind = a.export_bank_file(disbursement, user=users["district"], fmt="xlsx")
    sheet = load_workbook(io.BytesIO(content), read_only=True).active
    assert [str(v) for v in list(sheet.iter_rows(values_only=True))[1][1:4]] == [line.reference, line.payee_name,
                                                                                    NUMBER]


def test_pages_and_reconciliation_never_decrypt(users, paid, household_a, client, monkeypatch) -> None:
    def refuse(*args: Any, **kwargs: Any) -> str:
        raise AssertionError("decrypted outside the bank file")

    disbursement = Disbursement.objects.get()
    line = disbursement.lines.get()
    monkeypatch.setattr(fieldcrypto.KeyRing, "decrypt", refuse)
    client.force_login(users["district"])
    pages = [reverse("payments:disbursement_detail", args=[disbursement.pk]),
             reverse("payments:line_detail", args=[line.pk]),
             reverse("payments:account_new", args=[household_a.pk]),
             reverse("web:core:household_detail", args=[household_a.pk])]
    for url in pages:
        page = client.get(url).content.decode()
        assert NUMBER not in page and MASKED in page, url  # the masking as before
    # The return file's last four digits are compared with the masked form's.
    content = f"业务参考号,收款账号,金额,处理结果\n{line.reference},{NUMBER},{line.amount},成功\n".encode()
    result = a.import_bank_return(disbursement, user=users["district"], file_name="回盘.csv", content=content)
    assert result.counts["paid"] == 1
    wrong = f"业务参考号,收款账号,金额,处理结果\n{line.reference},6222000000000009999,{line.amount},成功\n".encode()
    result = a.import_bank_return(disbursement, user=users["district"], file_name="回盘2.csv", content=wrong)
    assert result.counts["mismatch"] == 1


def test_a_template_cannot_render_the_whole_number(users, household_a) -> None:
    account = _record(users, household_a)
    out = Template("[{{ a.account_number }}][{{ a.masked }}]").render(Context({"a": account}))
    assert NUMBER not in out and MASKED in out


def test_a_wrong_key_or_an_altered_value_fails_loudly(users, paid, keys, client) -> None:
    disbursement = Disbursement.objects.get()
    account = BankAccount.objects.get()
    keys(KEY_A)  # a key ring without the key the account was recorded with
    with pytest.raises(DecryptionError, match="未配置"):
        BankAccount.objects.get().account_number()
    with pytest.raises(DecryptionError):  # no bank file with empty or garbled numbers
        a.export_bank_file(disbursement, user=users["district"], fmt="csv")
    client.force_login(users["district"])
    with pytest.raises(DecryptionError):  # the page fails (a 500, logged), it does not serve a file
        client.get(reverse("payments:disbursement_file", args=[disbursement.pk, "csv"]))
    assert not AuditEvent.objects.filter(action="export").exists()  # nothing was handed out
    # A key that claims the right id cannot exist (the id is the key's digest), so: an altered value,
    # a value moved to another purpose, a value that is not ours.
    ring = keys(KEY_A)
    stored = ring.encrypt(NUMBER, purpose=ACCOUNT_PURPOSE)
    head, body = stored.rsplit(":", 1)
    flipped = body[:10] + ("A" if body[10] != "A" else "B") + body[11:]
    for value, purpose in ((f"{head}:{flipped}", ACCOUNT_PURPOSE), (stored, "core.Person.id_number"),
                           (NUMBER, ACCOUNT_PURPOSE), (f"{head}:", ACCOUNT_PURPOSE)):
        with pytest.raises(DecryptionError):
            ring.decrypt(value, purpose=purpose)
    assert ring.decrypt(stored, purpose=ACCOUNT_PURPOSE) == NUMBER
    assert account.account_masked == MASKED


def test_rotation_old_values_stay_readable_and_reencrypt_moves_them(users, household_a, household_b,
                                                                      keys) -> None:
    ring_a = keys(KEY_A)
    old = _record(users, household_a)
    ring = keys(KEY_B, KEY_A)  # a new key first, the old one kept
    assert ring.ids == [_kid(KEY_B), _kid(KEY_A)] and ring_a.current_id == _kid(KEY_A)
    new = _record(users, household_b, "6217000010012345678")
    assert fieldcrypto.key_id_of(_raw("account_ciphertext", old.pk)) == ring_a.current_id
    assert fieldcrypto.key_id_of(_raw("account_ciphertext", new.pk)) == ring.current_id != ring_a.current_id
    assert BankAccount.objects.get(pk=old.pk).account_number() == NUMBER  # the old key still decrypts
    assert BankAccount.objects.get(pk=new.pk).account_number() == "6217000010012345678"
    out = io.StringIO()
    call_command("field_keys", "status", stdout=out)
    assert json.loads(out.getvalue())["accounts_by_key"] == {ring_a.current_id: 1, ring.current_id: 1}
    # Re-encrypt what is under the old key, then retire it.
    with pytest.raises(Forbidden):
        a.reencrypt_bank_accounts(user=users["district"])
    assert a.reencrypt_bank_accounts(user=None) == {ring_a.current_id: 1}
    event = AuditEvent.objects.get(object_type="payments.bankaccount", action="update")
    assert event.after["accounts"] == 1 and NUMBER not in json.dumps(event.after)
    assert a.reencrypt_bank_accounts(user=None) == {}  # nothing left to move
    keys(KEY_B)
    assert BankAccount.objects.get(pk=old.pk).account_number() == NUMBER
    assert _raw("account_masked", old.pk) == MASKED
    keys(KEY_A)  # the retired key alone reads nothing any more
    with pytest.raises(DecryptionError):
        BankAccount.objects.get(pk=old.pk).account_number()
    out = io.StringIO()
    with pytest.raises(CommandError, match="not configured"):
        call_command("field_keys", "status", stdout=out)


def test_the_key_file_is_created_once_owner_only_and_never_in_production(settings, tmp_path, keys,
                                                                          monkeypatch) -> None:
    monkeypatch.delenv(fieldcrypto.ENV_VAR, raising=False)
    path = tmp_path / "field_keys"
    settings.MINZHENG_FIELD_KEY_FILE = path
    ring = fieldcrypto.keyring()
    assert path.exists() and stat.S_IMODE(path.stat().st_mode) == 0o600 and ring.source == str(path)
    fieldcrypto.reset()
    assert fieldcrypto.keyring().ids == ring.ids  # read again, not replaced
    value = ring.encrypt(NUMBER, purpose=ACCOUNT_PURPOSE)
    # Rotation with the file: a new key on top, the old one below.
    path.write_text(f"# rotated\n{KEY_B}\n{path.read_text()}")
    fieldcrypto.reset()
    assert fieldcrypto.decrypt(value, purpose=ACCOUNT_PURPOSE) == NUMBER
    assert fieldcrypto.keyring().current_id == _kid(KEY_B)
    path.chmod(0o640)
    fieldcrypto.reset()
    with pytest.raises(FieldKeyError, match="chmod 600"):
        fieldcrypto.keyring()
    settings.MINZHENG_FIELD_KEY_FILE = tmp_path / "elsewhere"
    settings.PRODUCTION = True
    with pytest.raises(FieldKeyError, match="must be set in production"):
        fieldcrypto.keyring()
    assert not (tmp_path / "elsewhere").exists()
    for bad in ("not-a-key", KEY_A[:20], f"{KEY_A},???"):
        with pytest.raises(FieldKeyError):
            keys(bad)


def test_field_keys_new_prints_a_usable_key(keys) -> None:
    out = io.StringIO()
    call_command("field_keys", "new", stdout=out)
    key = out.getvalue().splitlines()[0]
    ring = keys(key)
    assert f"key id {ring.current_id}" in out.getvalue()
    assert ring.decrypt(ring.encrypt(NUMBER, purpose="t"), purpose="t") == NUMBER


@pytest.mark.django_db(transaction=True)
def test_the_migration_encrypts_existing_numbers_and_back(tree) -> None:
    household = f.make_household(f.COMMUNITY_A, members=1)
    before, leaf = ("payments", "0003_bankaccount_encrypted_number"), ("payments", "0005_remove_bankaccount_account_no")
    executor = MigrationExecutor(connection)
    try:
        executor.migrate([before])
        old = executor.loader.project_state([before]).apps.get_model("payments", "BankAccount")
        pk = old.objects.create(household_id=household.pk, holder_name="王建国", bank_name="沈阳农商银行",
                                account_no=NUMBER).pk
        executor = MigrationExecutor(connection)
        executor.migrate([leaf])
        assert all(NUMBER not in str(value) for value in _raw_rows()[0])
        assert (_raw("account_masked", pk), BankAccount.objects.get(pk=pk).account_number()) == (MASKED, NUMBER)
        executor = MigrationExecutor(connection)
        executor.migrate([before])  # reversible: the numbers come back in the plain column
        assert (_raw("account_no", pk), _raw("account_ciphertext", pk), _raw("account_masked", pk)) == (NUMBER, "", "")
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate([leaf])
