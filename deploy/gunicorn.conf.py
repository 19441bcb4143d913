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


def post_worker_init(worker):
    """Once the worker has loaded the app: coordination.settle_memory (written out here, as this file
    also serves apps that are not this one, such as the benchmark's bare Flask floor)."""
    import gc

    gc.collect()
    gc.freeze()
