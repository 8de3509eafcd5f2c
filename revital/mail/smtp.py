"""Where e-mails go: an SMTP server (REVITAL_SMTP_URL), or .eml files in development and tests."""

import smtplib
import ssl
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

TIMEOUT = 30  # seconds for one SMTP exchange: far below the outbox lease (revital.mail.outbox.LEASE)


class TransportError(Exception):
    """A send that did not go through; the message is tried again later."""


class SmtpTransport:
    """smtp://user:pass@host:587 (STARTTLS unless ?starttls=0), smtps://user:pass@host:465 (TLS)."""

    def __init__(self, url: str, timeout: float = TIMEOUT):
        parts = urlsplit(url)
        if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
            raise ValueError(f"REVITAL_SMTP_URL must look like smtp://user:password@host:587, not {parts.scheme}://…")
        self.tls = parts.scheme == "smtps"
        options = parse_qs(parts.query)
        self.starttls = not self.tls and options.get("starttls", ["1"])[0].lower() not in ("0", "false", "no", "off")
        self.host = parts.hostname
        self.port = parts.port or (465 if self.tls else 587)
        self.user = unquote(parts.username) if parts.username else None
        self.password = unquote(parts.password) if parts.password else None
        self.timeout = timeout

    def __repr__(self) -> str:  # never the password
        return f"SmtpTransport({'smtps' if self.tls else 'smtp'}://{self.host}:{self.port})"

    def send(self, message: EmailMessage) -> None:
        try:
            context = ssl.create_default_context()
            if self.tls:
                client = smtplib.SMTP_SSL(self.host, self.port, timeout=self.timeout, context=context)
            else:
                client = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
            with client:
                if self.starttls:
                    client.starttls(context=context)
                if self.user:
                    client.login(self.user, self.password or "")
                client.send_message(message)
        except (smtplib.SMTPException, OSError) as error:
            raise TransportError(f"{type(error).__name__}: {error}") from error


class FileTransport:
    """Development and tests without SMTP: each message is written to folder/<date>-<id>.eml."""

    def __init__(self, folder: Path):
        self.folder = Path(folder)

    def __repr__(self) -> str:
        return f"FileTransport({self.folder})"

    def send(self, message: EmailMessage) -> None:
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            name = message["Message-ID"].strip("<>").split("@")[0]
            stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
            path = self.folder / f"{stamp}-{name}.eml"
            temporary = path.with_suffix(".tmp")
            temporary.write_bytes(message.as_bytes())
            temporary.rename(path)
        except OSError as error:
            raise TransportError(f"{type(error).__name__}: {error}") from error
