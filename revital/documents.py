"""Documents people attach (an application's deliberation, a student team's boards): PDF only, checked
by their first bytes rather than their name, 20 MB at most. Pure: the standard library only."""

MAX_DOCUMENT = 20 * 1024 * 1024


class DocumentRefused(Exception):
    """An attachment that is not accepted; the message is French."""


def check_pdf(filename: str, data: bytes, advice: str = "enregistrez-le en PDF") -> str:
    """The name to keep for an attachment, or DocumentRefused: a PDF (its first bytes say so, not
    its name), 20 MB at most. `advice` ends the refusal of a file that is not a PDF."""
    name = "".join(c for c in (filename or "").replace("\\", "/").rsplit("/", 1)[-1] if c.isprintable()).strip()
    name = name[:200] or "document.pdf"
    if not data:
        raise DocumentRefused("Le fichier est vide.")
    if len(data) > MAX_DOCUMENT:
        raise DocumentRefused(f"« {name} » dépasse 20 Mo : réduisez-le (export PDF « taille réduite ») avant de le joindre.")
    if not data[:1024].lstrip(b"\x00\t\r\n ").startswith(b"%PDF-"):
        raise DocumentRefused(f"« {name} » n’est pas un PDF : seuls les documents PDF sont acceptés ({advice}).")
    return name if name.lower().endswith(".pdf") else name + ".pdf"
