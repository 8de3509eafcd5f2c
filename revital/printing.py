"""What every PDF made from our templates needs from WeasyPrint (the workshop kit, an action sheet,
the roadmap): loading it, or a French 503 saying why it cannot be; a URL fetcher that fetches
nothing (every part of our PDFs is inline: no network, no file read on a template's say-so).
Knows no domain: each document names its own error and its own words."""

import importlib
import logging

from PIL import ImageFile

log = logging.getLogger("revital.printing")

# The end of every "cannot be produced" message: what the server's administrator has to do.
INSTALL = ("L’administrateur du serveur doit installer WeasyPrint et ses bibliothèques système Pango "
           "(paquets Debian libpango-1.0-0 et libpangoft2-1.0-0).")


def load_weasyprint(module: str, error: type[Exception], message: str, what: str):
    """The WeasyPrint module (`module`: a test names one that fails to load), or `error(message)`
    with the reason filled in ({reason}): not installed, or its system libraries missing (importing
    it then raises OSError). `what` names the document in the log."""
    try:
        weasyprint = importlib.import_module(module)
    except (ImportError, OSError) as err:
        log.warning("WeasyPrint cannot be loaded, no %s: %s", what, err)
        raise error(message.format(reason=f"{type(err).__name__} : {err}")) from err
    # Importing WeasyPrint sets Pillow's LOAD_TRUNCATED_IMAGES for the whole process, which would
    # let damaged uploads through revital.photos; our PDFs draw no uploaded raster: set it back.
    ImageFile.LOAD_TRUNCATED_IMAGES = False
    return weasyprint


def refuse_fetch(url, *args, **kwargs):
    """Our PDFs fetch nothing: every part of them is inline."""
    raise ValueError(f"our PDFs fetch nothing ({url[:80]})")
