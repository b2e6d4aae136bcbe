"""`brokerlearn serve`: the application under the waitress WSGI server, and what starting it
checks and says (the command line only parses the options)."""
from __future__ import annotations

import logging
import sys
from pathlib import Path

from brokerlearn.errors import UsageError


def database_line(config: dict) -> str:
    """Which database, said by every command that uses one: a command run without the settings
    (a cron job) shows it."""
    from brokerlearn.server.db import masked_url
    return f"database: {masked_url(config['DATABASE_URL'])} ({config['DATABASE_SOURCE']})"


def serve(build_dir: Path, host: str, port: int, instance: Path | None, threads: int | None, say) -> None:
    """Serve BUILD_DIR/site/ until interrupted; `say` prints a line for the operator."""
    if not (build_dir / "site" / "index.html").is_file():
        raise UsageError(f"no built site in {build_dir / 'site'}: run 'brokerlearn build' first")
    from brokerlearn.server import create_app, remember_database
    from brokerlearn.server.courses import CourseCatalog
    CourseCatalog(build_dir / "server").check()  # before anything is made: no server on manifests it cannot read
    from brokerlearn.server.db import ensure_current_schema
    from brokerlearn.server.lrs import start_forwarder
    from brokerlearn.server.settings import public_url_at_start
    app = create_app(build_dir=build_dir, instance_path=instance, create=True)
    say(database_line(app.config))
    if warning := ensure_current_schema(app.config["DATABASE_URL"], starting=True):
        say(warning)  # the embedded SQLite default is upgraded on its own
    if notice := public_url_at_start(app.config, host, port):
        say(notice)
    remember_database(app)
    # Waitress's I/O thread and the request threads share the GIL. A request thread that waits on
    # the database gives the GIL up and, by default, may wait 5 ms to get it back, several times
    # per request; 0.5 ms cuts signed-in request latency under load severalfold (bench/README.md).
    sys.setswitchinterval(0.0005)
    # Waitress warns "Task queue depth is N" on every request while clients outnumber threads,
    # which is normal under load and costs a log write per request.
    logging.getLogger("waitress.queue").setLevel(logging.ERROR)
    if app.config["REQUEST_LOG"]:
        logging.getLogger("brokerlearn.requests").setLevel(logging.INFO)  # one line per request
    if start_forwarder(app):
        say(f"forwarding learning events to the LRS at {app.config['LRS_URL']}")
    say(f"serving {build_dir / 'site'} on http://{host}:{port}/ (Ctrl+C to stop)")
    import waitress
    # Waitress would drop X-Forwarded-* itself, before the application could honour them from a
    # configured proxy; the application's own gate (server/proxies.py) decides whom to believe.
    waitress.serve(app, host=host, port=port, threads=threads or app.config["THREADS"], ident="brokerlearn",
                   clear_untrusted_proxy_headers=False)
