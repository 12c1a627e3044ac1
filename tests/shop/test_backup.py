"""`manage.py backup` writes a verified dump; `manage.py restore` brings the data back."""

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.utils import translation

from shop import backup


@pytest.fixture(autouse=True)
def english(settings):
    """The refusals are read in English here (the store's staff read them in zh-hans)."""
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.mark.django_db(transaction=True)
def test_backup_then_restore_brings_back_deleted_data(tmp_path, make_staff):
    make_staff("finance", username="kept_user")
    call_command("backup", dir=str(tmp_path), keep=3)
    files = list(tmp_path.glob("houtai-*"))
    assert len(files) == 1 and files[0].stat().st_size > 0
    get_user_model().objects.filter(username="kept_user").delete()
    call_command("restore", str(files[0]), yes=True)
    assert get_user_model().objects.filter(username="kept_user").exists()


@pytest.mark.django_db(transaction=True)
def test_old_backups_are_pruned(tmp_path):
    for _i in range(4):
        backup.backup_create(directory=tmp_path, keep=2)
    assert len(list(tmp_path.glob("houtai-*"))) == 2


@pytest.mark.django_db(transaction=True)
def test_a_corrupt_backup_is_refused_before_touching_the_database(tmp_path, make_staff):
    make_staff("finance", username="still_here")
    path = backup.backup_create(directory=tmp_path)
    path.write_bytes(b"not a backup at all" * 10)
    with pytest.raises(CommandError):
        call_command("restore", str(path), yes=True)
    assert get_user_model().objects.filter(username="still_here").exists()


@pytest.mark.django_db(transaction=True)
def test_backup_job_is_scheduled_daily_and_runs(settings, tmp_path, capsys):
    settings.BACKUP_DIR = tmp_path
    from shop.jobs import load_jobs

    _task, run_every = load_jobs()["backup"]
    assert run_every.hour == {1} and run_every.minute == {0}
    call_command("run_job", "backup")
    assert list(tmp_path.glob("houtai-*"))


# -- a failing backup alerts the owner -----------------------------------------------------------------
def _run_backup_job_expecting_failure():
    with pytest.raises(Exception) as failed:  # the job fails (the worker logs and retries nothing)
        call_command("run_job", "backup")
    return failed.value


def _assert_owner_alerted(owner, mailoutbox, words):
    from shop.models import JobRun, Notification

    run = JobRun.objects.get(label="backup")
    assert run.state == JobRun.State.FAILED and words in run.error
    note = Notification.objects.get(recipient=owner, kind="job_failed")
    assert "backup" in note.title and words in note.body
    assert [m.to for m in mailoutbox] == [[owner.email]] and "backup" in mailoutbox[0].subject


@pytest.mark.django_db(transaction=True)
def test_a_backup_that_cannot_be_written_fails_the_job_and_alerts_the_owner(settings, tmp_path, make_staff, mailoutbox):
    owner = make_staff("owner", email="boss@example.com")
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    settings.BACKUP_DIR = blocker / "backups"  # cannot be created: its parent is a file
    error = _run_backup_job_expecting_failure()
    assert isinstance(error, backup.BackupError) and "cannot be written" in str(error)
    _assert_owner_alerted(owner, mailoutbox, "cannot be written")
    assert not list(tmp_path.glob("**/houtai-*"))


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_backup_without_pg_dump_fails_the_job_and_alerts_the_owner(
    settings, tmp_path, make_staff, mailoutbox, monkeypatch
):
    owner = make_staff("owner", email="boss@example.com")
    settings.BACKUP_DIR = tmp_path
    monkeypatch.setenv("PATH", str(tmp_path / "empty-bin"))  # no pg_dump to be found
    error = _run_backup_job_expecting_failure()
    assert isinstance(error, backup.BackupError) and "pg_dump could not be started" in str(error)
    _assert_owner_alerted(owner, mailoutbox, "pg_dump could not be started")
    assert not list(tmp_path.glob("houtai-*"))


# -- the migration state of a backup ----------------------------------------------------------------------
def _older_state():
    """Roll the shop app back by its latest migration (the target is its parent in the graph); return the
    migration rolled back and a function that migrates forward again."""
    from django.db.migrations.loader import MigrationLoader

    graph = MigrationLoader(None).graph
    leaf = graph.leaf_nodes("shop")[0]
    parent = sorted(p.key for p in graph.node_map[leaf].parents if p.key[0] == "shop")[-1]
    call_command("migrate", "shop", parent[1], verbosity=0)
    return f"{leaf[0]}.{leaf[1]}", lambda: call_command("migrate", verbosity=0)


@pytest.mark.django_db(transaction=True)
def test_a_backup_at_an_older_migration_state_is_refused_or_migrated(tmp_path, make_staff, capsys):
    make_staff("finance", username="from_the_old_days")
    rolled_back, forward = _older_state()
    try:
        old = backup.backup_create(directory=tmp_path / "old")
    finally:
        forward()
    assert backup.migration_gap(old) == ([rolled_back], [])
    current = backup.backup_create(directory=tmp_path / "now")
    assert backup.migration_gap(current) == ([], [])
    get_user_model().objects.filter(username="from_the_old_days").delete()
    make_staff("finance", username="added_since")

    with pytest.raises(CommandError) as refused:  # refused, the database untouched
        call_command("restore", str(old), yes=True)
    assert "older migration state" in str(refused.value) and rolled_back in str(refused.value)
    assert "--migrate" in str(refused.value)
    assert get_user_model().objects.filter(username="added_since").exists()

    call_command("restore", str(old), yes=True, migrate=True)  # restored, then migrated forward
    out = capsys.readouterr().out
    assert "will be replaced" in out and f"Then ran 1 migrations: {rolled_back}" in out
    assert get_user_model().objects.filter(username="from_the_old_days").exists()
    assert not get_user_model().objects.filter(username="added_since").exists()
    from django.db.migrations.recorder import MigrationRecorder

    assert tuple(rolled_back.split(".", 1)) in {
        (m.app, m.name) for m in MigrationRecorder.Migration.objects.filter(app="shop")
    }
    call_command("restore", str(current), yes=True)  # the normal path: same state, no migration run
    out = capsys.readouterr().out
    assert "at this code's migration state" in out and "Then ran" not in out


@pytest.mark.django_db(transaction=True)
def test_a_backup_from_newer_code_is_refused(tmp_path, make_staff):
    from django.db.migrations.recorder import MigrationRecorder

    MigrationRecorder.Migration.objects.create(app="shop", name="9999_from_the_future")
    future = backup.backup_create(directory=tmp_path)
    MigrationRecorder.Migration.objects.filter(name="9999_from_the_future").delete()
    make_staff("finance", username="still_here")
    with pytest.raises(CommandError) as refused:
        call_command("restore", str(future), yes=True, migrate=True)
    assert "newer code" in str(refused.value) and "shop.9999_from_the_future" in str(refused.value)
    assert get_user_model().objects.filter(username="still_here").exists()


# -- backup, then restore into an empty database: the same rows and the same ledgers ----------------------
LEDGERS = {
    "stock ledger (on-hand, reserved sums)": (
        "SELECT COALESCE(SUM(on_hand_delta), 0), COALESCE(SUM(reserved_delta), 0), COUNT(*)"
        " FROM inventory_stockmovement"
    ),
    "on hand (sum)": "SELECT COALESCE(SUM(on_hand), 0), COALESCE(SUM(reserved), 0) FROM inventory_stocklevel",
    "points ledger (sum)": "SELECT COALESCE(SUM(points), 0), COUNT(*) FROM customers_pointsentry",
    "payments (money)": "SELECT COALESCE(SUM(amount), 0), COUNT(*) FROM payments_payment",
    "refunds (money)": "SELECT COALESCE(SUM(amount), 0), COUNT(*) FROM payments_refund",
    "orders (money)": "SELECT COALESCE(SUM(total), 0), COUNT(*) FROM orders_order",
}


def _figures(cursor):
    """{table: rows} of every table of the public schema, and the ledger sums."""
    cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename")
    tables = [t for (t,) in cursor.fetchall()]
    counts = {}
    for table in tables:
        cursor.execute(f'SELECT COUNT(*) FROM "{table}"')
        counts[table] = cursor.fetchone()[0]
    ledgers = {}
    for name, sql in LEDGERS.items():
        cursor.execute(sql)
        ledgers[name] = tuple(cursor.fetchone())
    return counts, ledgers


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_backup_then_restore_into_an_empty_database_gives_the_same_tables_and_ledgers(tmp_path, owner, capsys):
    import psycopg
    from django.db import connection

    from tests.shop.world import build_world

    build_world(owner)
    with connection.cursor() as cursor:
        source_counts, source_ledgers = _figures(cursor)
    path = backup.backup_create(directory=tmp_path)
    settings_dict = connection.settings_dict
    empty = f"{settings_dict['NAME']}_restore"
    params = {
        "host": settings_dict["HOST"] or None,
        "port": settings_dict["PORT"] or None,
        "user": settings_dict["USER"] or None,
        "password": settings_dict["PASSWORD"] or None,
    }
    with psycopg.connect(dbname="postgres", autocommit=True, **params) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{empty}"')
        admin.execute(f'CREATE DATABASE "{empty}"')
    try:
        backup.restore(path, into=empty)
        with psycopg.connect(dbname=empty, **params) as restored, restored.cursor() as cursor:
            counts, ledgers = _figures(cursor)
    finally:
        with psycopg.connect(dbname="postgres", autocommit=True, **params) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{empty}"')
    differ = {t: (n, counts.get(t)) for t, n in source_counts.items() if counts.get(t) != n}
    assert set(counts) == set(source_counts) and differ == {}
    assert ledgers == source_ledgers
    assert sum(source_counts.values()) > 300 and all(v[0] for v in source_ledgers.values())
    with capsys.disabled():
        print(
            f"\nrestore into an empty database: {len(counts)} tables, {sum(counts.values())} rows, "
            f"{path.stat().st_size // 1024} KB dump, ledgers {ledgers}"
        )
