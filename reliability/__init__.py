"""The long reliability command (issue 17): `python -m reliability [--minutes 5] [--staff 50] [--clients 16]
[--faults all|none|pg,redis,worker]`.

It runs the back office for real on loopback: its own PostgreSQL cluster (15/rel, port 5440) and its own Redis
(port 6390), so restarting or stopping them never touches another engineer's servers; gunicorn; a Celery worker
(reliability.worker, which can hold a money or stock job mid-way so it can be killed there). It seeds a store,
drives simulated staff and API clients (reliability.load), injects one fault per phase and, after each phase,
runs `check_invariants`. Figures are printed and written as JSON; RELIABILITY.md records a run.
"""
