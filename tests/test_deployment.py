"""The hosting guide's production set-up, run end to end: nginx with TLS from the very
configuration printed in docs/hosting.md, two `brokerlearn serve` processes on PostgreSQL, and
checks through https as a learner's browser and a verifier would make them.

What is taken from docs/hosting.md, so the guide cannot drift from what is tested:
- the nginx configuration (the block after `<!-- contrib/nginx/brokerlearn.conf -->`);
- the settings file, as the guide's `cat >> /etc/brokerlearn/brokerlearn.env <<'EOF'` lines
  write it; commands get it through BROKERLEARN_SETTINGS (as /usr/local/bin/brokerlearn gives
  it), the servers as systemd's EnvironmentFile= does;
- the servers' command line (ExecStart of the systemd unit).
Only mechanical things are changed, by the tables in substitutions() and
settings_substitutions() (each entry must match, so a table cannot go stale): ports, folders,
the certificate files, the database URL and the public URL's port; one test-only setting is
added (BROKERLEARN_LOGIN_ATTEMPTS=3). The server name stays learn.example.org: the client
connects to 127.0.0.1 and sends that name as SNI and Host.

nginx and PostgreSQL come from Debian's packages (`bash scripts/setup --test`); everything binds
127.0.0.1. Learners at different addresses are simulated with source addresses 127.0.0.x (all
of 127/8 is loopback on Linux).
"""
from __future__ import annotations

import http.client
import json
import os
import re
import shutil
import socket
import ssl
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlencode

import pytest

from pgcluster import PostgresCluster, find_bindir
from server_fixtures import PASSWORD

pytestmark = pytest.mark.deployment

REPO = Path(__file__).resolve().parents[1]
GUIDE = REPO / "docs" / "hosting.md"
NAME = "learn.example.org"



def guide_block(path: str) -> str:
    """The fenced block right after the marker `<!-- PATH -->` in docs/hosting.md."""
    text = GUIDE.read_text(encoding="utf-8")
    found = re.search(re.escape(f"<!-- {path} -->") + r"\s*```\w*\n(.*?)^```", text, re.S | re.M)
    assert found, f"docs/hosting.md has no fenced block after <!-- {path} -->"
    return found.group(1)


def guide_nginx_config() -> str:
    return guide_block("contrib/nginx/brokerlearn.conf")


def substitutions(ports: dict, folders: dict) -> list[tuple[str, str]]:
    """Guide text -> test text. Nothing but addresses, ports and paths."""
    return [
        ("listen 80;", f"listen 127.0.0.1:{ports['http']};"),
        ("listen 443 ssl http2;", f"listen 127.0.0.1:{ports['https']} ssl http2;"),
        ("server 127.0.0.1:8000 ", f"server 127.0.0.1:{ports['backends'][0]} "),
        ("server 127.0.0.1:8002 ", f"server 127.0.0.1:{ports['backends'][1]} "),
        (f"https://{NAME}$request_uri", f"https://{NAME}:{ports['https']}$request_uri"),
        ("/srv/brokerlearn/build/site", str(folders["site"])),
        (f"/etc/letsencrypt/live/{NAME}/", f"{folders['certs']}/"),
        ("root /var/www/html;", f"root {folders['acme']};"),
    ]


def apply(config: str, table: list[tuple[str, str]]) -> str:
    for old, new in table:
        assert old in config, f"the guide's nginx configuration no longer has '{old}': update SUBSTITUTIONS"
        config = config.replace(old, new)
    return config


def service_command(cli: list[str], build_dir: Path, port: int) -> list[str]:
    """ExecStart of the guide's systemd unit for brokerlearn@PORT, with the installed command and
    the build folder replaced by this checkout's and the test's."""
    unit = guide_block("contrib/systemd/brokerlearn@.service")
    line = next(line for line in unit.splitlines() if line.startswith("ExecStart="))
    words = line.removeprefix("ExecStart=").split()
    assert words[0] == "/opt/brokerlearn/venv/bin/brokerlearn" and "/srv/brokerlearn/build" in words, line
    return cli + [str(build_dir) if word == "/srv/brokerlearn/build" else word.replace("%i", str(port))
                  for word in words[1:]]


def guide_settings() -> str:
    """The settings file as the guide's steps write it: every `cat > FILE` / `cat >> FILE`."""
    text = GUIDE.read_text(encoding="utf-8")
    parts = re.findall(r"^cat >>? /etc/brokerlearn/brokerlearn\.env <<'EOF'\n(.*?)^EOF$", text, re.S | re.M)
    assert len(parts) >= 4, "the guide's steps no longer write the settings file with cat >> ... <<'EOF'"
    return "".join(parts)


def settings_substitutions(instance: Path, database_url: str, public_url: str) -> list[tuple[str, str]]:
    """Guide settings -> test settings: the folder, the test's database and public address."""
    return [
        ("BROKERLEARN_INSTANCE=/srv/brokerlearn/instance\n", f"BROKERLEARN_INSTANCE={instance}\n"),
        ("DATABASE_URL=postgresql+psycopg://brokerlearn:PASSWORD@127.0.0.1:5432/brokerlearn\n",
         f"DATABASE_URL={database_url}\n"),
        (f"BROKERLEARN_PUBLIC_URL=https://{NAME}\n", f"BROKERLEARN_PUBLIC_URL={public_url}\n"),
    ]


def environment_file(path: Path) -> dict[str, str]:
    """What systemd's EnvironmentFile= makes of the file: NAME=value lines, # comments, and
    the quotes around a value removed."""
    values = {}
    for line in path.read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            name, _, value = line.partition("=")
            value = value.strip()
            if len(value) > 1 and value[0] == value[-1] and value[0] in "'\"":
                value = value[1:-1]
            values[name.strip()] = value
    return values


def main_config(tmp: Path, site_config: Path) -> str:
    """What Debian's /etc/nginx/nginx.conf gives the site file, with pid, logs and temp files here."""
    user = "user root;\n" if os.geteuid() == 0 else ""
    temps = "".join(f"    {kind}_temp_path {tmp}/{kind};\n" for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    return (f"{user}pid {tmp}/nginx.pid;\nerror_log {tmp}/error.log;\nevents {{}}\n"
            f"http {{\n    include /etc/nginx/mime.types;\n    default_type application/octet-stream;\n"
            f"    access_log {tmp}/access.log;\n{temps}    include {site_config};\n}}\n")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Browser:
    """HTTPS to 127.0.0.1:PORT as https://learn.example.org:PORT (SNI and Host), trusting only
    the test's certificate, from a chosen loopback source address; keeps cookies."""

    def __init__(self, port: int, cafile: Path, source: str = "127.0.0.1"):
        self.port, self.source = port, source
        self.context = ssl.create_default_context(cafile=str(cafile))
        self.cookies: dict[str, str] = {}
        self.set_cookies: list[str] = []

    def request(self, method: str, path: str, body: bytes | None = None, headers: dict | None = None):
        connection = http.client.HTTPSConnection(NAME, self.port, context=self.context, timeout=30,
                                                 source_address=(self.source, 0))
        connection.sock = self.context.wrap_socket(
            socket.create_connection(("127.0.0.1", self.port), 30, (self.source, 0)), server_hostname=NAME)
        headers = dict(headers or {})
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        response.body = response.read()
        connection.close()
        for value in response.headers.get_all("Set-Cookie") or []:
            self.set_cookies.append(value)
            name, _, rest = value.partition("=")
            self.cookies[name] = rest.split(";", 1)[0]
        return response

    def get(self, path: str, **kwargs):
        return self.request("GET", path, **kwargs)

    def csrf(self) -> str:
        return json.loads(self.get("/api/session").body)["csrf_token"]

    def form(self, path: str, fields: dict, headers: dict | None = None):
        """Post a form as a browser does from the page itself: with its CSRF token and, over
        HTTPS, the page as Referer (Referrer-Policy: same-origin), which Flask-WTF checks."""
        body = urlencode({**fields, "csrf_token": self.csrf()}).encode()
        return self.request("POST", path, body, {"Content-Type": "application/x-www-form-urlencoded",
                                                  "Referer": f"https://{NAME}:{self.port}{path}", **(headers or {})})


def wait_for(check, seconds: float, what: str):
    deadline = time.monotonic() + seconds
    while True:
        try:
            result = check()
            if result:
                return result
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: not within {seconds} s")
        time.sleep(0.2)


def backend_up(port: int) -> bool:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
    try:
        connection.request("GET", "/api/session")
        return connection.getresponse().status == 200
    finally:
        connection.close()


@pytest.fixture(scope="module")
def deployment(built_example, tmp_path_factory):
    nginx = shutil.which("nginx") or ("/usr/sbin/nginx" if os.path.exists("/usr/sbin/nginx") else None)
    bindir = find_bindir()
    if not nginx or not bindir or not shutil.which("openssl"):
        if os.environ.get("CI"):
            pytest.fail("nginx, openssl or PostgreSQL is missing: bash scripts/setup --test installs them")
        pytest.skip("nginx, openssl or PostgreSQL is missing (bash scripts/setup --test installs them)")
    tmp = tmp_path_factory.mktemp("deployment")
    started: list[subprocess.Popen] = []
    cluster = PostgresCluster(bindir).start()  # its own: the test stops and starts it
    try:
        yield from _deploy(tmp, nginx, cluster, built_example, started)
    finally:
        for process in reversed(started):
            process.terminate()
        for process in started:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
        cluster.stop()


def _deploy(tmp, nginx, cluster, built_example, started):
    ports = {"http": free_port(), "https": free_port(), "backends": [free_port(), free_port()]}
    public_url = f"https://{NAME}:{ports['https']}"
    # A copy of the build of its own: a test adds a file to it, and other tests share built_example.
    build_dir = tmp / "build"
    shutil.copytree(built_example, build_dir)
    folders = {"site": build_dir / "site", "certs": tmp / "certs", "acme": tmp / "acme"}
    for folder in ("certs", "acme"):
        folders[folder].mkdir()
    # A self-signed certificate for the name, as `openssl req -x509` makes one.
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                    "-keyout", str(folders["certs"] / "privkey.pem"), "-out", str(folders["certs"] / "fullchain.pem"),
                    "-subj", f"/CN={NAME}", "-addext", f"subjectAltName=DNS:{NAME}"], check=True, capture_output=True)
    # The guide's settings file, written by its steps 3, 4, 7 and 8.
    instance = tmp / "instance"
    database = cluster.create_database()
    settings = tmp / "brokerlearn.env"
    settings.write_text(apply(guide_settings(), settings_substitutions(instance, cluster.url(database), public_url))
                        + "BROKERLEARN_LOGIN_ATTEMPTS=3\n")  # test only: a lock-out in fewer requests
    # A command sees what /usr/local/bin/brokerlearn gives it (step 1): BROKERLEARN_SETTINGS only.
    base = {key: value for key, value in os.environ.items()
            if key == "BROKERLEARN_QUIZ_KEY" or not key.startswith(("BROKERLEARN_", "DATABASE_URL"))}
    command_env = {**base, "BROKERLEARN_SETTINGS": str(settings), "PYTHONPATH": str(REPO / "src")}
    cli = [sys.executable, "-m", "brokerlearn"]
    for command in (["db", "upgrade"], ["keys", "init"]):
        subprocess.run(cli + command, env=command_env, check=True, capture_output=True, cwd=tmp)
    # A service sees what its unit gives it: EnvironmentFile= and Environment= (step 11).
    env = {**command_env, **environment_file(settings)}
    servers = {}

    def start(port: int) -> None:
        """`systemctl start brokerlearn@PORT`: the unit's command, as the unit runs it."""
        log = open(tmp / f"serve-{port}.log", "ab")
        servers[port] = subprocess.Popen(service_command(cli, build_dir, port), env=env, stdout=log,
                                         stderr=subprocess.STDOUT)
        started.append(servers[port])

    def stop(port: int) -> None:
        """`systemctl stop brokerlearn@PORT`: SIGTERM, and wait for the process to end."""
        servers[port].terminate()
        servers[port].wait(timeout=20)

    for port in ports["backends"]:
        start(port)
    # nginx from the guide's text.
    site_config = tmp / "brokerlearn.conf"
    site_config.write_text(apply(guide_nginx_config(), substitutions(ports, folders)))
    main = tmp / "nginx.conf"
    main.write_text(main_config(tmp, site_config))
    checked = subprocess.run([nginx, "-t", "-c", str(main), "-p", str(tmp)], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stderr
    started.append(subprocess.Popen([nginx, "-c", str(main), "-p", str(tmp), "-g", "daemon off;"],
                                    stdout=subprocess.DEVNULL, stderr=open(tmp / "nginx.stderr", "wb")))
    for port in ports["backends"]:
        wait_for(lambda: servers[port].poll() is None and backend_up(port), 40, f"brokerlearn serve on {port}")
    cafile = folders["certs"] / "fullchain.pem"
    wait_for(lambda: Browser(ports["https"], cafile).get("/").status == 200, 20, "nginx")
    yield {"ports": ports, "public_url": public_url, "cafile": cafile, "env": env, "cluster": cluster,
           "database": database, "tmp": tmp, "site": folders["site"], "start": start, "stop": stop,
           "browser": lambda source="127.0.0.1": Browser(ports["https"], cafile, source)}


@pytest.mark.parametrize("path", ["contrib/nginx/brokerlearn.conf", "contrib/systemd/brokerlearn@.service",
                                  "contrib/brokerlearn-backup", "contrib/bin/brokerlearn"])
def test_the_guide_prints_the_contrib_files_as_they_are(path):
    assert (REPO / path).read_text(encoding="utf-8") == guide_block(path)


def test_plain_http_is_redirected_to_https(deployment):
    connection = http.client.HTTPConnection("127.0.0.1", deployment["ports"]["http"], timeout=10)
    connection.request("GET", "/example/?x=1", headers={"Host": NAME})
    response = connection.getresponse()
    assert response.status == 301
    assert response.getheader("Location") == f"{deployment['public_url']}/example/?x=1"


def _backend(deployment, path: str):
    connection = http.client.HTTPConnection("127.0.0.1", deployment["ports"]["backends"][0], timeout=10)
    connection.request("GET", path)
    response = connection.getresponse()
    response.read()
    return response


COMPARED = ("Content-Security-Policy", "X-Content-Type-Options", "Referrer-Policy", "X-Frame-Options",
            "Permissions-Policy", "Cross-Origin-Opener-Policy", "Strict-Transport-Security", "Cache-Control",
            "Content-Disposition")


def _site_files(site: Path) -> dict[str, str]:
    """One file of each kind nginx serves itself: page, style, caption, video, image."""
    def first(pattern):
        return "/" + next(p for p in sorted(site.glob(pattern)) if p.is_file()).relative_to(site).as_posix()
    return {"catalog": "/", "lesson": first("example/*/*/index.html").removesuffix("index.html"),
            "style": first("_static/*.css"), "captions": first("example/media/**/*.vtt"),
            "video": first("example/media/**/*.mp4"), "image": first("example/media/**/*.svg")}


def test_what_nginx_serves_has_the_servers_headers_and_types(deployment):
    """Pages, _static and media served by nginx carry the security, cache and media headers and
    the content type the server sends for the same file."""
    browser = deployment["browser"]()
    for kind, path in _site_files(deployment["site"]).items():
        through_nginx, direct = browser.get(path), _backend(deployment, path)
        assert through_nginx.status == 200 == direct.status, (kind, path)
        for name in COMPARED:
            assert through_nginx.headers.get_all(name) == direct.headers.get_all(name), (kind, path, name)
        assert through_nginx.getheader("Content-Type").replace(" ", "") == direct.getheader("Content-Type").replace(" ", ""), (kind, path)
    assert browser.get(_site_files(deployment["site"])["captions"]).getheader("Content-Type").startswith("text/vtt")
    # The essentials spelled out, not only "as the server does".
    page = browser.get("/")
    assert "frame-ancestors 'none'" in page.getheader("Content-Security-Policy")
    assert page.getheader("Strict-Transport-Security") == "max-age=31536000"
    assert page.getheader("Cache-Control") == "no-cache"
    assert "sandbox" in browser.get(_site_files(deployment["site"])["video"]).getheader("Content-Security-Policy")


def test_a_download_under_media_is_an_attachment(deployment):
    """A file under media/ that is no image, video, audio or caption is sent as a download (the
    example course has none, so one is put into the deployment's copy of the built site)."""
    media = next(p for p in sorted(deployment["site"].glob("*/media")) if p.is_dir())
    (media / "handout-deployment-test.pdf").write_bytes(b"%PDF-1.4\n% test\n")
    path = "/" + (media / "handout-deployment-test.pdf").relative_to(deployment["site"]).as_posix()
    response = deployment["browser"]().get(path)
    assert response.status == 200 and response.getheader("Content-Disposition") == "attachment"
    assert response.getheader("Content-Disposition") == _backend(deployment, path).getheader("Content-Disposition")


def test_dynamic_responses_carry_each_security_header_once(deployment):
    browser = deployment["browser"]()
    for path in ("/account/login", "/api/session", "/.well-known/jwks.json", "/certificates/issuer", "/dashboard"):
        response = browser.get(path)
        assert response.status in (200, 302), path
        for name in COMPARED[:7]:
            assert len(response.headers.get_all(name) or []) == 1, (path, name)


def test_a_missing_page_and_a_folder_without_slash_are_answered_by_the_server(deployment):
    browser = deployment["browser"]()
    missing = browser.get("/example/no-such-page/")
    assert missing.status == 404 and missing.getheader("Content-Security-Policy")
    folder = browser.get("/example")
    assert folder.status == 308 and folder.getheader("Location").endswith("/example/")
    # Nothing private through nginx.
    assert browser.get("/server/example.json").status == 404


def test_sign_in_through_nginx_with_secure_cookies(deployment):
    browser = deployment["browser"]()
    assert browser.get("/example/").status == 200
    registered = browser.form("/account/register", {"email": "ana@agency.org", "password": PASSWORD})
    assert registered.status == 302 and registered.getheader("Location").endswith("/dashboard")
    session_cookie = next(c for c in browser.set_cookies if c.startswith("brokerlearn_session="))
    assert "Secure" in session_cookie and "HttpOnly" in session_cookie
    assert json.loads(browser.get("/api/session").body)["user"]["email"] == "ana@agency.org"
    again = deployment["browser"]()
    signed_in = again.form("/account/login", {"email": "ana@agency.org", "password": PASSWORD})
    assert signed_in.status == 302
    # Both processes answer for the same session (nginx spreads requests over them).
    for _ in range(4):
        dashboard = again.get("/dashboard")
        assert dashboard.status == 200 and b"ana@agency.org" in dashboard.body


def test_verifiers_get_the_keys_and_the_issuer_under_the_public_url(deployment):
    browser = deployment["browser"]()
    jwks = browser.get("/.well-known/jwks.json", headers={"Origin": "https://verifier.example"})
    assert jwks.status == 200 and jwks.getheader("Access-Control-Allow-Origin") == "*"
    keys = json.loads(jwks.body)["keys"]
    assert keys and all("kid" in key for key in keys)
    issuer = browser.get("/certificates/issuer", headers={"Origin": "https://verifier.example"})
    assert issuer.status == 200 and issuer.getheader("Access-Control-Allow-Origin") == "*"
    profile = json.loads(issuer.body)
    assert profile["id"] == f"{deployment['public_url']}/certificates/issuer"
    assert profile["name"] == "Example Agency"  # the guide's quoted value, read without its quotes
    # Each key's kid is its address under the public URL (what verifiers dereference): it answers
    # through nginx, as does every address of this server the profile names.
    for key in keys:
        assert key["kid"].startswith(f"{deployment['public_url']}/certificates/keys/"), key["kid"]
    named = re.findall(re.escape(deployment["public_url"]) + r"(/[^\"\s#]*)", jwks.body.decode() + issuer.body.decode())
    assert len(named) >= 2
    for path in set(named):
        assert browser.get(path).status == 200, path


def test_a_rolling_restart_loses_no_request(deployment):
    """The guide's rolling restart: one process stopped, started and healthy again, then the
    other. Every request meanwhile, a sign-in (a POST) among them, is answered by a process."""
    learner = deployment["browser"]("127.0.0.88")
    assert learner.form("/account/register", {"email": "dan@agency.org", "password": PASSWORD}).status == 302
    answered = []
    for port in deployment["ports"]["backends"]:
        deployment["stop"](port)
        for _ in range(3):
            answered.append(learner.get("/api/session").status)
            answered.append(deployment["browser"]("127.0.0.88").form(
                "/account/login", {"email": "dan@agency.org", "password": PASSWORD}).status)
        deployment["start"](port)
        wait_for(lambda: backend_health(port) == 200, 40, f"brokerlearn@{port} healthy again")
    answered.append(learner.get("/dashboard").status)
    assert answered == [200, 302] * 6 + [200]


def _failure_keys(deployment) -> list[str]:
    import psycopg
    cluster = deployment["cluster"]
    with psycopg.connect(f"host=127.0.0.1 port={cluster.port} user={cluster.USER} dbname={deployment['database']}") as db:
        return [row[0] for row in db.execute("SELECT key FROM login_failures")]


def test_the_rate_limit_counts_the_learners_own_address(deployment):
    """Failures from a client are counted under the address nginx saw, not nginx's own and not
    one the client wrote into X-Forwarded-For; one client's failures lock nobody else out."""
    attacker = deployment["browser"]("127.0.0.23")
    for number in range(4):  # LOGIN_ATTEMPTS is 3: the fourth is refused
        response = attacker.form("/account/login", {"email": "ben@agency.org", "password": "wrong password"},
                                 headers={"X-Forwarded-For": f"198.51.100.{number + 1}"})
        assert response.status == 401
    assert b"Too many failed sign-ins" in response.body, "a spoofed X-Forwarded-For gave the attacker fresh addresses"
    keys = _failure_keys(deployment)
    assert "address:127.0.0.23" in keys and "account:127.0.0.23:ben@agency.org" in keys
    assert not [key for key in keys if "198.51.100." in key or key.startswith(("address:127.0.0.1", "account:127.0.0.1:"))], keys
    # Ben, at his own address, signs in.
    ben = deployment["browser"]("127.0.0.42")
    assert ben.form("/account/register", {"email": "ben@agency.org", "password": PASSWORD}).status == 302
    assert deployment["browser"]("127.0.0.42").form(
        "/account/login", {"email": "ben@agency.org", "password": PASSWORD}).status == 302


@contextmanager
def database_stopped(cluster):
    """PostgreSQL stopped as an admin stops it (pg_ctl -m fast) for the block, then started again."""
    cluster.stop_server()
    try:
        yield
    finally:
        cluster.start_server()


def test_a_database_outage_gives_a_503_and_recovers(deployment):
    learner = deployment["browser"]("127.0.0.77")
    assert learner.form("/account/register", {"email": "cleo@agency.org", "password": PASSWORD}).status == 302
    with database_stopped(deployment["cluster"]):
        page = learner.get("/dashboard", headers={"Accept-Language": "de"})
        assert page.status == 503 and page.getheader("Retry-After") == "30"
        html = page.body.decode()
        assert '<html lang="de"' in html and "Der Kursserver ist kurz nicht erreichbar" in html
        assert '<link rel="stylesheet" href="/_static/brokerlearn.css">' in html  # in the site's layout
        assert page.getheader("Content-Security-Policy") and page.getheader("Strict-Transport-Security")
        api = learner.get("/api/progress/example")
        assert api.status == 503 and api.getheader("Retry-After")
        assert api.getheader("Content-Type").startswith("application/json")
        assert json.loads(api.body)["error"]["code"] == "unavailable"
        assert learner.get("/").status == 200  # nginx still serves the site
    wait_for(lambda: learner.get("/dashboard").status == 200, 20, "recovery after PostgreSQL is back")
    assert b"cleo@agency.org" in learner.get("/dashboard").body


def test_the_health_endpoint_through_nginx_and_per_process_follows_the_database(deployment):
    browser = deployment["browser"]()
    healthy = browser.get("/api/health")
    assert healthy.status == 200 and json.loads(healthy.body) == {"status": "ok"}
    for port in deployment["ports"]["backends"]:
        assert backend_health(port) == 200
    with database_stopped(deployment["cluster"]):
        assert browser.get("/api/health").status == 503
        assert [backend_health(port) for port in deployment["ports"]["backends"]] == [503, 503]
    wait_for(lambda: browser.get("/api/health").status == 200, 20, "/api/health after PostgreSQL is back")


def backend_health(port: int) -> int:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request("GET", "/api/health")
        return connection.getresponse().status
    finally:
        connection.close()
