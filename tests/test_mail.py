"""Password-reset mail over SMTP, against a local aiosmtpd server: STARTTLS (or implicit TLS) with
the server's certificate checked, or nothing sent, no password included; sending in clear only
when the operator opts out; the mail in the learner's language."""
from __future__ import annotations

import datetime
import email
import email.policy
import email.utils
import ipaddress
import logging
import re
import socket
import ssl
from contextlib import contextmanager

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from flask import Flask

from brokerlearn.server import mail

PASSWORD = "s3cret-smtp-password"
LINK = "https://learn.example.org/account/reset/TOKEN"


class Recorder:
    """What reached the SMTP server: mails and logins."""

    def __init__(self):
        self.messages, self.logins = [], []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(envelope.content.decode("utf-8", "replace"))
        return "250 OK"

    def authenticate(self, server, session, envelope, mechanism, auth_data):
        self.logins.append(auth_data)
        return AuthResult(success=True)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def certificate(tmp_path_factory):
    """A self-signed certificate for 127.0.0.1: (cert file, key file)."""
    folder = tmp_path_factory.mktemp("smtp-tls")
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), True)
            .sign(key, hashes.SHA256()))
    cert_file, key_file = folder / "cert.pem", folder / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_file, key_file


def server_context(certificate) -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(*map(str, certificate))
    return context


@contextmanager
def smtp_server(starttls=None, implicit=None):
    """An SMTP server on 127.0.0.1 that accepts AUTH even in clear (so a leak would show):
    without STARTTLS, offering it (starttls=context) or speaking TLS from the start (implicit)."""
    recorder, port = Recorder(), free_port()
    controller = Controller(recorder, hostname="127.0.0.1", port=port, authenticator=recorder.authenticate,
                            auth_require_tls=False, tls_context=starttls, ssl_context=implicit)
    controller.start()
    try:
        yield recorder, port
    finally:
        controller.stop()


def send(port: int, lang: str = "en", **settings):
    app = Flask(__name__)
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=port, SMTP_USER="mailer", SMTP_PASSWORD=PASSWORD,
                      MAIL_FROM="learn@agency.org", PUBLIC_URL="https://learn.example.org", **settings)
    with app.test_request_context(headers={"Accept-Language": lang}):
        mail.send_reset_link("ana@agency.org", LINK)


def test_no_starttls_offered_nothing_is_sent(caplog):
    with smtp_server() as (recorder, port), caplog.at_level(logging.ERROR, logger="brokerlearn.mail"):
        send(port)
    assert recorder.messages == [] and recorder.logins == []  # neither the password nor the link went out
    assert "does not offer STARTTLS" in caplog.text and "BROKERLEARN_SMTP_SECURITY" in caplog.text


def test_an_unverifiable_certificate_stops_the_mail(certificate, caplog):
    with smtp_server(starttls=server_context(certificate)) as (recorder, port), \
            caplog.at_level(logging.ERROR, logger="brokerlearn.mail"):
        send(port)
    assert recorder.messages == [] and recorder.logins == []
    assert "certificate verify failed" in caplog.text


def trust(monkeypatch, certificate):
    """The test CA as the system's: ssl.create_default_context, as the code calls it, with one
    more trusted certificate (verification and host name checks stay on)."""
    real = ssl.create_default_context

    def with_test_ca(purpose=ssl.Purpose.SERVER_AUTH, **options):
        return real(purpose, **{"cafile": str(certificate[0]), **options})
    monkeypatch.setattr(ssl, "create_default_context", with_test_ca)


def test_starttls_with_a_verified_certificate_sends_in_the_learners_language(certificate, monkeypatch):
    trust(monkeypatch, certificate)
    with smtp_server(starttls=server_context(certificate)) as (recorder, port):
        send(port, lang="de")
    assert len(recorder.logins) == 1 and len(recorder.messages) == 1
    message = email.message_from_string(recorder.messages[0], policy=email.policy.default)
    assert message["Subject"] == "Neues Passwort festlegen"
    body = message.get_content()
    assert LINK in body and "Passwort" in body and "password" not in body


def test_implicit_tls(certificate, monkeypatch):
    trust(monkeypatch, certificate)
    with smtp_server(implicit=server_context(certificate)) as (recorder, port):
        send(port, SMTP_SECURITY="tls")
    assert len(recorder.messages) == 1 and LINK in recorder.messages[0]


def test_sending_in_clear_only_when_the_operator_says_so():
    with smtp_server() as (recorder, port):
        send(port, SMTP_SECURITY="none")
    assert len(recorder.messages) == 1 and LINK in recorder.messages[0] and len(recorder.logins) == 1


def test_an_unknown_security_setting_sends_nothing(caplog):
    with smtp_server() as (recorder, port), caplog.at_level(logging.ERROR, logger="brokerlearn.mail"):
        send(port, SMTP_SECURITY="maybe")
    assert recorder.messages == [] and "must be one of starttls, tls, none" in caplog.text


def test_the_mail_has_a_date_and_a_message_id_on_the_public_host():
    """RFC 5322 3.6: Date is required; a Message-ID (unique, on the sender's domain) keeps spam
    filters from marking the mail down."""
    with smtp_server() as (recorder, port):
        send(port, SMTP_SECURITY="none")
        send(port, SMTP_SECURITY="none")
    first, second = (email.message_from_string(text, policy=email.policy.default) for text in recorder.messages)
    sent = email.utils.parsedate_to_datetime(first["Date"])
    assert sent.tzinfo is not None
    assert abs(sent - datetime.datetime.now(datetime.timezone.utc)) < datetime.timedelta(minutes=2)
    ids = [message["Message-ID"] for message in (first, second)]
    assert all(re.fullmatch(r"<[^<>@\s]+@learn\.example\.org>", value) for value in ids), ids
    assert ids[0] != ids[1]
