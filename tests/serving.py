"""Serving a WSGI application with waitress on 127.0.0.1 inside a test, and stopping it for
good: no worker thread or open connection of one test outlives it into the next."""
from __future__ import annotations

import threading
from contextlib import contextmanager


@contextmanager
def running(app, threads: int = 8):
    """Yields the port; on exit closes every connection, stops the workers and the loop."""
    import waitress.server
    server = waitress.server.create_server(app, host="127.0.0.1", port=0, threads=threads)
    loop = threading.Thread(target=server.run, daemon=True)
    loop.start()
    try:
        yield server.effective_port
    finally:
        server.close()
        server.task_dispatcher.shutdown(cancel_pending=True, timeout=10)
        for channel in list(server._map.values()):
            channel.close()  # client connections and the trigger: the loop then has nothing left
        loop.join(timeout=10)
