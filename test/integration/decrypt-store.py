#!/usr/bin/env python3
"""Decrypts a Strongroom store or backup without any Strongroom code.

Written from docs/format.md (store format 1, schema 8, backup version 1)
alone, with the Python standard library and the `cryptography` package's
AESGCM, so that it checks the document as much as the store: if the two drift
apart, this program fails.

Usage:  decrypt-store.py STORE_DB          < passphrase
        decrypt-store.py --backup FILE     < export passphrase

The passphrase is the first line of stdin. For a store, prints one JSON object:

    {"secrets": {name: current payload, ...},
     "audit": {"intact": bool, "checked": n, "pending": n,
               "firstBrokenSeq": seq or null, "problem": text or null},
     "rows": {"checked": n, "tampered": {name: problem, ...}}}

("rows" from schema 8: the secrets rows whose MAC does not hold.)

plus, when the store has any, "external": {name: "kms" or "remote", ...}: the
secrets whose current value needs a KMS or lives in a remote store (schema 5),
which no offline reader can decrypt.

and for a backup `{"secrets": {name: current payload, ...}}`. A payload is
printed as the text of a `text` secret and as a JSON object for every other
type.

Exit status: 0 decrypted (and, for a store, the audit trail intact and
every row authentic); 3 decrypted but the audit trail is not intact or a
row is not authentic; 1 could not decrypt (wrong
passphrase, altered key, value or backup, unsupported format); 2 usage.
"""

import base64
import hashlib
import hmac
import json
import re
import sqlite3
import sys
import unicodedata
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

SUPPORTED_SCHEMA_VERSIONS = (1, 2, 3, 4, 5, 6, 7, 8, 9, 10)
# From schema 8 every secrets row carries a MAC over the fields that decide which value it gives (section 5.7).
ROW_MAC_SCHEMA = 8
SECRET_TYPES = ("text", "file", "ssh", "ssh-kerberos", "ssh-vault-certificate", "winrm")
BLOB_VERSION = 0x01
NONCE_BYTES = 12
TAG_BYTES = 16
BACKUP_CHECK_TEXT = b"strongroom backup v1"


class DecryptError(Exception):
    pass


def b64(text):
    return base64.b64decode(text, validate=True)


def open_blob(key, blob, aad):
    if len(blob) < 1 + NONCE_BYTES + TAG_BYTES or blob[0] != BLOB_VERSION:
        raise DecryptError("unknown blob format")
    try:
        return AESGCM(key).decrypt(blob[1 : 1 + NONCE_BYTES], blob[1 + NONCE_BYTES :], aad)
    except InvalidTag:
        raise DecryptError("authentication failed") from None


def joined(*parts):
    return b"\x00".join(part.encode("utf-8") for part in parts)


def decode_payload(type_, text):
    if type_ not in SECRET_TYPES:
        raise DecryptError(f"unknown secret type {type_!r}: a newer format")
    if type_ == "text":
        return text
    try:
        payload = json.loads(text)
    except ValueError:
        raise DecryptError(f"a {type_} payload is not JSON") from None
    if not isinstance(payload, dict):
        raise DecryptError(f"a {type_} payload is not a JSON object")
    return payload


def derive_kek(passphrase, kdf):
    if kdf.get("algorithm") != "scrypt":
        raise DecryptError(f"unsupported KDF {kdf.get('algorithm')!r}")
    n, r, p = kdf["N"], kdf["r"], kdf["p"]
    return hashlib.scrypt(
        unicodedata.normalize("NFC", passphrase).encode("utf-8"),
        salt=b64(kdf["salt"]),
        n=n,
        r=r,
        p=p,
        # scrypt needs 128·N·r bytes; OpenSSL counts a little more on top.
        maxmem=256 * n * r + 16 * 1024 * 1024,
        dklen=32,
    )


def unlock(db, passphrase):
    master_keys = {}
    for version, kdf, wrapped in db.execute("SELECT version, kdf, wrapped_key FROM keyring ORDER BY version"):
        kek = derive_kek(passphrase, json.loads(kdf))
        try:
            master_keys[version] = open_blob(kek, b64(wrapped), joined("strongroom/keyring/v1", str(version)))
        except DecryptError:
            raise DecryptError("wrong passphrase (or the keyring was altered)") from None
    if not master_keys:
        raise DecryptError("the store has no keyring: it was never initialized")
    return master_keys


def meta(db, key):
    row = db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
    return json.loads(row[0]) if row else None


def current_values(db, master_keys, external):
    values = {}
    schema = db.execute("PRAGMA user_version").fetchone()[0]
    # Schema 5: a version under a KMS manager names its intermediate key; a version in a secret store holds only its reference.
    extra = ", v.intermediate_key_id, v.remote_reference" if schema >= 5 else ", NULL, NULL"
    rows = db.execute(
        "SELECT s.id, s.name, s.type, s.manager_id, v.version, v.ciphertext, v.wrapped_key, v.keyring_version" + extra
        + " FROM secrets s LEFT JOIN secret_versions v ON v.secret_id = s.id AND v.version = s.current_version"
        " ORDER BY s.name"
    )
    for secret_id, name, type_, manager_id, version, ciphertext, wrapped_key, keyring_version, intermediate_key_id, remote_reference in rows:
        if version is None:
            raise DecryptError(f"secret {name!r} has no row for its current version")
        if intermediate_key_id is not None or remote_reference is not None:
            external[name] = "kms" if intermediate_key_id is not None else "remote"
            continue
        if keyring_version not in master_keys:
            raise DecryptError(f"secret {name!r} names keyring version {keyring_version}, which does not exist")
        address = (secret_id, str(version), type_, manager_id)
        try:
            data_key = open_blob(master_keys[keyring_version], b64(wrapped_key), joined("strongroom/data-key/v1", *address))
            payload = open_blob(data_key, b64(ciphertext), joined("strongroom/secret/v1", *address)).decode("utf-8")
            values[name] = decode_payload(type_, payload)
        except DecryptError as error:
            raise DecryptError(f"secret {name!r} version {version}: {error}") from None
    return values


def open_backup_line(key, line, aad, what):
    try:
        return open_blob(key, b64(line), aad)
    except (DecryptError, ValueError):
        raise DecryptError(f"{what} of the backup is damaged, out of order or missing") from None


def backup_values(path, passphrase):
    lines = [line for line in path.read_bytes().decode("utf-8").split("\n") if line.strip()]
    try:
        header = json.loads(lines[0]) if lines else None
    except ValueError:
        header = None
    if not isinstance(header, dict) or header.get("format") != "strongroom-backup":
        raise DecryptError("not a Strongroom backup")
    if header.get("version") != 1:
        raise DecryptError(f"backup version {header.get('version')!r} is not version 1")
    if len(lines) < 3:
        raise DecryptError("the backup is cut short: it has no chunks")
    if not isinstance(header.get("kdf"), dict) or not isinstance(header.get("check"), str):
        raise DecryptError("the backup header has no kdf or check")
    key = derive_kek(passphrase, header["kdf"])
    try:
        check = open_blob(key, b64(header["check"]), b"strongroom/backup/check/v1")
    except (DecryptError, ValueError):
        raise DecryptError("wrong passphrase for this backup (or its header was altered)") from None
    if check != BACKUP_CHECK_TEXT:
        raise DecryptError("the backup's check blob holds the wrong text")

    chunk_lines = lines[1:-1]
    records = []
    for index, line in enumerate(chunk_lines):
        plain = open_backup_line(key, line, joined("strongroom/backup/chunk/v1", str(index)), f"chunk {index}")
        records.extend(json.loads(plain.decode("utf-8")))
    end = json.loads(open_backup_line(key, lines[-1], b"strongroom/backup/end/v1", "the end line").decode("utf-8"))
    if end.get("chunks") != len(chunk_lines):
        raise DecryptError(f"the backup declares {end.get('chunks')} chunks but holds {len(chunk_lines)}")

    values = {}
    for record in records:
        secret = record["meta"]
        if secret.get("kind") == "catalog":
            continue
        if secret.get("kind") != "secret":
            raise DecryptError(f"a backup record of unknown kind {secret.get('kind')!r}")
        for version in record["versions"]:
            address = version["address"]
            if address["secretId"] != secret["id"] or address["version"] != version["meta"]["version"] or address["type"] != secret["type"]:
                raise DecryptError(f"secret {secret['name']!r}: a version's address does not match its record")
        current = [version for version in record["versions"] if version["meta"]["version"] == secret["currentVersion"]]
        if len(current) != 1:
            raise DecryptError(f"secret {secret['name']!r} has no single copy of its current version {secret['currentVersion']}")
        if "remote" in current[0]["meta"]:
            # A secret-store value: the backup holds only where it lives (schema 5).
            continue
        values[secret["name"]] = decode_payload(secret["type"], current[0]["payload"])
    return values


def canonical_json(value):
    if isinstance(value, dict):
        # Sorted by UTF-16 code units, as JavaScript compares strings.
        members = sorted(value.items(), key=lambda item: item[0].encode("utf-16-be"))
        return "{" + ",".join(f"{json.dumps(k, ensure_ascii=False)}:{canonical_json(v)}" for k, v in members) + "}"
    if isinstance(value, list):
        return "[" + ",".join(canonical_json(v) for v in value) + "]"
    return json.dumps(value, ensure_ascii=False)


def chain_hash(previous_hash, row):
    body = canonical_json({key: row[key] for key in ("seq", "at", "actor", "action", "target", "outcome", "detail")})
    return base64.b64encode(hashlib.sha256(f"{previous_hash}\n{body}".encode("utf-8")).digest()).decode("ascii")


def audit_mac(audit_key, label, seq, hash_text):
    digest = hmac.new(audit_key, joined(label, str(seq), hash_text), hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")


def open_audit_key(db, master_keys):
    wrapped = meta(db, "keyring.auditKey")
    if wrapped is None or wrapped.get("keyringVersion") not in master_keys:
        raise DecryptError("the audit key is missing or names an unknown keyring version")
    return open_blob(master_keys[wrapped["keyringVersion"]], b64(wrapped["wrapped"]), b"strongroom/audit-key/v1")


def hkdf_sha256(ikm, info, length=32):
    # RFC 5869 with an empty salt, which HMAC treats like HashLen zero bytes.
    prk = hmac.new(b"", ikm, hashlib.sha256).digest()
    okm, block, counter = b"", b"", 1
    while len(okm) < length:
        block = hmac.new(prk, block + info + bytes([counter]), hashlib.sha256).digest()
        okm += block
        counter += 1
    return okm[:length]


def verify_rows(db, audit_key):
    """Section 5.7: every secrets row's MAC, and the trail length it expects."""
    key = hkdf_sha256(audit_key, b"strongroom/row-mac-key/v1")
    trail_length = db.execute("SELECT COALESCE(MAX(seq), 0) FROM audit_log").fetchone()[0]
    db.row_factory = sqlite3.Row
    tampered = {}
    checked = 0
    for row in db.execute("SELECT * FROM secrets ORDER BY name").fetchall():
        checked += 1
        if row["row_mac"] is None or row["audit_seq"] is None:
            tampered[row["name"]] = "no MAC"
            continue
        if row["audit_seq"] > trail_length:
            tampered[row["name"]] = "the audit trail is shorter than when it was written"
            continue
        entries = [
            {"applicationId": e["application_id"], "environmentId": e["environment_id"], "environmentType": e["environment_type"]}
            for e in db.execute(
                "SELECT application_id, environment_id, environment_type FROM scope_entries WHERE owner_kind = 'secret' AND owner_id = ?", (row["id"],)
            ).fetchall()
        ]
        entries.sort(key=lambda entry: canonical_json(entry).encode("utf-16-be"))
        fields = {
            "id": row["id"],
            "name": row["name"],
            "type": row["type"],
            "managerId": row["manager_id"],
            "currentVersion": row["current_version"],
            "reference": row["reference"],
            "remoteName": row["remote_name"],
            "scoped": row["scoped"] == 1,
            "scopeToAccount": row["scope_to_account"] == 1,
            "scopeEntries": entries,
            "auditSeq": row["audit_seq"],
        }
        message = b"strongroom/secret-row/v1\x00" + canonical_json(fields).encode("utf-8")
        expected = base64.b64encode(hmac.new(key, message, hashlib.sha256).digest()).decode("ascii")
        if not hmac.compare_digest(expected, row["row_mac"]):
            tampered[row["name"]] = "the row does not match its MAC"
    return {"checked": checked, "tampered": tampered}


def verify_audit(db, audit_key):
    head = meta(db, "audit.head")
    head_seq = head["seq"] if head else 0
    checked = 0
    pending = 0

    def broken(seq, problem):
        return {"intact": False, "checked": checked, "pending": pending, "firstBrokenSeq": seq, "problem": problem}

    db.row_factory = sqlite3.Row
    rows = db.execute("SELECT seq, at, actor, action, target, outcome, detail, hash, mac FROM audit_log ORDER BY seq").fetchall()
    previous_hash = ""
    hash_at_head = None
    for expected_seq, row in enumerate(rows, start=1):
        seq = row["seq"]
        if seq != expected_seq:
            return broken(expected_seq, f"entry {expected_seq} is missing: the chain jumps to {seq}")
        if chain_hash(previous_hash, row) != row["hash"]:
            return broken(seq, f"entry {seq} was altered, or an entry before it was removed")
        if seq <= head_seq:
            if row["mac"] is None:
                return broken(seq, f"entry {seq} is older than the head but was never sealed")
            if not hmac.compare_digest(audit_mac(audit_key, "strongroom/audit/entry/v1", seq, row["hash"]), row["mac"]):
                return broken(seq, f"entry {seq} does not carry a valid MAC: the chain was rewritten")
            checked += 1
        elif row["mac"] is not None:
            return broken(seq, f"entry {seq} is sealed but lies beyond the head ({head_seq})")
        else:
            pending += 1
        if seq == head_seq:
            hash_at_head = row["hash"]
        previous_hash = row["hash"]
    if rows and head is None:
        return broken(rows[-1]["seq"], "the chain head record is missing")
    if head is not None:
        if not hmac.compare_digest(audit_mac(audit_key, "strongroom/audit/head/v1", head["seq"], head["hash"]), head["mac"]):
            return broken(head["seq"], "the chain head record does not carry a valid MAC")
        if hash_at_head is None:
            return broken(len(rows) + 1, f"the chain was cut: entries {len(rows) + 1} to {head['seq']} are missing")
        if hash_at_head != head["hash"]:
            return broken(head["seq"], f"entry {head['seq']} does not match the chain head")
    return {"intact": True, "checked": checked, "pending": pending, "firstBrokenSeq": None, "problem": None}


def print_json(value):
    sys.stdout.buffer.write(json.dumps(value, ensure_ascii=False, indent=2).encode("utf-8") + b"\n")


def main(argv):
    backup = len(argv) == 3 and argv[1] == "--backup"
    if len(argv) != 2 and not backup:
        print("usage: decrypt-store.py STORE_DB  < passphrase\n       decrypt-store.py --backup FILE  < export passphrase", file=sys.stderr)
        return 2
    path = Path(argv[-1]).resolve()
    if not path.is_file():
        print(f"decrypt-store: no such file: {path}", file=sys.stderr)
        return 2
    passphrase = re.split(r"\r?\n", sys.stdin.buffer.read().decode("utf-8"), maxsplit=1)[0]
    if not passphrase:
        print("decrypt-store: no passphrase on stdin", file=sys.stderr)
        return 2
    if backup:
        try:
            secrets = backup_values(path, passphrase)
        except DecryptError as error:
            print(f"decrypt-store: {error}", file=sys.stderr)
            return 1
        print_json({"secrets": secrets})
        return 0
    db = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)
    try:
        schema = db.execute("PRAGMA user_version").fetchone()[0]
        if schema not in SUPPORTED_SCHEMA_VERSIONS:
            raise DecryptError(f"schema version {schema} is not store format 1")
        master_keys = unlock(db, passphrase)
        external = {}
        secrets = current_values(db, master_keys, external)
        audit_key = open_audit_key(db, master_keys)
        audit = verify_audit(db, audit_key)
        rows = verify_rows(db, audit_key) if schema >= ROW_MAC_SCHEMA else None
    except DecryptError as error:
        print(f"decrypt-store: {error}", file=sys.stderr)
        return 1
    finally:
        db.close()
    print_json({"secrets": secrets, "audit": audit, **({"rows": rows} if rows is not None else {}), **({"external": external} if external else {})})
    return 0 if audit["intact"] and not (rows and rows["tampered"]) else 3


if __name__ == "__main__":
    sys.exit(main(sys.argv))
