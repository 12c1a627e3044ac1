"""Back up and restore the database: pg_dump / pg_restore on PostgreSQL, SQLite's online backup API
(a consistent copy while the store runs) on SQLite. Every backup is verified, old ones are pruned.

A backup carries its migration state (its django_migrations table, read back without restoring: `dump_migrations`).
A restore compares it with the code's migrations first: a backup from newer code is refused; one taken at an older
state is refused unless `migrate=True` (`manage.py restore FILE --migrate`), which restores it and then runs the
migrations the backup lacks. A backup that cannot be written (pg_dump missing, BACKUP_DIR unwritable) raises
BackupError, so the daily `backup` job fails and its failure alerts the owners (shop.jobs._notify_failure).

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
    try:
        result = subprocess.run(args, capture_output=True, text=True, env=env, check=False)
    except OSError as e:  # FileNotFoundError: the PostgreSQL client tools are not installed or not on PATH
        raise BackupError(
            _("%(cmd)s could not be started (%(err)s): install the PostgreSQL client tools.")
            % {"cmd": args[0], "err": e.strerror or e}
        ) from e
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
    try:
        directory.mkdir(parents=True, exist_ok=True)
        probe = directory / ".houtai-write-check"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as e:
        raise BackupError(
            _("The backup directory %(dir)s cannot be written: %(err)s") % {"dir": directory, "err": e.strerror or e}
        ) from e
    stamp = timezone.now().strftime("%Y%m%d-%H%M%S-%f")
    if _is_sqlite():
        path = directory / f"houtai-{stamp}.sqlite3"
        try:
            with closing(_sqlite()) as source, closing(_sqlite(path)) as target:
                source.backup(target)
                # The live database is in WAL mode; the backup is one self-contained file, no -wal/-shm.
                target.execute("PRAGMA journal_mode=DELETE")
        except sqlite3.Error as e:
            path.unlink(missing_ok=True)
            raise BackupError(_("The SQLite backup failed: %(err)s") % {"err": e}) from e
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


def dump_migrations(path: Path) -> set[tuple[str, str]]:
    """The (app, migration) pairs recorded as applied in a backup, read from the file without restoring it."""
    path = Path(path)
    if path.suffix == ".sqlite3":
        with closing(_sqlite(path, readonly=True)) as check:
            return set(check.execute("SELECT app, name FROM django_migrations").fetchall())
    text = _run(["pg_restore", "--data-only", "--table=django_migrations", "--file=-", str(path)])
    applied, columns = set(), None
    for line in text.splitlines():
        if line.startswith("COPY ") and "django_migrations" in line:
            columns = [c.strip() for c in line[line.index("(") + 1 : line.index(")")].split(",")]
        elif columns is not None:
            if line == "\\.":
                break
            values = dict(zip(columns, line.split("\t"), strict=False))
            applied.add((values["app"], values["name"]))
    return applied


def migration_gap(path: Path) -> tuple[list[str], list[str]]:
    """(migrations this code has that the backup lacks, migrations the backup has that this code lacks)."""
    from django.db.migrations.loader import MigrationLoader

    loader = MigrationLoader(None, ignore_no_migrations=True)
    applied = dump_migrations(path)
    for key, migration in loader.replacements.items():  # a squashed migration counts as applied with its parts
        if all(tuple(r) in applied for r in migration.replaces):
            applied.add(key)
    code = set(loader.graph.nodes)
    replaced = {tuple(r) for m in loader.replacements.values() for r in m.replaces}
    ours = {app for app, _name in code}
    missing = sorted(f"{a}.{n}" for a, n in code - applied)
    unknown = sorted(f"{a}.{n}" for a, n in applied - code - replaced if a in ours)
    return missing, unknown


def _restore_check(path: Path, *, migrate, into) -> list[str]:
    """Verify the file and compare its migration state; the migrations to run after restoring, or BackupError."""
    verify(path)
    missing, unknown = migration_gap(path)
    if unknown:
        raise BackupError(
            _(
                "The backup %(p)s comes from newer code: it has migrations this code does not know (%(m)s). "
                "Restore it with that version."
            )
            % {"p": path.name, "m": ", ".join(unknown[:5])}
        )
    if missing and not migrate:
        raise BackupError(
            _(
                "The backup %(p)s was taken at an older migration state: it lacks %(n)s migrations (%(m)s). "
                "Nothing was changed; restore it with --migrate to run them after the restore."
            )
            % {"p": path.name, "n": len(missing), "m": ", ".join(missing[:5])}
        )
    if migrate and missing and into:
        raise BackupError(_("--migrate works only on the configured database, not with --into."))
    return missing


def restore_plan(path, *, migrate=False, into=None) -> str:
    """What `restore` will do, in a sentence or two (the command shows it before asking); raises BackupError
    when the restore would be refused (a bad file, newer code, an older state without `migrate`)."""
    path = Path(path)
    missing = _restore_check(path, migrate=migrate, into=into)
    engine = "SQLite" if _is_sqlite() else "PostgreSQL"
    lines = [
        _("Every table of the %(engine)s database %(db)s will be replaced by the contents of %(file)s.")
        % {"engine": engine, "db": into or _db()["NAME"], "file": path.name}
    ]
    if missing:
        lines.append(
            _("The backup lacks %(n)s migrations of this code (%(m)s); they are run after the restore.")
            % {"n": len(missing), "m": ", ".join(missing[:5])}
        )
    else:
        lines.append(_("The backup is at this code's migration state."))
    return "\n".join(lines)


def restore(path, *, migrate=False, into=None) -> dict:
    """Replace the database's contents with the backup at `path` (verified and its migration state compared first).

    `into` restores into another database instead of the configured one (a PostgreSQL database name on the same
    server, or a SQLite file), e.g. an empty one to check a backup. Returns {"migrated": [...]} (what ran after)."""
    path = Path(path)
    missing = _restore_check(path, migrate=migrate, into=into)
    connections.close_all()
    if _is_sqlite():
        if path.suffix != ".sqlite3":
            raise BackupError(_("This is not a SQLite backup."))
        with closing(_sqlite(path)) as source, closing(_sqlite(into)) as target:
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
                f"--dbname={into or _db()['NAME']}",
                str(path),
            ],
            env=_pg_env(),
        )
    connection.close()
    if migrate and missing:
        from django.core.management import call_command

        call_command("migrate", interactive=False, verbosity=0)
    return {"migrated": missing if migrate else []}
