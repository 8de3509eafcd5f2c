"""The open data of the diagnostic: /api/communes/{slug}/stakes.json, the commune's current stakes
with the ids of their public sources, and its published synthesis versions. No personal data:
neither authors nor accounts. Answered from the commune's version like the contributions feed: a
304 needs no database for a second after the version was read, a body is built once per version.

Fields (also in the document's "fields"):
- commune: slug, name, insee;
- stakes[]: id, theme (the code of a contribution category), theme_label, afom (asset, weakness,
  opportunity, threat), afom_label, title, text (Markdown), priority (1 high to 3 low, or null),
  url (its anchor on the public page), sources: {contribution, workshop, observation, proposal:
  [ids]}, counts: the same by number, sentence (French);
- syntheses[]: number, published_at (ISO 8601), url.
"""

import json

from litestar import Controller, Request, Response
from litestar.params import FromPath

from revital.caching import Cache, version_key
from revital.communes.access import NO_COMMUNE, load_commune
from revital.diagnostic import rules, services
from revital.routes import get, versioned_body
from revital.web import NotFound

BODIES = Cache(size=64)
FIELDS = {
    "stakes": "Les enjeux actuels de la commune, dégagés du diagnostic.",
    "stakes[].theme": "Code du thème (catégorie des contributions de la commune).",
    "stakes[].afom": "Classe AFOM : asset (atout), weakness (faiblesse), opportunity (opportunité), threat (menace).",
    "stakes[].priority": "Priorité : 1 (haute) à 3 (basse), ou null.",
    "stakes[].text": "Texte de l’enjeu, en Markdown.",
    "stakes[].sources": "Identifiants des sources publiques, par genre : contribution, workshop (atelier), "
                        "observation et proposal (des étudiants).",
    "syntheses": "Les versions publiées de la synthèse du diagnostic.",
}


def document(db, slug: str, base_url: str) -> bytes:
    commune = load_commune(db, slug)
    stakes = services.views(db, commune, services.stakes_of(db, commune.id))
    page = f"{base_url}/communes/{commune.slug}/diagnostic"
    published = [v for v in services.versions_of(db, commune.id) if v.status == rules.PUBLISHED]
    body = {
        "commune": {"slug": commune.slug, "name": commune.name, "insee": commune.insee},
        "stakes": [{
            "id": s["id"], "theme": s["theme"], "theme_label": s["theme_label"], "afom": s["afom"],
            "afom_label": s["afom_label"], "title": s["title"], "text": s["text"], "priority": s["priority"],
            "url": f"{page}#enjeu-{s['id']}",
            "sources": {kind: [item["id"] for item in items] for kind, items in s["sources"].items()},
            "counts": s["counts"], "sentence": s["sentence"],
        } for s in stakes],
        "syntheses": [{"number": v.number, "published_at": v.published_at.isoformat() if v.published_at else None,
                       "url": f"{page}/versions/{v.number}"} for v in published],
        "fields": FIELDS,
    }
    return json.dumps(body, ensure_ascii=False, indent=1).encode()


class DiagnosticApiController(Controller):
    path = "/api/communes/{slug:str}"

    @get("/stakes.json")
    async def stakes(self, request: Request, slug: FromPath[str]) -> Response:
        versions = request.app.state.versions
        base_url = request.app.state.settings.base_url.rstrip("/")

        def of(found):
            if found is None:
                raise NotFound(NO_COMMUNE)
            return version_key("stakes", found.key)

        def known():
            found = versions.known_commune(slug)
            return of(found) if found is not None else None

        return await versioned_body(request, BODIES, known, lambda db: of(versions.commune(db, slug)),
                                    lambda db: document(db, slug, base_url), "application/json")
