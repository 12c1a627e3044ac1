"""`manage.py backup` writes a verified dump; `manage.py restore` brings the data back."""

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from shop import backup


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
