"""Sending the few mails the server sends (password resets), or logging them for the admin.

Links in mail point only at the configured public address (BROKERLEARN_PUBLIC_URL), never at the
Host header of the request that asked for them. SMTP is encrypted and the server's certificate
checked (STARTTLS by default, or implicit TLS); sending in clear needs an explicit
BROKERLEARN_SMTP_SECURITY=none.
"""
from __future__ import annotations

import logging
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from urllib.parse import urlsplit

from flask import current_app, request

from brokerlearn.server.language import gettext as _

log = logging.getLogger("brokerlearn.mail")
SECURITY = ("starttls", "tls", "none")


class MailError(Exception):
    """The mail was not sent; the message says why."""


def public_url(path: str) -> str | None:
    """PATH on the configured public address, or None when it is not set."""
    base = (current_app.config.get("PUBLIC_URL") or "").rstrip("/")
    return base + path if base else None


def absolute_url(path: str) -> str:
    """For links shown to the person making the request (an admin's invitation links): the
    public address, or the address their own browser used. Never for links sent by mail."""
    return (current_app.config.get("PUBLIC_URL") or request.host_url).rstrip("/") + path


def can_send_links() -> bool:
    return bool(current_app.config.get("PUBLIC_URL"))


def not_configured() -> str:
    return _("Password reset by e-mail is not available yet: the server's public address "
             "(BROKERLEARN_PUBLIC_URL) is not set. Ask the administrator to set it, or to reset your password "
             "(brokerlearn users reset-password).")


def reset_message(to: str, link: str, sender: str) -> EmailMessage:
    message = EmailMessage()
    message["Subject"] = _("Set a new password")
    message["From"], message["To"] = sender, to
    # RFC 5322 requires Date; spam filters penalise mail without a Message-ID. The ID names the
    # public host (make_msgid's default would look up this machine's name, slowly, and leak it).
    message["Date"] = formatdate(usegmt=True)
    message["Message-ID"] = make_msgid("reset", domain=urlsplit(link).hostname or "localhost")
    message.set_content("\n\n".join([
        _("Someone asked to set a new password for this address."),
        _("Open this link within one hour to choose it (it works once):") + f"\n{link}",
        _("If it was not you, ignore this mail: your password stays as it is."),
    ]) + "\n")
    return message


def send_reset_link(to: str, link: str) -> None:
    config = current_app.config
    if not config.get("SMTP_HOST"):
        log.warning("password reset link for %s (no SMTP configured): %s", to, link)
        return
    try:
        deliver(config, reset_message(to, link, config["MAIL_FROM"]))
    except MailError as exc:
        log.error("could not send the reset mail to %s: %s; the link is: %s", to, exc, link)


def deliver(config, message: EmailMessage) -> None:
    """Send through the configured SMTP server, encrypted with a checked certificate unless the
    operator chose SMTP_SECURITY=none. Raises MailError before any password or mail is sent
    when the connection cannot be secured."""
    security = (config.get("SMTP_SECURITY") or "starttls").lower()
    if security not in SECURITY:
        raise MailError(f"BROKERLEARN_SMTP_SECURITY must be one of {', '.join(SECURITY)}, not '{security}'")
    context = ssl.create_default_context()
    host, port = config["SMTP_HOST"], config["SMTP_PORT"]
    try:
        if security == "tls":
            smtp = smtplib.SMTP_SSL(host, port, timeout=20, context=context)
        else:
            smtp = smtplib.SMTP(host, port, timeout=20)
        with smtp:
            smtp.ehlo()
            if security == "starttls":
                if not smtp.has_extn("starttls"):
                    raise MailError(f"the SMTP server {host}:{port} does not offer STARTTLS, so nothing was sent "
                                    "(set BROKERLEARN_SMTP_SECURITY=tls for implicit TLS, or =none to send in clear)")
                smtp.starttls(context=context)
                smtp.ehlo()
            if config.get("SMTP_USER"):
                smtp.login(config["SMTP_USER"], config["SMTP_PASSWORD"])
            smtp.send_message(message)
    except ssl.SSLError as exc:
        raise MailError(f"the TLS connection to {host}:{port} failed ({exc})") from None
    except (OSError, smtplib.SMTPException) as exc:
        raise MailError(f"{exc}") from None


def invitation_message(to: str, link: str, sender: str, agency: str, courses: list[str], expires,
                       lang: str, name: str = "") -> EmailMessage:
    """The invitation mail, in the invitation's language: who invites, to which courses, the
    link and until when it works."""
    from babel.dates import format_date

    from brokerlearn import i18n
    _ = i18n.translations(lang).gettext  # noqa: F811 - the invitee's language, not the sender's
    message = EmailMessage()
    message["Subject"] = _("%(agency)s invites you to learn online") % {"agency": agency}
    message["From"], message["To"] = sender, to
    message["Date"] = formatdate(usegmt=True)
    message["Message-ID"] = make_msgid("invite", domain=urlsplit(link).hostname or "localhost")
    greeting = _("Hello %(name)s,") % {"name": name} if name else _("Hello,")
    what = "\n".join(f"  * {title}" for title in courses)
    day = format_date(expires, format="long", locale="en_GB" if lang == "en" else lang)
    message.set_content("\n\n".join([
        greeting,
        _("%(agency)s invites you to take these courses:") % {"agency": agency} + "\n" + what,
        _("Open this link to create your account (choose a password; your e-mail address is filled in):")
        + f"\n{link}",
        _("The link works until %(date)s.") % {"date": day},
        _("If you did not expect this invitation, ignore this mail: nothing happens without you."),
    ]) + "\n")
    return message


def send_invitation(message: EmailMessage) -> None:
    """Send an invitation; raises MailError (the admin sees why) when SMTP is not set or fails."""
    config = current_app.config
    if not config.get("SMTP_HOST"):
        raise MailError(_("no SMTP server is configured (BROKERLEARN_SMTP_HOST): download the links as CSV "
                          "and send them yourself"))
    deliver(config, message)
