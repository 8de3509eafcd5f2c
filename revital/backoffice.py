"""The back office's tabs, each with the permission that opens it: one list for the menus and for
the account page, so that nobody is shown a link that answers 403. Pure: no web, no database."""

from dataclasses import dataclass

from revital.permissions import (
    MANAGE_DIAGNOSTIC,
    MANAGE_IDEAS,
    MANAGE_LOCAL_GROUP,
    MANAGE_PERIMETER,
    MANAGE_PLACES,
    MANAGE_PRIORITIES,
    MANAGE_ROADMAP,
    MANAGE_SHEETS,
    MANAGE_STUDENT_WEEKS,
    MANAGE_TEAM,
    MANAGE_TERRITORY,
    MANAGE_WORKSHOPS,
    MODERATE,
    VIEW_BACKOFFICE,
    WRITE_JOURNAL,
    CommuneScope,
    Principal,
    can,
    can_in_territory,
)


@dataclass(frozen=True)
class Tab:
    key: str
    label: str
    suffix: str  # after /communes/{slug}/gestion, or /territoires/{slug}/gestion
    permission: str

    def url(self, base: str) -> str:
        return base + self.suffix


COMMUNE_TABS = (
    Tab("demarche", "Démarche et présentation", "", VIEW_BACKOFFICE),
    Tab("groupe", "Groupe local", "/groupe-local", MANAGE_LOCAL_GROUP),
    Tab("perimetre", "Périmètre", "/perimetre", MANAGE_PERIMETER),
    Tab("lieux", "Lieux", "/lieux", MANAGE_PLACES),
    Tab("ateliers", "Ateliers", "/ateliers", MANAGE_WORKSHOPS),
    Tab("saisie", "Saisie papier", "/saisie", MODERATE),
    Tab("moderation", "Modération", "/moderation", MODERATE),
    Tab("etudiants", "Semaines des étudiants", "/etudiants", MANAGE_STUDENT_WEEKS),
    Tab("diagnostic", "Diagnostic", "/diagnostic", MANAGE_DIAGNOSTIC),
    Tab("pistes", "Axes et pistes", "/pistes", MANAGE_IDEAS),
    Tab("priorites", "Priorisation", "/priorites", MANAGE_PRIORITIES),
    Tab("fiches", "Fiches actions", "/fiches", MANAGE_SHEETS),
    Tab("feuille", "Feuille de route", "/feuille-de-route", MANAGE_ROADMAP),
    Tab("equipe", "Équipe et invitations", "/equipe", MANAGE_TEAM),
    Tab("journal", "Journal", "/journal", WRITE_JOURNAL),
)

TERRITORY_TABS = (
    Tab("tableau", "Tableau de bord", "", MANAGE_TERRITORY),
    Tab("communes", "Communes du territoire", "/communes", MANAGE_TERRITORY),
    Tab("appels", "Appels à candidatures", "/appels", MANAGE_TERRITORY),
    Tab("partenaires", "Partenaires", "/partenaires", MANAGE_TERRITORY),
)


def commune_tabs(principal: Principal, commune: CommuneScope) -> list[Tab]:
    """The tabs of a commune's back office this person may open, in menu order."""
    return [tab for tab in COMMUNE_TABS if can(principal, tab.permission, commune)]


def territory_tabs(principal: Principal, territory_id: int) -> list[Tab]:
    """The tabs of a territory's back office this person may open."""
    return [tab for tab in TERRITORY_TABS if can_in_territory(principal, tab.permission, territory_id)]


def commune_base(slug: str) -> str:
    return f"/communes/{slug}/gestion"


def territory_base(slug: str) -> str:
    return f"/territoires/{slug}/gestion"
