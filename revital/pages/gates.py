"""What each commune's process has produced, as far as the phase gates are concerned, gathered from
the parts of the workflow that produce it and handed to the pure phases module; and where each gate
condition is done, for the checklist's links.

It lives above those parts (workshops, stakes, ideas, action sheets, roadmaps), so that the process stays low:
the phase panels receive these facts and links through `app.state.gate_facts` and
`app.state.gate_links`. Until those parts exist their gates stay closed, and only a written
override opens them; a condition links to its page only once the application serves that page.
"""

from revital.diagnostic import services as diagnostic
from revital.prioritisation import services as prioritisation
from revital.ideas import services as ideas
from revital.process import phases
from revital.roadmaps import progress as roadmaps
from revital.sheets import facts as sheets
from revital.workshops import services as workshops

# Where each gate condition is done: the commune's page of the part of the workflow that produces
# it (addresses of DESIGN.md), and the words of the link.
PLACES = {
    "workshops": ("/ateliers", "Les ateliers et leurs comptes rendus"),
    "stakes": ("/diagnostic", "Le diagnostic et ses enjeux"),
    "diagnostic_synthesis": ("/diagnostic", "La synthèse du diagnostic"),
    "axes": ("/pistes", "Les axes et les pistes d’action"),
    "retained_ideas": ("/pistes", "Les pistes d’action"),
    "prioritisations": ("/priorites", "La hiérarchisation des pistes"),
    "sheets": ("/fiches", "Les fiches actions"),
    "covered_ideas": ("/pistes", "Les pistes d’action retenues"),
    "reviewed_sheets": ("/fiches", "Les fiches actions et les avis des partenaires"),
    "published_roadmap": ("/feuille-de-route", "La feuille de route"),
}


def facts_for(db, commune) -> phases.Facts:
    return phases.Facts(
        closed_workshops=workshops.closed_with_minutes(db, commune.id, phases.DIAGNOSTIC),
        stakes=diagnostic.stake_count(db, commune.id),
        has_diagnostic_synthesis=diagnostic.has_published(db, commune.id),
        prioritisations_done=prioritisation.done_count(db, commune.id),
        **ideas.counts(db, commune.id),
        published_roadmaps=roadmaps.published_count(db, commune.id),
        **sheets.gate_counts(db, commune.id),
    )


def served_paths(app) -> set[str]:
    """The paths the application serves, as declared ("/communes/{slug:str}/diagnostic")."""
    found = app.state.get("served_paths")
    if found is None:
        found = app.state.served_paths = {route.path for route in app.routes}
    return found


def links_for(app, commune) -> dict[str, tuple[str, str]]:
    """For each gate condition whose page the application serves: (address, words of the link)."""
    served = served_paths(app)
    return {key: (f"/communes/{commune.slug}{suffix}", text) for key, (suffix, text) in PLACES.items()
            if f"/communes/{{slug:str}}{suffix}" in served}
