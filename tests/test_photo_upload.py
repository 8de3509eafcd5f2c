"""revital.photos.upload: the photo of a form processed with no transaction open, then the session
switched to writing. A fake session records what the helper asks of it; no database, no app."""

import io
from types import SimpleNamespace

import pytest
from PIL import Image

from revital.photos import upload
from revital.photos.processing import MAX_BYTES, PhotoError, ProcessedPhoto


class FakeSession:
    def __init__(self):
        self.calls = []

    def commit(self):
        self.calls.append("commit")

    def write(self):
        self.calls.append("write")


class Recording(io.BytesIO):
    """The uploaded file: remembers how much the helper asked to read."""

    def read(self, size=-1):
        self.asked = size
        return super().read(size)


def file_of(data: bytes) -> SimpleNamespace:
    return SimpleNamespace(file=Recording(data), filename="photo.jpg")


def jpeg() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (300, 200), (30, 120, 60)).save(buffer, "JPEG")
    return buffer.getvalue()


def test_the_read_transaction_ends_before_the_photo_and_writing_follows():
    db, sent = FakeSession(), file_of(jpeg())
    processed = upload.process_outside(db, sent)
    assert isinstance(processed, ProcessedPhoto) and processed.width == 300
    assert db.calls == ["commit", "write"]
    assert sent.file.asked == MAX_BYTES + 1  # never more than one byte past the limit


def test_without_a_file_the_session_switches_all_the_same():
    db = FakeSession()
    assert upload.process_outside(db, None) is None
    assert db.calls == ["commit", "write"]


def test_a_refused_photo_leaves_the_session_reading():
    db = FakeSession()
    with pytest.raises(PhotoError) as refused:
        upload.process_outside(db, file_of(b"%PDF-1.7 pas une image"))
    assert str(refused.value)  # French, shown as is
    assert db.calls == ["commit"]


def test_a_form_body_has_room_for_one_photo_and_its_fields():
    assert upload.MAX_REQUEST > MAX_BYTES
