"""Journal posts in the database: the public lists (by keyset), the back office's list, writing,
publishing, images and deletion, and `record`, the one way other parts of the workflow write an
entry of their own."""

from datetime import datetime

from sqlalchemy import and_, delete, func, or_, select
from sqlalchemy.orm import Session, selectinload

from revital.db import utcnow
from revital.journal.models import DRAFT, PUBLISHED, WRITTEN, JournalImage, JournalPost
from revital.photos import store as photo_store
from revital.photos.models import Photo

PAGE_SIZE = 10
FEED_SIZE = 50
TITLE_MAX = 160
BODY_MAX = 50_000
ALT_MAX = 200
STATUSES = {DRAFT: "Brouillon", PUBLISHED: "Publié"}


def record(db: Session, commune_id: int, kind: str, title: str, text: str = "",
           published_at: datetime | None = None) -> JournalPost:
    """Write a published entry in a commune's journal, in the caller's transaction: what other parts
    of the workflow call when something worth telling happens (kind names it: "selection",
    "workshop", "roadmap"...). title is plain text, text Markdown; neither names a person."""
    at = published_at or utcnow()
    post = JournalPost(commune_id=commune_id, kind=kind, title=title[:TITLE_MAX], body=text, status=PUBLISHED,
                       created_at=at, published_at=at)
    db.add(post)
    # Followers get new entries through the weekly digest (revital.journal.followers).
    return post


def public_query(commune_ids):
    return (select(JournalPost).where(JournalPost.commune_id.in_(commune_ids), JournalPost.status == PUBLISHED)
            .order_by(JournalPost.published_at.desc(), JournalPost.id.desc()))


def public_page(db: Session, commune_id: int, before: int | None = None,
                size: int = PAGE_SIZE) -> tuple[list[JournalPost], int | None]:
    """A page of published posts, newest first, older than the post `before` (a keyset: the last
    page costs what the first does); and the cursor of the next page, or None."""
    query = public_query([commune_id]).options(selectinload(JournalPost.images).selectinload(JournalImage.photo))
    if before is not None:
        mark = db.execute(select(JournalPost.published_at, JournalPost.id)
                          .where(JournalPost.id == before, JournalPost.commune_id == commune_id,
                                 JournalPost.status == PUBLISHED)).first()
        if mark is not None:
            query = query.where(or_(JournalPost.published_at < mark[0],
                                    and_(JournalPost.published_at == mark[0], JournalPost.id < mark[1])))
    posts = db.scalars(query.limit(size + 1)).all()
    return list(posts[:size]), posts[size - 1].id if len(posts) > size else None


def public_count(db: Session, commune_id: int) -> int:
    return db.scalar(select(func.count()).select_from(JournalPost)
                     .where(JournalPost.commune_id == commune_id, JournalPost.status == PUBLISHED))


def latest(db: Session, commune_id: int, count: int = 3) -> list[JournalPost]:
    return list(db.scalars(public_query([commune_id]).limit(count)))


def feed_posts(db: Session, commune_ids: list[int], count: int = FEED_SIZE) -> list[JournalPost]:
    if not commune_ids:
        return []
    return list(db.scalars(public_query(commune_ids).limit(count)))


def post_in(db: Session, commune_id: int, post_id: int) -> JournalPost | None:
    return db.scalar(select(JournalPost).where(JournalPost.id == post_id, JournalPost.commune_id == commune_id)
                     .options(selectinload(JournalPost.images).selectinload(JournalImage.photo)))


def posts_of(db: Session, commune_id: int) -> list[JournalPost]:
    """Every post of the commune for its back office: drafts first, then the newest."""
    return list(db.scalars(select(JournalPost).where(JournalPost.commune_id == commune_id)
                           .order_by((JournalPost.status == PUBLISHED), func.coalesce(JournalPost.published_at,
                                     JournalPost.created_at).desc(), JournalPost.id.desc())))


def clean(form) -> tuple[dict, dict]:
    """The fields of the post form, and a French message for each one to correct."""
    values = {
        "title": " ".join(form.get("title", "").split()),
        "body": form.get("body", "").replace("\r\n", "\n").strip(),
        "status": form.get("status", DRAFT),
        "alt": " ".join(form.get("alt", "").split()),
    }
    errors = {}
    if not values["title"]:
        errors["title"] = "Donnez un titre à l’article."
    elif len(values["title"]) > TITLE_MAX:
        errors["title"] = f"Le titre dépasse {TITLE_MAX} caractères : raccourcissez-le."
    if len(values["body"]) > BODY_MAX:
        errors["body"] = "Le texte dépasse 50 000 caractères : coupez-le en plusieurs articles."
    if values["status"] not in STATUSES:
        errors["status"] = "Choisissez « Brouillon » ou « Publié »."
        values["status"] = DRAFT
    if len(values["alt"]) > ALT_MAX:
        errors["alt"] = f"La description de l’image dépasse {ALT_MAX} caractères."
    errors.update(form.unreadable_errors())
    return values, errors


def save(db: Session, commune_id: int, values: dict, user, post: JournalPost | None = None) -> JournalPost:
    """Create or update a post in the caller's write transaction. The first publication dates it;
    editing a published post keeps that date and dates the change instead."""
    now = utcnow()
    if post is None:
        post = JournalPost(commune_id=commune_id, kind=WRITTEN, author_id=user.id, created_at=now)
        db.add(post)
    elif post.published and values["status"] == PUBLISHED:
        if (values["title"], values["body"]) != (post.title, post.body):
            post.edited_at = now
    post.title, post.body = values["title"], values["body"]
    if values["status"] == PUBLISHED and post.published_at is None:
        post.published_at = now
    post.status = values["status"]
    post.version = (post.version or 1) + 1
    return post


def lock(db: Session, post: JournalPost) -> int:
    """Lock the post's row (PostgreSQL; SQLite writers are serialised already); its version."""
    return db.scalar(select(JournalPost.version).where(JournalPost.id == post.id).with_for_update())


def add_image(db: Session, post: JournalPost, processed, alt: str) -> JournalImage:
    image = JournalImage(photo=photo_store.store(db, processed), alt=alt)
    post.images.append(image)
    post.version = (post.version or 1) + 1
    return image


def remove_image(db: Session, post: JournalPost, image: JournalImage) -> None:
    photo_id = image.photo_id
    post.images.remove(image)
    db.flush()
    db.execute(delete(Photo).where(Photo.id == photo_id))


def remove(db: Session, post: JournalPost) -> None:
    """Delete a post with its images and their photos."""
    photo_ids = [image.photo_id for image in post.images]
    db.delete(post)
    db.flush()
    if photo_ids:
        db.execute(delete(Photo).where(Photo.id.in_(photo_ids)))


def image_by_token(db: Session, commune_id: int, token: str) -> tuple[Photo, JournalPost] | None:
    row = db.execute(select(Photo, JournalPost).join(JournalImage, JournalImage.photo_id == Photo.id)
                     .join(JournalPost, JournalPost.id == JournalImage.post_id)
                     .where(Photo.token == token, JournalPost.commune_id == commune_id)).first()
    return None if row is None else (row[0], row[1])
