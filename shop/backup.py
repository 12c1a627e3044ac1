"""Back up and restore the database: pg_dump / pg_restore on PostgreSQL, SQLite's online backup API
(a consistent copy while the store runs) on SQLite. Every backup is verified, old ones are pruned.

django-dbbackup was considered; its SQLite connector writes an SQL text dump and it has no
verification step, while this is the whole of what we need in one place.
"""

import os
import sqlite3
import subprocess
from contextlib import closing
from pathlib import Path

from django.conf import settings
from django.db import connection, connections
from django.utils import timezone
from django.utils.translation import gettext as _

from shop.audit import record
from shop.errors import DomainError


class BackupError(DomainError):
    code = "backup_failed"


def _db():
    return connection.settings_dict


def _sqlite(name=None, readonly=False):
    """Connect to a SQLite file (or the in-memory test database, which has a URI name)."""
    name = str(name or _db()["NAME"])
    if readonly:
        return sqlite3.connect(f"file:{name}?mode=ro", uri=True)
    return sqlite3.connect(name, uri=name.startswith("file:"))


def _is_sqlite():
    return _db()["ENGINE"].endswith("sqlite3")


def _pg_env():
    db = _db()
    env = dict(os.environ)
    env.update(
        {
            "PGHOST": str(db.get("HOST") or ""),
            "PGPORT": str(db.get("PORT") or ""),
            "PGUSER": str(db.get("USER") or ""),
            "PGDATABASE": db["NAME"],
        }
    )
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    return {k: v for k, v in env.items() if v != ""}


def _run(args, env=None):
    result = subprocess.run(args, capture_output=True, text=True, env=env, check=False)
    if result.returncode != 0:
        raise BackupError(_("%(cmd)s failed: %(err)s") % {"cmd": args[0], "err": result.stderr.strip()[:500]})
    return result.stdout


def verify(path: Path) -> None:
    """Raise BackupError unless `path` is a readable, complete backup."""
    if not path.exists() or path.stat().st_size == 0:
        raise BackupError(_("The backup file %(p)s is missing or empty.") % {"p": path})
    if path.suffix == ".sqlite3":
        try:
            with closing(_sqlite(path, readonly=True)) as check:
                if check.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
                    raise BackupError(_("The backup %(p)s failed its integrity check.") % {"p": path})
                if not check.execute("SELECT count(*) FROM django_migrations").fetchone()[0]:
                    raise BackupError(_("The backup %(p)s holds no schema.") % {"p": path})
        except sqlite3.DatabaseError as e:
            raise BackupError(_("The backup %(p)s failed its integrity check.") % {"p": path}) from e
    else:
        listing = _run(["pg_restore", "--list", str(path)])
        if "TABLE DATA" not in listing or "django_migrations" not in listing:
            raise BackupError(_("The backup %(p)s holds no table data.") % {"p": path})


def backup_create(*, directory=None, keep=None, actor=None) -> Path:
    """Write a verified backup to BACKUP_DIR, prune the oldest beyond `keep`, return its path."""
    directory = Path(directory or settings.BACKUP_DIR)
    directory.mkdir(parents=True, exist_ok=True)
    stamp = timezone.now().strftime("%Y%m%d-%H%M%S-%f")
    if _is_sqlite():
        path = directory / f"houtai-{stamp}.sqlite3"
        with closing(_sqlite()) as source, closing(_sqlite(path)) as target:
            source.backup(target)
            # The live database is in WAL mode; the backup is one self-contained file, no -wal/-shm.
            target.execute("PRAGMA journal_mode=DELETE")
    else:
        path = directory / f"houtai-{stamp}.dump"
        _run(["pg_dump", "--format=custom", "--no-owner", f"--file={path}"], env=_pg_env())
    try:
        verify(path)
    except BackupError:
        path.unlink(missing_ok=True)
        raise
    _prune(directory, keep if keep is not None else settings.BACKUP_KEEP)
    record(actor, "settings.backup", None, after={"file": path.name, "bytes": path.stat().st_size})
    return path


def _prune(directory: Path, keep: int):
    backups = sorted(directory.glob("houtai-*"), key=lambda p: p.name, reverse=True)
    for old in backups[max(keep, 1) :]:
        old.unlink()


def restore(path) -> None:
    """Replace the database's contents with the backup at `path` (verified first)."""
    path = Path(path)
    verify(path)
    connections.close_all()
    if _is_sqlite():
        if path.suffix != ".sqlite3":
            raise BackupError(_("This is not a SQLite backup."))
        with closing(_sqlite(path)) as source, closing(_sqlite()) as target:
            source.backup(target)
    else:
        if path.suffix == ".sqlite3":
            raise BackupError(_("This is not a PostgreSQL backup."))
        _run(
            [
                "pg_restore",
                "--clean",
                "--if-exists",
                "--no-owner",
                "--single-transaction",
                f"--dbname={_db()['NAME']}",
                str(path),
            ],
            env=_pg_env(),
        )
    connection.close()
