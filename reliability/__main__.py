"""python -m reliability: load with invariants, and faults, against a real stack on loopback (see __init__)."""

import argparse
import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
PG_VERSION, PG_CLUSTER, PG_PORT = "15", "rel", 5440
REDIS_PORT, HTTP_PORT = 6390, 8112
DB_NAME = "houtai_rel_load"
WORK = Path("/tmp/houtai-reliability")
SECRET = "reliability-alipay-secret"
PASSWORD = "rel-staff-2026"
ENV = {
    "DATABASE_URL": f"postgres://postgres@127.0.0.1:{PG_PORT}/{DB_NAME}",
    "REDIS_URL": f"redis://127.0.0.1:{REDIS_PORT}/12",
    "DEBUG": "false",
    "SECRET_KEY": "reliability-run-not-a-production-key-0123456789abcdef",
    "ALLOWED_HOSTS": "127.0.0.1,localhost",
    "SECURE_COOKIES": "false",
    "SECURE_SSL_REDIRECT": "false",
    "SECURE_HSTS_SECONDS": "0",
    **{f"PAYMENT_SECRET_{code}": SECRET for code in ("ALIPAY", "WECHAT", "UNIONPAY", "CARD", "COD")},
    "CELERY_QUEUE": "reliability",
    "CACHE_PREFIX": "reliability",
    "CELERY_VISIBILITY_TIMEOUT": "60",
    "OUTBOX_REDELIVER_SECONDS": "60",  # a task Redis lost is sent again a minute later (10 in production)
    "AXES_FAILURE_LIMIT": "1000",
    "AXES_IP_FAILURE_LIMIT": "1000",  # every load client logs in from 127.0.0.1
    "REL_PAUSE_DIR": str(WORK / "pause"),
    "LOG_LEVEL": os.environ.get("REL_LOG_LEVEL", "ERROR"),  # WARNING shows why a 503 was given
}
PHASES = ("none", "pg", "redis", "worker")


def log(*args):
    print(time.strftime("%H:%M:%S", time.gmtime()), *args, flush=True)


def run(*cmd, check=True, **kw):
    return subprocess.run(cmd, check=check, capture_output=True, text=True, **kw)


# --- the stack -------------------------------------------------------------------------------------------------


def pg(action):
    run("pg_ctlcluster", "--skip-systemctl-redirect", PG_VERSION, PG_CLUSTER, action, check=action != "stop")


def pg_ready():
    return run("pg_isready", "-h", "127.0.0.1", "-p", str(PG_PORT), check=False).returncode == 0


def ensure_postgres(reseed):
    if (
        run("pg_lsclusters", "-h").stdout.find(f"{PG_VERSION} {PG_CLUSTER} ") < 0
        and PG_CLUSTER not in run("pg_lsclusters", "-h").stdout.split()
    ):
        run("pg_createcluster", PG_VERSION, PG_CLUSTER, "--port", str(PG_PORT), "--", "--auth=trust")
    if not pg_ready():
        pg("start")
    for _ in range(30):
        if pg_ready():
            break
        time.sleep(1)
    psql = ("psql", "-h", "127.0.0.1", "-p", str(PG_PORT), "-U", "postgres", "-q", "-c")
    if reseed:
        run(*psql, f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
    if DB_NAME not in run(*psql, "SELECT datname FROM pg_database").stdout:
        run(*psql, f"CREATE DATABASE {DB_NAME}")


def redis(action):
    if action == "start":
        run("redis-server", "--port", str(REDIS_PORT), "--daemonize", "yes", "--save", "", "--appendonly", "no")
        for _ in range(50):
            if run("redis-cli", "-p", str(REDIS_PORT), "ping", check=False).stdout.strip() == "PONG":
                return
            time.sleep(0.1)
    else:
        run("redis-cli", "-p", str(REDIS_PORT), "shutdown", "nosave", check=False)


class Processes:
    def __init__(self, env):
        self.env, self.procs, self.cmds, self.restarts, self.stopping = env, {}, {}, [], False

    def start(self, name, *cmd):
        out = open(WORK / f"{name}.log", "a")
        self.cmds[name] = cmd
        self.procs[name] = subprocess.Popen(cmd, cwd=ROOT, env=self.env, stdout=out, stderr=subprocess.STDOUT)

    def supervise(self, names, every=2.0):
        """Start again a process of `names` that exited, as the deployment's process manager does (systemd's
        Restart=always, supervisord): each restart is logged and counted in its phase's notes."""

        def watch():
            while not self.stopping:
                for name in names:
                    proc = self.procs[name]
                    if proc.poll() is not None and not self.stopping:
                        self.restarts.append({"process": name, "exit": proc.returncode, "at": time.time()})
                        log(f"supervisor: {name} exited with {proc.returncode}; started again")
                        self.start(name, *self.cmds[name])
                time.sleep(every)

        threading.Thread(target=watch, daemon=True).start()

    def stop_all(self):
        self.stopping = True
        for proc in self.procs.values():
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for proc in self.procs.values():
            try:
                proc.wait(15)
            except subprocess.TimeoutExpired:
                proc.kill()


def wait_http(base, seconds=120):
    from reliability.load import Session

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if Session(base).request("GET", "/api/v1/health", timeout=5).status_code in (200, 503):
                return
        except OSError:
            time.sleep(1)
    raise SystemExit("gunicorn did not answer")


# --- the store -------------------------------------------------------------------------------------------------


def seed(staff_count):
    """seed_demo, then: staff users for the simulated staff, an API key, stock on every SKU, and a one-minute time
    to pay (so orders left unpaid are closed by close_unpaid_orders during the run)."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.core.management import call_command

    from catalog.models import Product, Sku
    from inventory.models import Warehouse
    from inventory.services import stock_receive
    from shop.models import StoreSettings
    from shop.services import apikey_create

    call_command("migrate", verbosity=0)
    User = get_user_model()
    if not User.objects.filter(username="owner").exists():  # seed_demo takes minutes on a shared machine: once
        call_command("seed_demo", stdout=open(os.devnull, "w"))
    owner = User.objects.get(username="owner")
    owner.set_password(PASSWORD)
    owner.save()
    roles = ["operations", "customer_service", "finance", "warehouse", "owner"]
    template = User(username="x")
    template.set_password(PASSWORD)
    users = []
    for i in range(staff_count):
        user, _ = User.objects.get_or_create(username=f"rel-staff-{i:02d}", defaults={"password": template.password})
        user.groups.add(Group.objects.get(name=roles[i % len(roles)]))
        users.append(user.username)
    _, key = apikey_create(
        actor=owner, name="reliability", scopes=["orders:write", "orders:read", "catalog:read", "stock:read"]
    )
    warehouse = Warehouse.objects.order_by("pk").first()
    skus = list(Sku.objects.filter(product__status=Product.Status.PUBLISHED).order_by("pk")[:300])
    for sku in skus:
        stock_receive(sku=sku, warehouse=warehouse, quantity=5000, actor=None)
    StoreSettings.objects.update(unpaid_order_minutes=1)
    return users, key, [sku.code for sku in skus]


def check_invariants():
    proc = run(PY, "manage.py", "check_invariants", check=False, cwd=ROOT, env={**os.environ})
    return proc.returncode == 0, (proc.stdout + proc.stderr).strip()[-1500:]


# --- jobs: what beat would send (the minute jobs only: the daily ones would dump the database mid-run) -------------


def ticker(stop, every=20, offset=0.0):
    """One beat: every `every` seconds it sends the jobs as beat does (`_tick=True`: one run per job and tick,
    shop.jobs), so with two tickers (--workers 2: one beat per worker host) each tick has two messages."""
    from celery import current_app

    stop.wait(offset)
    while not stop.wait(every):
        for job in ("outbox_dispatch", "close_unpaid_orders", "risk_sweep"):
            try:
                current_app.send_task(f"houtai.{job}", kwargs={"_tick": True}, retry=False, ignore_result=True)
            except Exception as e:  # the broker is down in the Redis phase: the next tick sends them
                log(f"tick: {job} not sent ({type(e).__name__})")


# --- faults ----------------------------------------------------------------------------------------------------


FIRST_REFUND = [0]  # refunds of the seed are not this run's


def db_counts(upto=None):
    """Tasks of the outbox that have not run and approved refunds not yet sent; with `upto` (a (refund pk, time)
    pair taken at the end of a phase), only those of the phase, since the load goes on while they drain."""
    from django.db import close_old_connections

    from payments.models import Refund
    from shop.models import OutboxTask

    close_old_connections()
    waiting = OutboxTask.objects.filter(done_at__isnull=True)  # not sent yet, or sent and not run (lost)
    unsent = Refund.objects.filter(status__in=["approved", "sending"], pk__gt=FIRST_REFUND[0])
    if upto:
        waiting, unsent = waiting.filter(created_at__lte=upto[1]), unsent.filter(pk__lte=upto[0])
    return {"outbox_waiting": waiting.count(), "refunds_not_sent": unsent.count(), "refunds": Refund.objects.count()}


def phase_end():
    from django.db import close_old_connections
    from django.utils import timezone

    from payments.models import Refund

    close_old_connections()
    return Refund.objects.order_by("-pk").values_list("pk", flat=True).first() or 0, timezone.now()


def fault_pg(stats, duration, notes):
    time.sleep(duration * 0.3)
    t0 = time.monotonic() - stats.started
    log("fault: PostgreSQL (15/rel) stopping for 8 s")
    pg("stop")
    time.sleep(8)
    pg("start")
    t1 = time.monotonic() - stats.started
    notes.update(outage_from_s=round(t0, 1), outage_to_s=round(t1, 1))
    log("fault: PostgreSQL back")


def fault_redis(stats, duration, notes):
    time.sleep(duration * 0.25)
    before = db_counts()
    log("fault: Redis (6390) stopped")
    redis("stop")
    t0 = time.monotonic() - stats.started
    time.sleep(duration * 0.35)
    during = db_counts()
    redis("start")
    t1 = time.monotonic() - stats.started
    log("fault: Redis back")
    notes.update(before=before, at_end_of_outage=during, outage_from_s=round(t0, 1), outage_to_s=round(t1, 1))


def fault_worker(stats, duration, notes, max_kills=6):
    pause = WORK / "pause"
    time.sleep(duration * 0.2)
    (pause / "spared").write_text("")
    (pause / "armed").touch()
    log("fault: worker hold armed; killing pool processes mid-job")
    kills = []
    deadline = time.monotonic() + duration * 0.6
    while time.monotonic() < deadline and len(kills) < max_kills:
        for marker in pause.iterdir():
            if marker.name == "armed":
                continue
            try:
                job, obj = marker.read_text().split()
                if sum(k["job"] == job for k in kills) >= max_kills // 2:
                    continue  # enough of this job: leave room for the other
                os.kill(int(marker.name), signal.SIGKILL)
            except (OSError, ValueError):
                continue
            marker.unlink(missing_ok=True)
            with open(pause / "spared", "a") as spared:  # its retry must pass: one kill per job and object
                spared.write(f"{job} {obj}\n")
            kills.append({"job": job, "id": int(obj), "pid": int(marker.name)})
            log(f"fault: SIGKILL pid {marker.name} in {job} of {obj}")
        time.sleep(0.2)
    (pause / "armed").unlink(missing_ok=True)
    notes["kills"] = kills


def worker_effects(kills):
    """After the retries: each killed refund was sent once (one provider id, one 'sent' audit entry); each killed
    close left its order cancelled once (one close on its timeline, one release per line in the stock ledger)."""
    from django.db import close_old_connections

    from inventory.models import StockMovement
    from orders.models import Order
    from payments.models import Refund
    from shop.models import AuditEntry

    close_old_connections()
    results = []
    for kill in kills:
        if kill["job"] == "refund_send":
            refund = Refund.objects.get(pk=kill["id"])
            sent = AuditEntry.objects.filter(action="payments.refund_sent", object_id=str(refund.pk))
            results.append(
                {
                    **kill,
                    "status": refund.status,
                    "provider_refund_id": refund.provider_refund_id,
                    "sent_entries": sent.count(),
                    "one_effect": refund.status in ("sent", "succeeded") and sent.count() == 1,
                }
            )
        else:
            order = Order.objects.get(pk=kill["id"])
            moves = StockMovement.objects.filter(reference=order.number)
            reserved = moves.filter(kind="reservation").count()
            released = moves.filter(kind="release").count()
            closes = order.events.filter(to_status="closed").count()
            results.append(
                {
                    **kill,
                    "status": order.status,
                    "closed_events": closes,
                    "reservations": reserved,
                    "releases": released,
                    "one_effect": order.status == "closed" and closes == 1 and released == reserved,
                }
            )
    return results


def _use_stack(args):
    """Another cluster, Redis and ports than the defaults (so two engineers' runs never share a server)."""
    global PG_CLUSTER, PG_PORT, REDIS_PORT, HTTP_PORT, WORK
    PG_CLUSTER, PG_PORT, REDIS_PORT, HTTP_PORT = args.pg_cluster, args.pg_port, args.redis_port, args.http_port
    if PG_CLUSTER != "rel":
        WORK = Path(f"/tmp/houtai-reliability-{PG_CLUSTER}")
    ENV.update(
        DATABASE_URL=f"postgres://postgres@127.0.0.1:{PG_PORT}/{DB_NAME}",
        REDIS_URL=f"redis://127.0.0.1:{REDIS_PORT}/12",
        REL_PAUSE_DIR=str(WORK / "pause"),
    )
    args.out = args.out or str(WORK / "result.json")


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m reliability")
    parser.add_argument("--minutes", type=float, default=5, help="length of each phase")
    parser.add_argument("--staff", type=int, default=50)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--faults", default="all", help="all | none | a comma list of pg,redis,worker")
    parser.add_argument("--reseed", action="store_true", help="drop the run's database and seed it again")
    parser.add_argument("--out", default=None, help="the JSON figures (default: result.json in the work folder)")
    parser.add_argument("--servers", type=int, default=1, help="gunicorn instances, on consecutive ports")
    parser.add_argument("--workers", type=int, default=1, help="Celery workers (each with its own beat ticker)")
    parser.add_argument("--pg-cluster", default=PG_CLUSTER, help="the Debian PostgreSQL 15 cluster to create/use")
    parser.add_argument("--pg-port", type=int, default=PG_PORT)
    parser.add_argument("--redis-port", type=int, default=REDIS_PORT)
    parser.add_argument("--http-port", type=int, default=HTTP_PORT)
    parser.add_argument("--contest-units", type=int, default=40, help="units of the hot SKU and of the flash sale")
    parser.add_argument("--contest-buyers", type=int, default=120)
    args = parser.parse_args(argv)
    _use_stack(args)
    faults = list(PHASES[1:]) if args.faults == "all" else [] if args.faults == "none" else args.faults.split(",")
    phases = ["none", *[f for f in faults if f in PHASES[1:]]]

    WORK.mkdir(exist_ok=True)
    (WORK / "pause").mkdir(exist_ok=True)
    os.environ.update(ENV)
    os.environ["DJANGO_SETTINGS_MODULE"] = "shop.settings"
    sys.path.insert(0, str(ROOT))
    os.chdir(ROOT)
    log(f"stack: PostgreSQL 15/{PG_CLUSTER} on", PG_PORT, "Redis on", REDIS_PORT)
    ensure_postgres(args.reseed)
    redis("start")
    run("redis-cli", "-p", str(REDIS_PORT), "flushall")
    import django

    django.setup()
    log("seeding")
    users, key, skus = seed(args.staff)
    from payments.models import Refund

    FIRST_REFUND[0] = Refund.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    log(f"seeded: {len(users)} staff, {len(skus)} SKUs with stock")
    import socket

    bases = [f"http://127.0.0.1:{HTTP_PORT + i}" for i in range(args.servers)]
    for i in range(args.servers):
        with socket.socket() as probe:  # a server left by an earlier run would answer with its own (older) code
            if probe.connect_ex(("127.0.0.1", HTTP_PORT + i)) == 0:
                raise SystemExit(f"port {HTTP_PORT + i} is already served: stop that server first")
    signal.signal(signal.SIGTERM, lambda *a: sys.exit(1))  # so `finally` stops what this run started
    procs = Processes({**os.environ})
    for i in range(args.servers):
        procs.start(
            "gunicorn" if i == 0 else f"gunicorn{i + 1}",
            str(Path(PY).parent / "gunicorn"),
            "shop.wsgi:application",
            "-b",
            f"127.0.0.1:{HTTP_PORT + i}",
            "-w",
            "3" if args.servers == 1 else "2",
            "-k",
            "gthread",
            "--threads",
            "8",
            "--timeout",
            "60",
            "--graceful-timeout",
            "5",
            "--keep-alive",
            "5",
        )
    workers = ["worker" if j == 0 else f"worker{j + 1}" for j in range(args.workers)]
    for name in workers:
        procs.start(
            name, PY, "-m", "reliability.worker", "worker", "-Q", "reliability", "-c", "2", "-l", "WARNING",
            "-n", f"{name}@%h",
        )  # fmt: skip
    procs.supervise(workers)
    try:
        for b in bases:
            wait_http(b)
    except BaseException:
        procs.stop_all()
        raise
    time.sleep(5)
    for name in workers:
        if procs.procs[name].poll() is not None:
            raise SystemExit(f"the Celery worker did not start: see {WORK / (name + '.log')}")
    log("gunicorn up at", ", ".join(bases), f"; {len(workers)} worker(s)")

    from reliability.load import ApiClient, Ledger, Staff, Stats

    stats, stop, ledger, failed = Stats(), threading.Event(), Ledger(), []

    def spread(i):  # the i-th user's first server, and the others it also sends requests to
        first = bases[i % len(bases)]
        return first, [b for b in bases if b != first]

    threads = [Staff(*spread(i)[:1], stats, stop, i, u, PASSWORD, others=spread(i)[1]) for i, u in enumerate(users)]
    threads += [
        ApiClient(
            spread(i)[0], stats, stop, 1000 + 2 * i, key, skus, SECRET, "owner", PASSWORD, ledger, others=spread(i)[1]
        )
        for i in range(args.clients)
    ]
    scale = {}
    if args.servers > 1:
        from reliability.scale import sessions_across

        scale["sessions"] = sessions_across(bases, "owner", PASSWORD)
        log("sessions across servers:", "ok" if scale["sessions"]["ok"] else f"BROKEN {scale['sessions']}")
    # Ramp-up: the staff log in one per second (a login is a deliberately slow password hash; 50 at once on two
    # shared cores time out, which says nothing about the application), reported as its own phase.
    stats.reset("ramp-up")
    for t in threads:
        t.start()
        time.sleep(1.0 if isinstance(t, Staff) else 0.1)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not all(t.logged_in for t in threads if isinstance(t, Staff)):
        time.sleep(1)
    ramp = stats.summary()
    ramp.update(after={}, notes={}, invariants_ok=True, invariants="(not checked: logins only)", client_actions={})
    results = [ramp]
    if ramp["errors"]:
        failed.append(f"ramp-up: {ramp['errors']} errors")
    for j in range(args.workers):  # one beat per worker host: with two, every tick is sent twice
        threading.Thread(target=ticker, args=(stop, 20, 7.0 * j), daemon=True).start()
    duration = args.minutes * 60
    try:
        for phase in phases:
            stats.reset(phase)
            notes = {}
            log(f"phase {phase}: {args.minutes} min")
            injector = {"pg": fault_pg, "redis": fault_redis, "worker": fault_worker}.get(phase)
            if phase == "none" and args.servers > 1:
                injector = contest_phase(bases, key, args.contest_units, args.contest_buyers, scale)
            if injector:
                inj = threading.Thread(target=injector, args=(stats, duration, notes), daemon=True)
                inj.start()
            phase_started, phase_clock = phase_end()[1], time.time()
            time.sleep(duration)
            if injector:
                inj.join()
            summary = stats.summary()
            if phase == "none" and args.workers > 1:
                from reliability.scale import job_ticks

                scale["job_ticks"] = job_ticks(phase_started)
            if phase == "none" and scale:
                summary["scale"] = scale
            # Let the queue drain (two worker processes on a loaded machine lag behind the load) and one more outbox
            # tick run: up to 120 s, until no task is waiting and no refund of this run is left unsent.
            drained, upto = time.monotonic(), phase_end()
            while True:
                time.sleep(10)
                summary["after"] = db_counts(upto)
                idle = not summary["after"]["outbox_waiting"] and not summary["after"]["refunds_not_sent"]
                if idle or time.monotonic() - drained > 120:
                    break
            summary["after"]["drained_in_s"] = round(time.monotonic() - drained) if idle else None
            if phase == "worker":
                summary["worker_effects"] = worker_effects(notes.get("kills", []))
            ok, text = check_invariants()
            notes["restarts"] = [r for r in procs.restarts if r["at"] >= phase_clock]
            summary.update(notes=notes, invariants_ok=ok, invariants=text, client_actions=dict(ledger.counts))
            results.append(summary)
            verdict = phase_verdict(summary)
            log(
                f"phase {phase}: {summary['requests']} requests, {summary['errors']} errors, "
                f"{summary['clean_503']} clean 503, invariants {'hold' if ok else 'BROKEN'}: {verdict or 'pass'}"
            )
            if verdict:
                failed.append(f"{phase}: {verdict}")
            Path(args.out).write_text(json.dumps(results, indent=1, ensure_ascii=False, default=str))
    finally:
        stop.set()
        procs.stop_all()
        redis("stop")
    print_report(results)
    if failed:
        print("\nFAILED:\n  " + "\n  ".join(failed))
        return 1
    print("\nall phases passed")
    return 0


def contest_phase(bases, key, units, buyers, scale):
    """The fault of the no-fault phase with several servers: a third of the way in, `buyers` buyers on every
    server race for a hot SKU of `units` units and a flash sale of `units` units (reliability.scale)."""
    from reliability.scale import contest_check, contest_run, contest_setup

    def contest(stats, duration, notes):
        time.sleep(duration * 0.3)
        setup = contest_setup(units)
        log(f"contest: {buyers} buyers on {len(bases)} servers for {units} units of {setup}")
        run = contest_run(bases, key, setup, buyers)
        scale["contest"] = {"setup": setup, **run, **contest_check(setup, units, run)}
        c = scale["contest"]
        log(
            f"contest: hot SKU {c['hot']['accepted']} sold of {units} ({c['hot']['oversold']} oversold), "
            f"flash {c['flash']['accepted']} sold of {units} ({c['flash']['oversold']} oversold) in {run['seconds']} s"
        )

    return contest


def phase_verdict(s):
    problems = []
    scale = s.get("scale") or {}
    if "sessions" in scale and not scale["sessions"]["ok"]:
        problems.append(f"a session did not hold across the servers: {scale['sessions']}")
    if "contest" in scale and not scale["contest"]["ok"]:
        problems.append("the contest sold other than exactly the units")
    for name, ticks in scale.get("job_ticks", {}).items():
        if ticks["ran_more"] or not ticks["ticks"]:
            problems.append(f"{name}: {ticks['ran_more']} ticks ran more than once, {ticks['ticks']} ticks")
    if s["errors"]:
        problems.append(f"{s['errors']} errors (5xx other than a clean 503, tracebacks, connection errors)")
    if not s["invariants_ok"]:
        problems.append("invariants broken")
    if s["phase"] in ("none", "redis", "worker") and s["clean_503"]:
        problems.append(f"{s['clean_503']} 503 answers without a database outage")
    if s["phase"] == "pg":
        late = [e for e in s["events"] if e[0] > s["notes"].get("outage_to_s", 0) + 15]
        if late:
            problems.append(f"{len(late)} failures more than 15 s after PostgreSQL was back (no recovery)")
    if s["phase"] == "redis" and (s["after"]["outbox_waiting"] or s["after"]["refunds_not_sent"]):
        problems.append(f"tasks still waiting after Redis came back: {s['after']}")
    if s["phase"] == "worker":
        kills = s.get("worker_effects", [])
        if not kills:
            problems.append("no job was caught mid-way to kill")
        if any(not k["one_effect"] for k in kills):
            problems.append("a killed job has no effect after its retry")
    return "; ".join(problems)


def print_report(results):
    for s in results:
        print(
            f"\n== phase {s['phase']}: {s['requests']} requests in {s['seconds']} s, {s['errors']} errors, "
            f"{s['clean_503']} clean 503, invariants {'hold' if s['invariants_ok'] else 'BROKEN'}"
        )
        print(f"   {'name':40} {'n':>6} {'err':>4} {'503':>4} {'p50 ms':>7} {'p95 ms':>7}")
        for name, r in s["per_name"].items():
            print(f"   {name:40} {r['requests']:6} {r['errors']:4} {r['clean_503']:4} {r['p50_ms']:7} {r['p95_ms']:7}")
        for sample in s["error_samples"][:3]:
            print("   sample:", sample)
        if s["notes"]:
            print("   fault:", json.dumps(s["notes"], ensure_ascii=False, default=str)[:800])
        if s.get("scale"):
            print("   past one machine:", json.dumps(s["scale"], ensure_ascii=False, default=str)[:3000])
        if s.get("worker_effects"):
            print("   after the retries:", json.dumps(s["worker_effects"], ensure_ascii=False))
        print("   after:", s["after"])


if __name__ == "__main__":
    sys.exit(main())
