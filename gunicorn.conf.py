"""gunicorn settings for PracticeOps (`gunicorn -c gunicorn.conf.py practiceops.wsgi`).

Sync workers: on a small server they beat threaded workers for this CPU-bound JSON API
(measured in bench/). Every value can be overridden with GUNICORN_* environment variables.
"""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
# Sized from the CPU count: one per core plus one to cover a worker waiting on PostgreSQL.
# 2 x cores + 1 was tried in short interleaved runs on the shared 2-core machine and the
# difference drowned in the noise (the same setting measured 1,214 and 355 req/s on B0
# minutes apart); each worker holds about 94 MiB resident, so 5 workers instead of 3 cost
# about 190 MiB more. Kept at cores + 1 until a quiet bench run says otherwise
# (GUNICORN_WORKERS=5 python -m bench.run; README → Performance).
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() + 1))
# The sync worker, answering its own refusals (an over-long request line) in the envelope.
worker_class = "practiceops.gunicorn_worker.EnvelopeSyncWorker"
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "20"))
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE", "5"))
# Recycle workers now and then so a slow leak cannot grow without bound; jitter avoids a herd.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "5000"))
max_requests_jitter = int(os.environ.get("GUNICORN_MAX_REQUESTS_JITTER", "500"))
# RequestLogMiddleware logs every request (request_finished): no access log.
accesslog = None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")
preload_app = False
