"""What the roadmap's pages say of a snapshot that revital.sheets.rules (the words of a sheet:
maturity, priority, funding status; euros) and revital.formatting (dates) do not. Pure."""

from datetime import date

from revital.lineage.rules import sources_sentence


def lineage_sentence(counts: dict[str, int]) -> str:
    """ "Née de 3 pistes d’action, de 5 enjeux et de 42 contributions", or ""."""
    sentence = sources_sentence(counts, None, "née")
    return sentence[:1].upper() + sentence[1:]


def day_of(iso: str | None) -> date | None:
    """A milestone's date as the snapshot keeps it ("2027-03-01"), for revital.formatting.day_fr;
    None when there is none or it is unreadable."""
    try:
        return date.fromisoformat(iso)
    except (TypeError, ValueError):
        return None
