"""Exports of every list (and of every report table built as a ListPage): CSV and XLSX, escaped, fast, flat
memory, in the background when big. The one home of the mechanic; shop.lists.render_list answers
`?export=csv|xlsx` through `answer()`.

    return render_list(request, template, list_page)      # a list page: nothing more to do
    return exports.answer(request, list_page, "csv")       # a report table: any ListPage over its rows

- Small exports (at most settings.EXPORT_SYNC_ROWS rows, counted with `LIMIT threshold + 1`) download at once:
  CSV streams, XLSX is written row by row (xlsxwriter's constant-memory mode).
- Bigger ones start a JobRun (kind "shop.export") and a Celery task, and the user lands on the run's progress
  page. The task rebuilds the request for that user (same path, same query string: filters, search, sort;
  same language) and calls the same view again, so permissions, scopes and the masking of personal columns
  (Column.personal) apply exactly as on the page. The view's render_list sees the rebuilt request and writes
  the file (MEDIA_ROOT/exports/<name>-<run>.<ext>, one file per run however often the task runs), the run
  reaches 100 percent, the user gets a notification linking to the download. Only the user who asked, or a
  user who may read the audit log (the owner), may download it (shop.views.jobrun_download); it expires after
  settings.EXPORT_EXPIRE_HOURS and the hourly job `purge_exports` deletes it.
- Escaping (OWASP CSV injection): a text cell beginning with = + - @ tab or carriage return gets a leading
  single quote in CSV; in XLSX every text cell is written as a string (write_string, strings_to_formulas off),
  never a formula. Numbers (also negative ones) stay numbers.
- Speed: when every column reads a plain field (Column with no `value`; `display="label"` for a choice's
  label, `display="local"` for a time in the store's zone), rows come from `.values_list()` over a server-side
  cursor, choice labels and the CSV escaping are computed by the database (CASE), and only what must be Python
  (local time, masking) runs per row. Other lists read model instances in chunks through Column.get: the
  same cells, slower.
"""

import csv
import io
import itertools
import logging
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial

from django.conf import settings
from django.core.exceptions import FieldDoesNotExist
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import DEFAULT_DB_ALIAS, NotSupportedError, OperationalError, connections, models, transaction
from django.db.models import Case, F, Func, Value, When
from django.db.models.functions import Cast, Concat, NullIf
from django.db.models.lookups import In
from django.db.models.query import ModelIterable
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.functional import Promise
from django.utils.text import slugify
from django.utils.translation import gettext as _

from shop import progress, xlsx
from shop.errors import DomainError
from shop.models import JobRun
from shop.outbox import enqueue
from shop.xlsx import CONTENT_TYPE as XLSX_TYPE
from shop.xlsx import XlsxRows

__all__ = [
    "DANGER",
    "KIND",
    "answer",
    "csv_escape",
    "csv_response",
    "download_name",
    "expires_at",
    "export_run",
    "exports_purge",
    "is_expired",
    "write_csv",
    "write_xlsx",
    "xlsx_response",
]

logger = logging.getLogger(__name__)

KIND = "shop.export"
DANGER = ("=", "+", "-", "@", "\t", "\r")  # first characters a spreadsheet may read as a formula
FORMATS = ("csv", "xlsx")
CHUNK = 5000  # rows fetched per round trip of the server-side cursor
STEP = 10_000  # rows between two progress updates
FOLDER = "exports"


def attachment(filename: str) -> str:
    """A Content-Disposition for a download named after data (an order number may hold quotes or newlines)."""
    from django.utils.http import content_disposition_header

    clean = "".join(c for c in filename if c.isprintable() and c not in '"\\/') or "export"
    return content_disposition_header(as_attachment=True, filename=clean)


def csv_escape(value: str) -> str:
    """A text cell as CSV carries it: a leading quote before a character a spreadsheet reads as a formula."""
    return "'" + value if value and value[0] in DANGER else value


def _csv_cell(value):
    """One cell of a CSV row: text escaped, yes/no as 1/0, nothing as empty, numbers and times as str()."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, str | Promise):
        return csv_escape(str(value))
    return str(value)


def csv_row(values) -> list[str]:
    """A row for a hand-written CSV (a report's file): every text cell escaped as the list exports escape it."""
    return [_csv_cell(v) for v in values]


# -- the rows of an export ---------------------------------------------------------------------------------
@dataclass
class Plan:
    """How the rows of one export are read: `rows()` yields lists of typed cells (CSV: already escaped)."""

    header: list[str]
    rows: Callable[[], Iterator]  # the rows, each a list (or tuple) of cells
    count: Callable[[], int]  # the number of rows
    copy: Callable | None = None  # PostgreSQL: copy(binary_file, on_rows) writes the CSV rows (escaped) and answers n


def _field_at(model, path):
    """The concrete field at a lookup path ("customer__name"), or None."""
    field = None
    for i, part in enumerate(path.split("__")):
        if model is None:
            return None
        try:
            field = model._meta.get_field(part)
        except FieldDoesNotExist:
            return None
        if field.many_to_many or field.one_to_many or (field.is_relation and i == len(path.split("__")) - 1):
            return None  # a related object: its str() is the cell, which values_list cannot give
        model = field.related_model if field.is_relation else None
    return field if getattr(field, "concrete", False) else None


class _FirstCode(Func):
    """The code of a text's first character (ASCII() on PostgreSQL: cheaper than comparing LEFT(text, 1))."""

    function = "ASCII"
    output_field = models.IntegerField()

    def as_sqlite(self, compiler, connection, **extra):
        return self.as_sql(compiler, connection, function="UNICODE", **extra)


def _escaped(expression):
    return Case(
        When(In(_FirstCode(expression), [ord(c) for c in DANGER]), then=Concat(Value("'"), expression)),
        default=expression,
        output_field=models.TextField(),
    )


def _fast_plan(list_page, masks, *, escape):
    """The values_list plan when every column reads a plain field, or None. For CSV on PostgreSQL the database
    also writes times, amounts and escaped text as the text Python would (no per-row parsing and formatting)."""
    queryset = list_page.results
    if queryset._iterable_class is not ModelIterable or queryset.query.distinct or queryset.query.combinator:
        return None
    as_text = escape and connections[queryset.db].vendor == "postgresql"
    zone = timezone.get_current_timezone()
    annotations = queryset.query.annotations
    selects, post = [], []
    copyable = as_text  # every cell's text written by the database as Python would: COPY can write the file
    for i, (column, mask) in enumerate(zip(list_page.columns, masks, strict=True)):
        path = column.key.replace(".", "__")
        if column.value is not None or path in annotations:
            return None
        field = _field_at(queryset.model, path)
        if field is None:
            return None
        display = column.display
        text = isinstance(field, models.CharField | models.TextField)
        if mask is not None:
            selects.append(F(path))
            post.append((i, (lambda v, m=mask: _csv_cell(m(v))) if escape else mask))
        elif display == "label" and field.choices:
            labels = [When(**{path: value}, then=Value(str(label))) for value, label in field.flatchoices]
            raw = F(path) if not escape else _escaped(F(path))
            selects.append(_text(Case(*labels, default=raw, output_field=models.TextField()), as_text))
        elif text:
            selects.append(_text(_escaped(F(path)), as_text) if escape else F(path))
        elif isinstance(field, models.DateTimeField):
            local = display == "local"
            if as_text:
                selects.append(_TimeText(F(path), utc=not local))
            else:
                selects.append(F(path))
                if local:
                    post.append((i, partial(_localtime, zone)))
        elif isinstance(field, models.DecimalField) and as_text:
            selects.append(Cast(F(path), models.TextField()))  # numeric's text is str(Decimal)
        elif isinstance(field, models.BooleanField) and as_text:
            selects.append(Case(When(**{path: True}, then=Value("1")), When(**{path: False}, then=Value("0"))))
        else:
            selects.append(F(path))
            copyable = copyable and isinstance(field, models.IntegerField | models.DateField)
            if isinstance(field, models.BooleanField):
                post.append((i, _yes_no if escape else _same))
            elif escape and not isinstance(field, _STR_BY_CSV):
                post.append((i, _csv_cell))
    values = queryset.prefetch_related(None).values_list(*selects)
    connection = connections[queryset.db]

    def rows():
        with _session_zone(connection, str(zone)) if as_text else nullcontext():
            if not post:
                yield from values.iterator(chunk_size=CHUNK)
                return
            for row in values.iterator(chunk_size=CHUNK):
                row = list(row)
                for i, convert in post:
                    row[i] = convert(row[i])
                yield row

    def copy(file, on_rows=None) -> int:
        """Write the rows as CSV with PostgreSQL's COPY (in C, no Python per row) to a binary file, with
        Python csv's line ends (CRLF between records, a newline inside a quoted cell kept as it is)."""
        sql, params = values.query.sql_with_params()
        records = _Records(on_rows)
        with _session_zone(connection, str(zone)), connection.cursor() as cursor:
            with cursor.cursor.copy(f"COPY ({sql}) TO STDOUT WITH (FORMAT csv)", params) as copy:
                batch = []  # COPY sends a row at a time: convert and write them a batch at a time
                for chunk in copy:
                    batch.append(chunk)
                    if len(batch) == 1000:
                        file.write(records.convert(b"".join(batch)))
                        batch.clear()
                file.write(records.convert(b"".join(batch)))
        records.done()
        return records.rows

    return rows, (copy if copyable and not post else None)


def _text(expression, as_text):
    """A text cell; for PostgreSQL empty text as NULL, which COPY writes unquoted, as csv.writer writes ''."""
    return NullIf(expression, Value(""), output_field=models.TextField()) if as_text else expression


class _Records:
    """COPY's CSV with CRLF record ends: a newline outside quotes ends a record; counts them."""

    def __init__(self, on_rows):
        self.quoted, self.rows, self.on_rows, self.reported = False, 0, on_rows, 0

    def convert(self, chunk: bytes) -> bytes:
        parts = chunk.split(b'"')
        quoted = self.quoted
        for i, part in enumerate(parts):
            if i:
                quoted = not quoted
            if not quoted and b"\n" in part:
                self.rows += part.count(b"\n")
                parts[i] = part.replace(b"\n", b"\r\n")
        self.quoted = quoted
        if self.on_rows and self.rows - self.reported >= STEP:
            self.on_rows(self.rows)
            self.reported = self.rows
        return b'"'.join(parts)

    def done(self):
        if self.on_rows and self.rows != self.reported:
            self.on_rows(self.rows)


class _TimeText(Func):
    """A timestamp as text, as str() writes the Python datetime: "YYYY-MM-DD HH:MM:SS[.ffffff]+HH:MM"
    (PostgreSQL). In the session's time zone (`_session_zone` sets the store's for the export), or in UTC."""

    output_field = models.TextField()

    def __init__(self, expression, *, utc):
        super().__init__(expression)
        self.utc = utc

    def as_sql(self, compiler, connection, **extra):
        raise NotSupportedError("_TimeText is for PostgreSQL")

    def as_postgresql(self, compiler, connection, **extra):
        ts, params = compiler.compile(self.source_expressions[0])
        if self.utc:
            value, zone = f"({ts} AT TIME ZONE 'UTC')", "'+00:00'"
        else:
            value, zone = ts, "to_char({ts}, 'TZH:TZM')".format(ts=ts)
        sql = (
            f"CASE WHEN date_trunc('second', {ts}) = {ts} THEN to_char({value}, 'YYYY-MM-DD HH24:MI:SS')"
            f" ELSE to_char({value}, 'YYYY-MM-DD HH24:MI:SS.US') END || {zone}"
        )
        count = sql.count(ts)
        return sql, list(params) * count


@contextmanager
def _session_zone(connection, zone):
    """The PostgreSQL session's time zone set to the store's while an export reads its rows (to_char writes
    local times), then back to Django's."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config('TimeZone', %s, false)", [zone])
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config('TimeZone', %s, false)", [connection.timezone_name])


# csv.writer writes these as str() does, and Column.get's cell is str() of them too
_STR_BY_CSV = (models.DecimalField, models.IntegerField, models.FloatField, models.DateField, models.DurationField)


def _same(value):
    return value


def _yes_no(value):
    return "" if value is None else ("1" if value else "0")


def _localtime(zone, value):
    return value.astimezone(zone) if isinstance(value, datetime) and timezone.is_aware(value) else value


def plan(list_page, *, escape: bool) -> Plan:
    """The header and rows of the list's export for its request's user (masks applied, an export of full
    personal data audited once). `escape`: CSV text cells escaped (XLSX writes text as strings instead)."""
    masks = list_page.export_masks()
    header = [str(c.label) for c in list_page.columns]
    fast = _fast_plan(list_page, masks, escape=escape)
    rows, copy = fast if fast is not None else (None, None)
    if rows is None:
        readers = [
            column.get if mask is None else (lambda row, c=column, m=mask: m(c.get(row)))
            for column, mask in zip(list_page.columns, masks, strict=True)
        ]
        results = list_page.results

        def rows():
            for row in results.iterator(chunk_size=2000):
                cells = [read(row) for read in readers]
                yield [_csv_cell(c) for c in cells] if escape else cells

    return Plan(header=header, rows=rows, count=lambda: list_page.results.order_by().count(), copy=copy)


# -- writers -----------------------------------------------------------------------------------------------
def _chunks(rows, size):
    iterator = iter(rows)
    while chunk := list(itertools.islice(iterator, size)):
        yield chunk


def write_csv(file, plan: Plan, *, on_rows=None) -> int:
    """Write the export as CSV (UTF-8 with BOM so Excel opens Chinese text) to a text file; the row count."""
    writer = csv.writer(file)
    file.write("\ufeff")
    writer.writerow(plan.header)
    n = 0
    for chunk in _chunks(plan.rows(), STEP):
        writer.writerows(chunk)
        n += len(chunk)
        if on_rows:
            on_rows(n)
    return n


def write_xlsx(file, plan: Plan, *, sheet="export", on_rows=None) -> int:
    """Write the export as one XLSX sheet, row by row (constant memory), to a path or binary file."""
    book = XlsxRows(file, plan.header, sheet=sheet)
    n = 0
    for chunk in _chunks(plan.rows(), STEP):
        book.write_rows(chunk)
        n += len(chunk)
        if on_rows:
            on_rows(n)
    book.close()
    return n


def _write_csv_copy(file, plan: Plan, *, on_rows=None) -> int:
    header = io.StringIO()
    header.write("\ufeff")
    csv.writer(header).writerow(plan.header)
    file.write(header.getvalue().encode("utf-8"))
    assert plan.copy is not None
    n = plan.copy(file, on_rows)
    file.flush()
    return n


def csv_response(list_page):
    """Stream the list's export as CSV now."""
    export = plan(list_page, escape=True)

    def body():
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        buffer.write("\ufeff")
        writer.writerow(export.header)
        for chunk in _chunks(export.rows(), CHUNK):
            writer.writerows(chunk)
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
        yield buffer.getvalue()

    response = StreamingHttpResponse(body(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = attachment(f"{list_page.export_name}.csv")
    return response


def xlsx_response(list_page):
    """The list's export as an XLSX file now (a small one: it is read back whole)."""
    with tempfile.TemporaryFile() as file:
        write_xlsx(file, plan(list_page, escape=False), sheet=list_page.export_name)
        file.seek(0)
        content = file.read()
    response = HttpResponse(content, content_type=XLSX_TYPE)
    response["Content-Disposition"] = attachment(f"{list_page.export_name}.xlsx")
    return response


# -- answering ?export= ------------------------------------------------------------------------------------
def answer(request, list_page, fmt):
    """Answer an export of the list: the file now when it is small, else a background run (the progress
    page). Inside the background task (a rebuilt request) it writes the run's file."""
    if fmt not in FORMATS:
        fmt = "csv"
    job = getattr(request, "export_job", None)
    if job is not None:
        job.write(list_page, fmt)
        return HttpResponse(status=204)
    threshold = settings.EXPORT_SYNC_ROWS
    if list_page.results.order_by()[: threshold + 1].count() <= threshold:
        return csv_response(list_page) if fmt == "csv" else xlsx_response(list_page)
    return redirect(_start(request, list_page, fmt))


def _start(request, list_page, fmt) -> JobRun:
    from shop import tasks

    query = request.GET.copy()
    query["export"] = fmt
    back = request.GET.copy()
    back.pop("export", None)
    user = request.user
    with transaction.atomic(durable=True):
        run = progress.start(
            kind=KIND,
            label=_("Export %(name)s (%(format)s)") % {"name": list_page.export_name, "format": fmt.upper()},
            user=user,
            return_url=request.path + (f"?{back.urlencode()}" if back else ""),
        )
        language = getattr(request, "LANGUAGE_CODE", settings.LANGUAGE_CODE)
        enqueue(tasks.export_list, run.pk, user.pk, request.path, query.urlencode(), language, robust=True)
    return run


class ExportJob:
    """What the rebuilt request carries into render_list: the run to write."""

    def __init__(self, run_id):
        self.run_id = run_id
        self.written = False

    def write(self, list_page, fmt):
        run_id = self.run_id
        export = plan(list_page, escape=fmt == "csv")
        total = export.count()
        if fmt == "xlsx" and total > xlsx.MAX_ROWS:
            raise DomainError(
                _("Excel holds at most %(max)s rows and this list has %(n)s: export it as CSV, or filter it.")
                % {"max": f"{xlsx.MAX_ROWS:,}", "n": f"{total:,}"},
                code="too_many_rows",
            )
        progress.step(run_id, done=0, total=total)
        step = partial(_step, run_id)
        name = stored_name(run_id, list_page.export_name, fmt)
        with tempfile.NamedTemporaryFile(suffix=f".{fmt}") as file:
            if fmt == "csv" and export.copy is not None:
                with _side_progress(run_id) as side_step:
                    rows = _write_csv_copy(file, export, on_rows=side_step)
            elif fmt == "csv":
                with open(file.name, "w", encoding="utf-8", newline="") as text:
                    rows = write_csv(text, export, on_rows=step)
            else:
                rows = write_xlsx(file.name, export, sheet=list_page.export_name, on_rows=step)
            default_storage.delete(name)  # the task ran before: one file per run
            with open(file.name, "rb") as done:
                stored = default_storage.save(name, File(done))
        self.written = True
        self.stored, self.rows = stored, rows


def stored_name(run_id, export_name, fmt) -> str:
    """Where a run's file is stored: the same name each time the task runs, and one nobody can guess (media
    files may be served without a login)."""
    token = salted_hmac("shop.exports", str(run_id)).hexdigest()[:24]
    return f"{FOLDER}/{slugify(export_name) or 'export'}-{run_id}-{token}.{fmt}"


def download_name(run) -> str:
    """The file name a download of the run carries (without the token)."""
    name = run.output.name.rsplit("/", 1)[-1]
    if run.kind == KIND:
        stem, _sep, ext = name.rpartition(".")
        name = f"{stem.rsplit('-', 2)[0]}.{ext}"
    return name


def _step(run_id, n):
    progress.step(run_id, done=n)


@contextmanager
def _side_progress(run_id):
    """Progress of a run written over a second connection: the first one is busy with COPY until the end."""
    side = connections.create_connection(DEFAULT_DB_ALIAS)
    table = JobRun._meta.db_table

    def step(n):
        with side.cursor() as cursor:
            cursor.execute(f"UPDATE {table} SET done = %s, state = %s WHERE id = %s", [n, JobRun.State.RUNNING, run_id])

    try:
        yield step
    finally:
        side.close()


def _rebuilt_request(user, path, query, language):
    """A GET request for `user` at path?query, as the middleware would have left it."""
    from django.contrib.messages.storage.cookie import CookieStorage
    from django.http import HttpRequest, QueryDict
    from django_htmx.middleware import HtmxDetails

    request = HttpRequest()
    request.method = "GET"
    request.path = request.path_info = path
    request.GET = QueryDict(query)
    request.META = {
        "REQUEST_METHOD": "GET",
        "QUERY_STRING": query,
        "SERVER_NAME": "export",
        "SERVER_PORT": "80",
        "HTTP_ACCEPT_LANGUAGE": language,
    }
    request.user = user
    request.LANGUAGE_CODE = language
    request.session = {}
    request._messages = CookieStorage(request)
    request.htmx = HtmxDetails(request)
    return request


def export_run(*, run_id, user_id, path, query, language) -> JobRun | None:
    """Write the file of a background export run (the task's service); a finished run is left alone, a run
    interrupted half-way writes its one file again."""
    from django.contrib.auth import get_user_model
    from django.core.exceptions import PermissionDenied
    from django.http import Http404
    from django.urls import resolve
    from django.utils import translation

    from shop.services import notify

    run = JobRun.objects.filter(pk=run_id).first()
    if run is None or run.state in (JobRun.State.DONE, JobRun.State.FAILED):
        return run
    user = get_user_model().objects.filter(pk=user_id, is_active=True).first()
    with translation.override(language):
        if user is None:
            return progress.fail(run_id, error=_("The user who asked for this export is no longer active."))
        request = _rebuilt_request(user, path, query, language)
        job = request.export_job = ExportJob(run_id)
        try:
            match = resolve(path)
            match.func(request, *match.args, **match.kwargs)
        except (PermissionDenied, Http404):
            return progress.fail(run_id, error=_("You may no longer see this list."))
        except DomainError as e:
            return progress.fail(run_id, error=e.message)
        except OperationalError as e:  # the database went away: the task retries (shop.tasks)
            progress.fail(run_id, error=repr(e))
            JobRun.objects.filter(pk=run_id).update(state=JobRun.State.QUEUED)
            raise
        except Exception as e:  # the run shows it; in-process (no Redis) the user's request still answers
            logger.exception("export run %s failed", run_id)
            return progress.fail(run_id, error=repr(e))
        if not job.written:
            return progress.fail(run_id, error=_("This page has no export."))
        run = progress.finish(run_id, result={_("Rows"): job.rows}, stored=job.stored)
        notify(
            title=_("Your export is ready: %(label)s") % {"label": run.label},
            body=_("%(n)s rows. The file can be downloaded until %(until)s.")
            % {"n": job.rows, "until": timezone.localtime(expires_at(run)).strftime("%Y-%m-%d %H:%M")},
            url=reverse("jobrun_download", args=[run.pk]),
            kind="export",
            users=[user],
        )
    return run


# -- expiry ------------------------------------------------------------------------------------------------
def expires_at(run) -> datetime | None:
    if run.kind != KIND or run.finished_at is None:
        return None
    return run.finished_at + timedelta(hours=settings.EXPORT_EXPIRE_HOURS)


def is_expired(run, now=None) -> bool:
    until = expires_at(run)
    return until is not None and until <= (now or timezone.now())


def exports_purge(*, now=None) -> int:
    """Delete the files of expired exports (and stray files of runs gone or never finished that are older
    than the expiry); the runs stay, without their file. The number of files deleted."""
    now = now or timezone.now()
    cutoff = now - timedelta(hours=settings.EXPORT_EXPIRE_HOURS)
    deleted = 0
    expired = JobRun.objects.filter(kind=KIND, finished_at__lte=cutoff).exclude(output="")
    for run in expired:
        default_storage.delete(str(run.output.name))
        JobRun.objects.filter(pk=run.pk).update(output="")
        deleted += 1
    try:
        _dirs, files = default_storage.listdir(FOLDER)
    except (FileNotFoundError, NotImplementedError):
        return deleted
    kept = set(JobRun.objects.filter(kind=KIND).exclude(output="").values_list("output", flat=True))
    for file in files:
        name = f"{FOLDER}/{file}"
        if name not in kept and default_storage.get_modified_time(name) <= cutoff:
            default_storage.delete(name)
            deleted += 1
    return deleted
