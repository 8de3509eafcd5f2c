"""Photos into the database: a processed photo (revital.photos.processing) stored under a random token."""

import secrets

from sqlalchemy.orm import Session

from revital.photos.models import Photo
from revital.photos.processing import ProcessedPhoto


def store(db: Session, processed: ProcessedPhoto) -> Photo:
    """A Photo row for a processed photo, added to the session; its token names it in URLs."""
    photo = Photo(token=secrets.token_urlsafe(16), data=processed.data, thumbnail=processed.thumbnail,
                  content_type=processed.content_type, width=processed.width, height=processed.height,
                  thumb_width=processed.thumb_width, thumb_height=processed.thumb_height)
    db.add(photo)
    return photo
