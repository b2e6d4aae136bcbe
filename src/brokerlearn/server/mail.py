"""Sending the few mails the server sends (password resets), or logging them for the admin."""
from __future__ import annotations

import logging
import smtplib
from email.message import EmailMessage

from flask import current_app, request

log = logging.getLogger("brokerlearn.mail")


def absolute_url(path: str) -> str:
    base = current_app.config.get("PUBLIC_URL") or request.host_url
    return base.rstrip("/") + path


def send_reset_link(to: str, link: str) -> None:
    config = current_app.config
    if not config.get("SMTP_HOST"):
        log.warning("password reset link for %s (no SMTP configured): %s", to, link)
        return
    message = EmailMessage()
    message["Subject"] = "Set a new password"
    message["From"], message["To"] = config["MAIL_FROM"], to
    message.set_content(f"Someone asked to set a new password for this address.\n\n"
                        f"Open this link within one hour to choose it (it works once):\n{link}\n\n"
                        f"If it was not you, ignore this mail: your password stays as it is.\n")
    try:
        with smtplib.SMTP(config["SMTP_HOST"], config["SMTP_PORT"], timeout=20) as smtp:
            smtp.ehlo()
            if smtp.has_extn("starttls"):
                smtp.starttls()
            if config.get("SMTP_USER"):
                smtp.login(config["SMTP_USER"], config["SMTP_PASSWORD"])
            smtp.send_message(message)
    except (OSError, smtplib.SMTPException) as exc:
        log.error("could not send the reset mail to %s (%s); the link is: %s", to, exc, link)
