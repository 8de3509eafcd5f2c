"""Tables for spreadsheets: CSV as a French spreadsheet opens it, with formulas neutralised.

A cell that starts with =, +, -, @, a tab or a carriage return is run as a formula by
spreadsheets (OWASP "CSV injection"): such text cells get a leading apostrophe, which
spreadsheets show as nothing and which keeps the rest of the text intact. Numeric columns are
left alone (a longitude west of Greenwich is negative).
"""

import csv
import io
from collections.abc import Iterable

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value):
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_bytes(header: list[str], rows: Iterable[dict], numeric: frozenset[str] = frozenset()) -> bytes:
    """UTF-8 with a byte-order mark and ';' separators: it opens as is in a French spreadsheet."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([row[name] if name in numeric else neutralise(row[name]) for name in header])
    return ("\ufeff" + out.getvalue()).encode("utf-8")
