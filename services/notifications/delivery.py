"""The port an email leaves by, and its two adapters: an SMTP server, or .eml files on disk.

The sender use case only knows `EmailDelivery`, so it is tested with a fake; which adapter
runs is decided once, in the composition root, from the settings.
"""

from __future__ import annotations

import asyncio
import logging
import os
from email.message import EmailMessage
from pathlib import Path
from typing import Protocol

import aiosmtplib

from services.notifications.settings import NotificationsSettings

log = logging.getLogger(__name__)


class EmailDelivery(Protocol):
    """Hands one composed message on; raising means "not delivered, try again later"."""

    async def deliver(self, message: EmailMessage, name: str) -> None:
        """`name` is fixed by the owed email, never by the time of sending (see FileDelivery)."""
        ...


class SmtpDelivery:
    """Over SMTP: at most the one message in flight when the process dies goes out twice."""

    def __init__(self, settings: NotificationsSettings) -> None:
        self.settings = settings

    async def deliver(self, message: EmailMessage, name: str) -> None:
        s = self.settings
        await aiosmtplib.send(
            message,
            hostname=s.smtp_host,
            port=s.smtp_port,
            username=s.smtp_username,
            password=s.smtp_password,
            start_tls=s.smtp_starttls,
            timeout=s.smtp_timeout_s,
        )


class FileDelivery:
    """As `directory/name`, written once whatever the retries: exactly once on file."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    async def deliver(self, message: EmailMessage, name: str) -> None:
        await asyncio.to_thread(write_once, self.directory, name, message.as_bytes())


def delivery_for(settings: NotificationsSettings) -> EmailDelivery:
    """SMTP when a host is configured, else files under the mail directory."""
    if settings.smtp_host:
        return SmtpDelivery(settings)
    return FileDelivery(settings.resolved_mail_dir())


def write_once(directory: Path, filename: str, content: bytes) -> None:
    """Write `directory/filename` whole or not at all, and never a second time.

    A file already there was delivered by a process that died before it could mark the email
    sent. The temporary name is fixed too, so a write cut short is overwritten by the retry.
    """
    target = directory / filename
    if target.exists():
        log.info("email file %s exists; it was delivered before a restart", filename)
        return
    directory.mkdir(parents=True, exist_ok=True)
    tmp = directory / f".{filename}.tmp"
    try:
        with tmp.open("wb") as out:
            out.write(content)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
    fd = os.open(directory, os.O_RDONLY)  # make the rename itself survive a power cut
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
