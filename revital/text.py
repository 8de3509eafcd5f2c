"""Small text helpers."""

import re
import unicodedata
from datetime import date


def slugify(value: str, max_length: int = 80) -> str:
    """"Saint-Étienne-du-Valdonnez" -> "saint-etienne-du-valdonnez"; "L’Haÿ-les-Roses" -> "l-hay-les-roses"."""
    ascii_text = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:max_length].rstrip("-") or "sans-nom"


def fold(value: str) -> str:
    """A name as people tell names apart: case, accents, ligatures, apostrophes, hyphens and spacing
    ignored. "Place de l’Église" and "place de l’eglise" fold the same; letters of any script stay."""
    text = unicodedata.normalize("NFKD", value.casefold())
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = text.replace("œ", "oe").replace("æ", "ae").replace("ß", "ss")
    return " ".join("".join(c if c.isalnum() else " " for c in text).split())


def french_order(name: str) -> tuple[str, str]:
    """A sort key that orders names as a French index does: accents, case and hyphens ignored
    ("Albaret-le-Comtal" before "Albaret-Sainte-Marie", "Écully" among the E)."""
    return fold(name), name


def count_fr(n: int, singular: str, plural: str) -> str:
    """"1 contribution publiée", "3 contributions publiées": in French, 0 and 1 take the singular."""
    return f"{n} {singular if n < 2 else plural}"


def clean_text(value) -> str:
    """Typed text as kept: stripped, line ends normalised, control characters dropped but newlines and tabs."""
    text = (value or "").replace("\r\n", "\n").replace("\r", "\n")
    return "".join(c for c in text if c in "\n\t" or ord(c) >= 32).strip()


def clean_line(value) -> str:
    """A one-line field as kept: spaces collapsed."""
    return " ".join((value or "").split())


def parse_date(value) -> date | None:
    """A date from an <input type="date"> (2027-01-31) or typed the French way (31/01/2027)."""
    value = (value or "").strip()
    match = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", value) or None
    if match:
        year, month, day = (int(g) for g in match.groups())
    else:
        match = re.fullmatch(r"(\d{1,2})[/.](\d{1,2})[/.](\d{4})", value)
        if not match:
            return None
        day, month, year = (int(g) for g in match.groups())
    try:
        return date(year, month, day)
    except ValueError:
        return None
