"""A photo sent with a form, processed outside any database transaction: re-encoding takes a
while (up to a second for a large JPEG), and no transaction, lock or connection waits for it.

The steps every form with a photo takes (journal posts, workshops, students' observations and
proposals): read and check the form in a read transaction (re-render it with its errors if need
be, before the photo is touched), then

    try:
        processed = upload.process_outside(db, form.upload("photo"))
    except PhotoError as error:
        return the form again, 422, with str(error) (French, shown as is)
    ... the short write transaction: lock, store (revital.photos.store, or the domain's own
    service calling it), commit.

The handler's route takes `request_max_body_size=MAX_REQUEST`."""

from revital.photos.processing import MAX_BYTES, PhotoError, ProcessedPhoto, process_photo

__all__ = ["MAX_REQUEST", "PhotoError", "process_outside"]

MAX_REQUEST = MAX_BYTES + 256 * 1024  # a form's body: one photo and its fields


def process_outside(db, upload) -> ProcessedPhoto | None:
    """The uploaded file (a form's Upload, or None when no file was chosen) checked and
    re-encoded with no transaction open: the request session's read transaction ends first (it
    holds no pending change), and once the photo is ready the session is switched to writing
    for what follows. None without a file (the session switched all the same). Raises
    PhotoError, the session left reading, for the form to be shown again."""
    db.commit()
    processed = process_photo(upload.file.read(MAX_BYTES + 1)) if upload is not None else None
    db.write()
    return processed
