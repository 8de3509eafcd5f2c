"""Building an e-mail and the retry schedule: pure logic, the standard library only."""

import html as html_lib
import re
from datetime import timedelta
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr

MAX_ATTEMPTS = 20
FIRST_DELAY = timedelta(minutes=1)
MAX_DELAY = timedelta(hours=1)

LINE_BREAKS = re.compile(r"[\r\n\t]+")


def backoff(attempts: int) -> timedelta:
    """The wait after the attempts-th failed attempt: 1 min, 2, 4, 8… capped at 1 hour."""
    return min(FIRST_DELAY * 2 ** max(0, attempts - 1), MAX_DELAY)


def one_line(value: str) -> str:
    """A header value on one line: no line break can add a header (header injection)."""
    return LINE_BREAKS.sub(" ", value).strip()


def full_subject(subject: str, commune_name: str | None) -> str:
    subject = one_line(subject)
    return f"[{one_line(commune_name)}] {subject}" if commune_name else subject


def valid_address(address: str) -> bool:
    address = address.strip()
    if not address or LINE_BREAKS.search(address) or len(address) > 254:
        return False
    name, addr = parseaddr(address)
    local, _, domain = addr.rpartition("@")
    return addr == address and bool(local) and "." in domain and " " not in addr


def text_to_html(text: str) -> str:
    """A plain French text as minimal HTML: paragraphs, line breaks, links left as text."""
    paragraphs = [p for p in re.split(r"\n\s*\n", text.strip()) if p.strip()]
    body = "\n".join("<p>" + html_lib.escape(p).replace("\n", "<br>\n") + "</p>" for p in paragraphs)
    return f'<!DOCTYPE html>\n<html lang="fr"><head><meta charset="utf-8"></head><body>\n{body}\n</body></html>\n'


def domain_of(sender: str) -> str:
    return parseaddr(sender)[1].rpartition("@")[2] or "revital.invalid"


def build(*, sender: str, to: str, subject: str, text: str, html: str | None, message_id: str,
          unsubscribe_url: str | None, date, calendar: str | None = None) -> EmailMessage:
    """multipart/alternative: the French plain text first, then its HTML; with an iCalendar event,
    multipart/mixed with the event attached (atelier.ics)."""
    message = EmailMessage()
    name, address = parseaddr(sender)
    message["From"] = str(Address(display_name=name, addr_spec=address)) if name else address
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = format_datetime(date)
    message["Message-ID"] = f"<{message_id}@{domain_of(sender)}>"
    message["Content-Language"] = "fr"
    message["Auto-Submitted"] = "auto-generated"
    if unsubscribe_url:
        message["List-Unsubscribe"] = f"<{one_line(unsubscribe_url)}>"
        message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message.set_content(text)
    message.add_alternative(html if html is not None else text_to_html(text), subtype="html")
    if calendar:
        message.add_attachment(calendar.encode(), maintype="text", subtype="calendar", filename="atelier.ics",
                               params={"method": "PUBLISH"})
    return message
