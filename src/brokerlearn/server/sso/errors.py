"""The one error of a sign-in that went wrong: a message for the person, a status, and for the
log what exactly failed (never shown: it may say more than a visitor should learn)."""
from __future__ import annotations


class SsoError(Exception):
    def __init__(self, message: str, status: int = 400, detail: str = ""):
        super().__init__(message)
        self.status = status
        self.detail = detail or message
