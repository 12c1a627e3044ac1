"""Progress of long jobs (imports, exports, big bulk actions), shown to staff as a progress bar.

run = progress.start(kind="catalog.import", label=_("Import products"), user=request.user,
                     return_url=reverse("catalog:product_list"))
enqueue(import_task, run.pk, ...)      # shop.outbox: sent after the commit, never lost
return redirect(run)              # the page with the bar; it polls progress.json

# in the task's service:
progress.step(run_id, done=i, total=n)          # cheap: one UPDATE, outside the work's transaction
progress.finish(run_id, result={...}, output=ContentFile(data, name="errors.csv"))
progress.fail(run_id, error=str(e))
"""

from django.utils import timezone

from shop.models import JobRun


def start(*, kind, label, user, total=0, return_url="") -> JobRun:
    return JobRun.objects.create(kind=kind, label=str(label), created_by=user, total=total, return_url=return_url)


def step(run_id, *, done, total=None):
    values = {"done": done, "state": JobRun.State.RUNNING}
    if total is not None:
        values["total"] = total
    JobRun.objects.filter(pk=run_id).update(**values)


def finish(run_id, *, result=None, output=None) -> JobRun:
    run = JobRun.objects.get(pk=run_id)
    run.state, run.result, run.finished_at = JobRun.State.DONE, result or {}, timezone.now()
    run.done = max(run.done, run.total)
    if output is not None:
        run.output.save(output.name, output, save=False)
    run.save()
    return run


def fail(run_id, *, error) -> JobRun:
    JobRun.objects.filter(pk=run_id).update(
        state=JobRun.State.FAILED, error=str(error)[:5000], finished_at=timezone.now()
    )
    return JobRun.objects.get(pk=run_id)


def runs_visible_to(user):
    runs = JobRun.objects.all()
    return runs if user.has_perm("shop.view_auditentry") else runs.filter(created_by=user)
