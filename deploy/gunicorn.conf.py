"""gunicorn settings for `make serve` and production: gunicorn -c deploy/gunicorn.conf.py wsgi:app

Every process keeps nothing between requests (sessions are signed cookies; throttling, locks and claims
live in the database), so WEB_CONCURRENCY workers on any number of machines serve one PostgreSQL."""
import os

bind = os.environ.get("BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
worker_class = "sync"
timeout = 60            # the longest page is a 100-page minutes PDF
graceful_timeout = 30
max_requests = 5000     # recycle workers now and then, with jitter so they do not restart together
max_requests_jitter = 500
accesslog = None        # the app writes one JSON line per request itself (coordination/web/operations.py)
errorlog = "-"
# only the reverse proxy on this machine may say which client it forwards (see PROXY_COUNT)
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
# the app is imported once, by the master, and the workers are forks of it: a worker that replaces a
# recycled one serves at once instead of after the ~2 s of importing the app (a recycle every 5,000
# requests otherwise cost each worker that much). A new release is therefore a restart, not a HUP.
preload_app = True


def when_ready(server):
    """The master has loaded the app: what exists now lives as long as the processes, and the workers
    share it copy-on-write, so the collector is told to leave it alone (coordination.settle_memory)."""
    import gc

    gc.collect()
    gc.freeze()


def post_fork(server, worker):
    """Database connections the master may have opened while loading the app are the master's: each
    worker starts its pools empty (SQLAlchemy's way after a fork)."""
    app = worker.app.wsgi()
    sqlalchemy = getattr(app, "extensions", {}).get("sqlalchemy")
    if sqlalchemy is not None:
        with app.app_context():
            for engine in sqlalchemy.engines.values():
                engine.dispose(close=False)


def post_worker_init(worker):
    """And what the worker itself made while starting: coordination.settle_memory (written out here,
    as this file also serves apps that are not this one, such as the benchmark's bare Flask floor)."""
    import gc

    gc.collect()
    gc.freeze()
