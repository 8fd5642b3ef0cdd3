"""gunicorn settings for `make serve`: bind HOST:PORT, workers from WEB_CONCURRENCY."""

import multiprocessing
import os

bind = f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '5000')}"
# The usual sync-worker rule of thumb; WEB_CONCURRENCY overrides it.
workers = int(os.environ.get("WEB_CONCURRENCY") or 0) or multiprocessing.cpu_count() * 2 + 1
worker_class = "sync"
timeout = 60
graceful_timeout = 20
accesslog = os.environ.get("ACCESS_LOG", "-") or None
# Each worker builds its own app (and database pool) after the fork.
preload_app = False
