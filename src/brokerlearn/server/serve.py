"""`brokerlearn serve`: the application under gunicorn (several worker processes, on Linux and
other POSIX systems) or waitress (one process; Windows, or `--server waitress`), and what
starting it checks and says (the command line only parses the options)."""
from __future__ import annotations

import gc
import logging
import os
import socket
import sys
from pathlib import Path

from brokerlearn.errors import UsageError


def database_line(config: dict) -> str:
    """Which database, said by every command that uses one: a command run without the settings
    (a cron job) shows it."""
    from brokerlearn.server.db import masked_url
    return f"database: {masked_url(config['DATABASE_URL'])} ({config['DATABASE_SOURCE']})"


SERVERS = ("auto", "gunicorn", "waitress")
# Threads per gunicorn worker (gthread), chosen by measurement on 2 cores (bench/README.md):
# more threads let a worker wait on the database or a slow client while another request runs,
# and the progress events of more requests share one commit (8 threads: 3.9 requests per
# commit against 2.0 with 4; progress 14-40% more requests a second at 10-25% less CPU each).
GUNICORN_THREADS = 8
WAITRESS_THREADS = 8  # one process: more threads to overlap the database waits


def default_workers() -> int:
    """One worker process per core this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def gunicorn_available() -> bool:
    if os.name != "posix":
        return False
    try:
        import gunicorn  # noqa: F401
    except ImportError:
        return False
    return True


def chosen_server(server: str) -> str:
    if server == "auto":
        return "gunicorn" if gunicorn_available() else "waitress"
    if server == "gunicorn" and not gunicorn_available():
        raise UsageError("gunicorn cannot run here (it needs Linux or another POSIX system, and the "
                         "gunicorn package): use --server waitress")
    return server


def serve(build_dir: Path, host: str, port: int, instance: Path | None, threads: int | None, say,
          workers: int | None = None, server: str = "auto") -> None:
    """Serve BUILD_DIR/site/ until interrupted; `say` prints a line for the operator."""
    if not (build_dir / "site" / "index.html").is_file():
        raise UsageError(f"no built site in {build_dir / 'site'}: run 'brokerlearn build' first")
    server = chosen_server(server)
    from brokerlearn.server import create_app, remember_database
    from brokerlearn.server.courses import CourseCatalog
    CourseCatalog(build_dir / "server").check()  # before anything is made: no server on manifests it cannot read
    from brokerlearn.server.db import ensure_current_schema
    from brokerlearn.server.settings import public_url_at_start
    app = create_app(build_dir=build_dir, instance_path=instance, create=True)
    say(database_line(app.config))
    if warning := ensure_current_schema(app.config["DATABASE_URL"], starting=True):
        say(warning)  # the embedded SQLite default is upgraded on its own
    if notice := public_url_at_start(app.config, host, port):
        say(notice)
    remember_database(app)
    # The request threads share the GIL. A thread that waits on the database gives the GIL up
    # and, by default, may wait 5 ms to get it back, several times per request; 0.5 ms cuts
    # signed-in request latency under load severalfold (bench/README.md).
    sys.setswitchinterval(0.0005)
    # Waitress warns "Task queue depth is N" on every request while clients outnumber threads,
    # which is normal under load and costs a log write per request.
    logging.getLogger("waitress.queue").setLevel(logging.ERROR)
    if app.config["REQUEST_LOG"]:
        logging.getLogger("brokerlearn.requests").setLevel(logging.INFO)  # one line per request
    if server == "gunicorn":
        workers = workers or app.config.get("WORKERS") or default_workers()
        threads = threads or app.config.get("THREADS") or GUNICORN_THREADS
        say(f"serving {build_dir / 'site'} on http://{host}:{port}/ with gunicorn, {workers} worker "
            f"process{'es' if workers != 1 else ''} of {threads} threads (Ctrl+C to stop)")
        run_gunicorn(app, host, port, workers, threads, say)
        return
    from brokerlearn.server.lrs import start_forwarder
    if start_forwarder(app):
        say(f"forwarding learning events to the LRS at {app.config['LRS_URL']}")
    from brokerlearn.server.lti.ags import start_sender
    start_sender(app)  # LTI: grades to the platforms' gradebooks, their rosters
    threads = threads or app.config.get("THREADS") or WAITRESS_THREADS
    say(f"serving {build_dir / 'site'} on http://{host}:{port}/ with waitress, {threads} threads (Ctrl+C to stop)")
    import waitress
    # Waitress would drop X-Forwarded-* itself, before the application could honour them from a
    # configured proxy; the application's own gate (server/proxies.py) decides whom to believe.
    waitress.serve(app, host=host, port=port, threads=threads, ident="brokerlearn",
                   clear_untrusted_proxy_headers=False)


def gunicorn_options(host: str, port: int, workers: int, threads: int) -> dict:
    """The settings of `brokerlearn serve` under gunicorn; bench/reference_app.py uses the same."""
    return {
        "bind": [f"[{host}]:{port}" if ":" in host else f"{host}:{port}"],
        "workers": workers,
        "worker_class": "gthread",  # keep-alive connections, and a slow client holds one thread only
        "threads": threads,
        "backlog": 2048,
        # Each worker listens on a socket of its own and the kernel spreads new connections
        # over them. On one shared socket the first worker to wake took them: at 64 keep-alive
        # connections one worker held all 64 while the other idled (bench/README.md). The
        # port is checked free first (run_gunicorn), so a second server on it still fails.
        # The cost: a worker that stops alone (a crash, a timeout, a SIGHUP reload) resets the
        # connections queued on its socket, which a shared socket passed to the other worker
        # (unless net.ipv4.tcp_migrate_req=1, Linux 5.14+). A whole server stopping (the rolling
        # restart of docs/hosting.md) drops the same connections either way.
        "reuse_port": True,
        # Idle keep-alive connections stay open longer than nginx keeps its own to the upstream
        # (60 s): the proxy, not the server, closes an idle one, so a request sent on it as it
        # closes (a POST, which is not retried) does not fail. Idle connections cost a file each.
        "keepalive": 75,
        "worker_connections": 4000,
        "graceful_timeout": 30,  # SIGTERM: the requests in hand are finished first
        "timeout": 60,
        # X-Forwarded-* are the application's to believe or not (server/proxies.py), never gunicorn's.
        "forwarded_allow_ips": "",
        "secure_scheme_headers": {},
        "accesslog": None,  # the application writes its own request log
        "errorlog": "-",
        "loglevel": "warning",
        "proc_name": "brokerlearn",
        "control_socket_disable": True,
    }


def run_gunicorn(app, host: str, port: int, workers: int, threads: int, say=None, options: dict | None = None) -> None:
    """Serve the WSGI app with gunicorn's gthread workers until SIGINT or SIGTERM. The app is made
    once, here, and each worker is a fork of it; what must not be shared across a fork (the
    database connections, the LRS forwarder's thread) is made again in each worker."""
    from gunicorn.app.base import BaseApplication

    def post_fork(_server, _worker):
        engine = app.extensions.get("brokerlearn_engine")
        if engine is not None:
            engine.dispose(close=False)  # the parent's pooled connections are not this worker's

    def post_worker_init(_worker):
        from brokerlearn.server.lrs import start_forwarder
        start_forwarder(app)  # one per worker: statement ids make a batch sent twice harmless
        from brokerlearn.server.lti.ags import start_sender
        start_sender(app)  # one per worker: each outbox row is claimed before it is sent

    settings = {**gunicorn_options(host, port, workers, threads), **(options or {}),
                "post_fork": post_fork, "post_worker_init": post_worker_init}
    if say and app.config.get("LRS_URL"):
        say(f"forwarding learning events to the LRS at {app.config['LRS_URL']}")

    class Server(BaseApplication):
        def load_config(self):
            for key, value in settings.items():
                if value is not None or key == "accesslog":
                    self.cfg.set(key, value)

        def load(self):
            return app

    logging.basicConfig()  # the request log and warnings on standard error, as under waitress
    check_port_free(host, port)
    # What is loaded by now (the application, its courses, the libraries) lives as long as the
    # process: frozen, the workers' full garbage collections skip it (106 to 147 ms each
    # otherwise, measured: a pause of every request of the worker) and its pages stay shared.
    gc.collect()
    gc.freeze()
    Server().run()


def check_port_free(host: str, port: int) -> None:
    """Refuse a port another server listens on. With reuse_port, gunicorn would share it with
    a server of the same user (the connections split between the two) instead of failing."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as gunicorn: TIME_WAIT is no owner
        try:
            probe.bind((host, port))
        except OSError as exc:
            raise UsageError(f"cannot listen on {host}:{port}: {exc.strerror}") from None
