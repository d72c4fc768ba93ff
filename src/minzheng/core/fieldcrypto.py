"""Encryption at rest of single sensitive values (bank account numbers): AES-256-GCM, with key rotation.

A stored value is ``mz1:<key id>:<base64url(nonce ‖ ciphertext ‖ tag)>``: ``mz1`` is the format, the key id
is the first 8 hex digits of the key's SHA-256 (so a value names the key that encrypted it, and a key can
never be filed under another's id). The nonce is 12 random bytes per value. The associated data is the
header and the value's *purpose* (e.g. ``payments.BankAccount.account_no``): a value that was altered, or
copied into another kind of field, does not decrypt.

Keys are 32 random bytes in URL-safe base64 (:func:`generate_key`). Where they come from:

- ``MINZHENG_FIELD_KEY`` (environment), if set: one key, or several separated by commas or whitespace.
- Otherwise the key file ``<MINZHENG_DATA_DIR>/field_keys``: one key a line, ``#`` comments. Outside
  production it is created (mode 0600) on first use; in production the settings refuse to start when
  neither the variable nor the file exists. A key file that its group or others may read is refused.

The **first** key encrypts; every key listed decrypts. Rotation: put a new key first and keep the old
ones after it; old values stay readable, new values use the new key, and
``minzheng manage field_keys reencrypt`` rewrites the old values so the old key can then be removed.

Nothing here ever returns an empty or partial value for one it cannot decrypt: an unknown key id, a
wrong key, an altered value or a wrong purpose raise :class:`DecryptionError`.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import hashlib
import os
import re
import secrets
import stat
import threading
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.core.exceptions import ImproperlyConfigured
from django.core.signals import setting_changed
from django.dispatch import receiver

__all__ = [
    "ENV_VAR",
    "DecryptionError",
    "FieldKeyError",
    "KeyRing",
    "decrypt",
    "encrypt",
    "generate_key",
    "key_id",
    "key_id_of",
    "keyring",
    "reset",
]

ENV_VAR = "MINZHENG_FIELD_KEY"
FORMAT = "mz1"
NONCE_BYTES = 12
KEY_BYTES = 32
_SPLIT = re.compile(r"[\s,]+")
FILE_HEADER = (
    "# Minzheng: keys of the values encrypted at rest (AES-256-GCM). The first key encrypts, every key decrypts.\n"
    "# Keep this file (mode 0600) and its copies apart from database backups: without it they cannot be read.\n"
)


class FieldKeyError(ImproperlyConfigured):
    """The keys are missing or malformed."""


class DecryptionError(RuntimeError):
    """A stored value could not be decrypted (key not configured, wrong key, value altered)."""


def generate_key() -> str:
    """A new random key, as it is written in ``MINZHENG_FIELD_KEY`` or the key file."""
    return base64.urlsafe_b64encode(secrets.token_bytes(KEY_BYTES)).decode("ascii")


def key_id(key: bytes) -> str:
    return hashlib.sha256(key).hexdigest()[:8]


def key_id_of(value: str) -> str:
    """The id of the key a stored value was encrypted with (read from its prefix, nothing decrypted)."""
    parts = value.split(":", 2)
    if len(parts) != 3 or parts[0] != FORMAT:
        raise DecryptionError("不是可识别的加密值（缺少 mz1 前缀）")
    return parts[1]


def parse_keys(text: str, *, source: str) -> list[bytes]:
    """The keys of an environment value or a key file (``#`` starts a comment)."""
    keys: list[bytes] = []
    for line in text.splitlines():
        for token in _SPLIT.split(line.split("#", 1)[0]):
            if not token:
                continue
            try:
                key = base64.b64decode(token.encode("ascii"), altchars=b"-_", validate=True)
            except (binascii.Error, UnicodeEncodeError, ValueError):
                raise FieldKeyError(f"{source}: a key is not URL-safe base64") from None
            if len(key) != KEY_BYTES:
                raise FieldKeyError(f"{source}: a key must be {KEY_BYTES} bytes (it has {len(key)})")
            keys.append(key)
    if not keys:
        raise FieldKeyError(f"{source}: no key")
    return keys


class KeyRing:
    """The configured keys: the first encrypts, all decrypt (looked up by the id in the value)."""

    def __init__(self, keys: Iterable[bytes], *, source: str = "") -> None:
        self.source = source
        self._ciphers: dict[str, AESGCM] = {}
        for key in keys:
            if len(key) != KEY_BYTES:
                raise FieldKeyError(f"a key must be {KEY_BYTES} bytes")
            self._ciphers.setdefault(key_id(key), AESGCM(key))
        if not self._ciphers:
            raise FieldKeyError("no key")
        self.current_id = next(iter(self._ciphers))

    @property
    def ids(self) -> list[str]:
        """The key ids, the encrypting one first."""
        return list(self._ciphers)

    def encrypt(self, text: str, *, purpose: str) -> str:
        nonce = secrets.token_bytes(NONCE_BYTES)
        sealed = self._ciphers[self.current_id].encrypt(nonce, text.encode("utf-8"), _aad(self.current_id, purpose))
        return f"{FORMAT}:{self.current_id}:{base64.urlsafe_b64encode(nonce + sealed).decode('ascii')}"

    def decrypt(self, value: str, *, purpose: str) -> str:
        kid = key_id_of(value)
        cipher = self._ciphers.get(kid)
        if cipher is None:
            raise DecryptionError(f"加密值使用的密钥 {kid} 未配置（已配置：{', '.join(self.ids)}）")
        try:
            raw = base64.urlsafe_b64decode(value.split(":", 2)[2].encode("ascii"))
            return cipher.decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], _aad(kid, purpose)).decode("utf-8")
        except (InvalidTag, binascii.Error, ValueError):
            raise DecryptionError(f"加密值无法用密钥 {kid} 解密（密钥错误或数据被改动）") from None


def _aad(kid: str, purpose: str) -> bytes:
    return f"{FORMAT}:{kid}:{purpose}".encode()


def _key_file() -> Path:
    from django.conf import settings

    return Path(getattr(settings, "MINZHENG_FIELD_KEY_FILE", settings.DATA_DIR / "field_keys"))


def _read_key_file(path: Path) -> KeyRing:
    mode = path.stat().st_mode
    if os.name == "posix" and mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise FieldKeyError(f"{path}: the key file must be readable by its owner only (chmod 600 {path})")
    return KeyRing(parse_keys(path.read_text(encoding="ascii"), source=str(path)), source=str(path))


def _create_key_file(path: Path) -> None:
    """Write a new key file atomically: a finished file appears under its name, or nothing (another
    process that created it first wins, and its key is used)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="ascii") as out:
            out.write(FILE_HEADER + generate_key() + "\n")
            out.flush()
            os.fsync(out.fileno())
        with contextlib.suppress(FileExistsError):  # another process made it first: its key is used
            os.link(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def load_keyring() -> KeyRing:
    """The keys from ``MINZHENG_FIELD_KEY``, else from the key file (created outside production)."""
    from django.conf import settings

    env = os.environ.get(ENV_VAR, "")
    if env.strip():
        return KeyRing(parse_keys(env, source=ENV_VAR), source=ENV_VAR)
    path = _key_file()
    if not path.exists():
        if getattr(settings, "PRODUCTION", False):
            raise FieldKeyError(f"{ENV_VAR} must be set in production (or the key file {path} created beforehand)")
        _create_key_file(path)
    return _read_key_file(path)


_lock = threading.Lock()
_cached: KeyRing | None = None


def keyring() -> KeyRing:
    """The process's key ring, loaded once (see :func:`reset`)."""
    global _cached
    ring = _cached
    if ring is None:
        with _lock:
            if _cached is None:
                _cached = load_keyring()
            ring = _cached
    return ring


def reset() -> None:
    """Forget the loaded keys (the next use reads the environment and the key file again)."""
    global _cached
    with _lock:
        _cached = None


@receiver(setting_changed)
def _settings_changed(*, setting: str, **_: Any) -> None:
    if setting in {"DATA_DIR", "MINZHENG_FIELD_KEY_FILE", "PRODUCTION"}:
        reset()


def encrypt(text: str, *, purpose: str) -> str:
    return keyring().encrypt(text, purpose=purpose)


def decrypt(value: str, *, purpose: str) -> str:
    return keyring().decrypt(value, purpose=purpose)
