"""The demo territory: Pays des Sources (démonstration), three real Lozère communes engaged in the
programme at different phases, with fictional content, and seven neighbours not engaged.

Loading is idempotent: if the demo territory exists, nothing is changed.
"""

import json
from datetime import timedelta
from functools import cache

from shapely.geometry import shape
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from revital.accounts import tokens
from revital.accounts.models import RoleGrant, User
from revital.accounts.passwords import hash_password
from revital.communes.models import Commune, CommunePartner, Organisation, Territory
from revital.db import utcnow
from revital.geography.models import Place
from revital.localgroups.models import LocalGroup, Member
from revital.permissions import (
    COMMUNE_ADMIN,
    COORDINATOR,
    FACILITATOR,
    PARTNER,
    RESIDENT,
    STUDENT,
    SUPERVISOR,
)
from revital.process.models import PhaseTransition, Process
from revital.settings import PROJECT_DIR

DEMO_SLUG = "pays-des-sources-demo"
DEMO_PASSWORD = "demo-revital"
GEODATA = PROJECT_DIR / "geodata" / "demo-communes.geojson"
# Neighbours of the three demo communes, in the territory but not engaged in the programme.
NEIGHBOURS = PROJECT_DIR / "geodata" / "demo-neighbours.geojson"

# (slug, name, kind: a code of revital.communes.organisations.KINDS)
ORGANISATIONS = [
    ("caue-48", "CAUE de la Lozère", "caue"),
    ("ddt-48", "DDT de la Lozère", "ddt"),
    ("departement-48", "Département de la Lozère", "departement"),
    ("cci-48", "CCI de la Lozère", "chambre-consulaire"),
    ("cma-48", "Chambre de métiers et de l’artisanat de la Lozère", "chambre-consulaire"),
    ("banque-des-territoires", "Banque des Territoires", "banque-des-territoires"),
    ("udap-48", "UDAP de la Lozère (architectes des Bâtiments de France)", "udap-abf"),
]

DESCRIPTIONS = {
    "48147": (
        "Village du Valdonnez au pied du mont Lozère, Saint-Étienne-du-Valdonnez a engagé en 2014 "
        "une démarche pour redonner vie à son centre-bourg : commerces fermés, logements vacants, "
        "traversée du bourg peu sûre.\n\n"
        "Le diagnostic partagé a réuni habitants, élus et étudiants ; la démarche en est à l’émergence "
        "des pistes d’action. (Texte de démonstration.)"
    ),
    "48027": (
        "Commune nouvelle née en 2017 de la fusion de Bagnols-les-Bains et de ses voisines, Mont Lozère "
        "et Goulet porte une démarche centrée sur le bourg thermal de Bagnols : accueil des curistes, "
        "façades de la Grand-Rue, liens entre les thermes et le Lot.\n\n"
        "Les fiches actions sont à l’étude avec les partenaires techniques. (Texte de démonstration.)"
    ),
    "48070": (
        "Sur la Margeride, Grandrieu a rejoint la démarche en 2015. Le diagnostic partagé commence : "
        "balade urbaine, ateliers thématiques, observations des habitants sur la carte. "
        "(Texte de démonstration.)"
    ),
}

# Phases each commune went through, with the reason given at each step.
HISTORIES = {
    "48147": [
        ("diagnostic", "start", "Ouverture de la démarche après la sélection de la commune par le Pays."),
        ("emergence", "advance", "Huit enjeux dégagés et synthèse du diagnostic validée en réunion publique."),
    ],
    "48027": [
        ("diagnostic", "start", "Ouverture de la démarche après la sélection de la commune par le Pays."),
        ("emergence", "advance", "Diagnostic restitué aux habitants aux thermes."),
        ("feasibility", "advance", "Trois axes et six pistes retenus par l’atelier de hiérarchisation."),
    ],
    "48070": [
        ("diagnostic", "start", "Ouverture de la démarche après la sélection de la commune par le Pays."),
    ],
}

MEMBERS = {
    "48147": [
        ("Claire Martin", "elected", "Adjointe à l’urbanisme"),
        ("Jean Roux", "resident", "Commerçant"),
        ("Sophie Pagès", "resident", "Association des parents d’élèves"),
        ("Marc Vidal", "resident", ""),
        ("Lucie Bonnet", "facilitator", "Animatrice du groupe local"),
        ("CAUE de la Lozère", "partner", "Architecte-conseil"),
    ],
    "48027": [
        ("Henri Boulet", "elected", "Maire délégué de Bagnols-les-Bains"),
        ("Aline Chabert", "resident", "Hébergement touristique"),
        ("Paul Rouvière", "resident", "Curiste, bénévole"),
        ("Nadia Fabre", "facilitator", "Animatrice"),
    ],
    "48070": [
        ("Robert Teissier", "elected", "Maire"),
        ("Émilie Astruc", "resident", "Agricultrice"),
        ("Thomas Brun", "resident", "Jeune installé"),
    ],
}

ACCOUNTS = [
    ("coordination@revital.test", "Camille (coordination du Pays)", COORDINATOR),
    ("commune@revital.test", "Mairie de Saint-Étienne-du-Valdonnez", COMMUNE_ADMIN),
    ("animation@revital.test", "Lucie (animatrice)", FACILITATOR),
    ("partenaire@revital.test", "Architecte du CAUE", PARTNER),
    ("etudiant@revital.test", "Hugo (étudiant)", STUDENT),
    ("encadrant@revital.test", "Claire (encadrante, Master Urbanisme)", SUPERVISOR),
    ("habitant@revital.test", "Marc (habitant)", RESIDENT),
]

INVITATIONS = [
    ("nouvel-animateur@revital.test", FACILITATOR),
    ("encadrante@revital.test", SUPERVISOR),
]


def date_links(db: Session) -> None:
    """The demo's lineage links are written now, while the stakes and ideas they belong to are
    dated weeks ago: each link takes its target's date, so that a contribution's timeline reads
    in the order things happened."""
    from revital.diagnostic.models import Stake
    from revital.ideas.models import Idea
    from revital.lineage.models import IDEA, STAKE, Link

    for kind, model in ((STAKE, Stake), (IDEA, Idea)):
        db.execute(update(Link).where(Link.target_kind == kind).values(
            created_at=select(model.created_at).where(model.id == Link.target_id).scalar_subquery()))


@cache
def demo_password_hash() -> str:
    # One hash for every demo account: the demo loads fast, and its password is public anyway.
    return hash_password(DEMO_PASSWORD)


def demo_geodata() -> dict:
    """The demo's FeatureCollection: real boundaries (with their attribution), perimeters, places."""
    return json.loads(GEODATA.read_text())


def demo_features() -> list[dict]:
    return demo_geodata()["features"]


def load(db: Session) -> bool:
    """Load the demo territory into the session; False if it was already there."""
    if db.scalar(select(Territory).where(Territory.slug == DEMO_SLUG)) is not None:
        return False
    territory = Territory(
        slug=DEMO_SLUG,
        name="Pays des Sources (démonstration)",
        description=(
            "Territoire de démonstration : trois communes réelles de la première expérimentation "
            "lozérienne de revitalisation des centres-bourgs, avec un contenu entièrement fictif."
        ),
        is_demo=True,
    )
    db.add(territory)
    organisations = {
        slug: Organisation(slug=slug, name=name, kind=kind, territory=territory)
        for slug, name, kind in ORGANISATIONS
    }
    db.add_all(organisations.values())
    communes = {}
    geodata = demo_geodata()
    for feature in geodata["features"]:
        props = feature["properties"]
        boundary = feature["geometry"]
        min_lon, min_lat, max_lon, max_lat = shape(boundary).bounds
        commune = Commune(
            territory=territory,
            insee=props["insee"],
            name=props["nom"],
            slug=props["slug"],
            population=props.get("population"),
            description=DESCRIPTIONS.get(props["insee"], ""),
            boundary=json.dumps(boundary),
            perimeter=json.dumps(props["perimeter"]) if props.get("perimeter") else None,
            min_lon=min_lon,
            min_lat=min_lat,
            max_lon=max_lon,
            max_lat=max_lat,
            boundary_source=geodata["attribution"],
        )
        db.add(commune)
        communes[commune.insee] = commune
        for slug in ("caue-48", "ddt-48", "departement-48", "banque-des-territoires"):
            commune.partners.append(CommunePartner(organisation=organisations[slug]))
    neighbours, not_engaged = json.loads(NEIGHBOURS.read_text()), []
    for feature in neighbours["features"]:  # no process: not engaged, no contribution
        props = feature["properties"]
        min_lon, min_lat, max_lon, max_lat = shape(feature["geometry"]).bounds
        neighbour = Commune(territory=territory, insee=props["insee"], name=props["nom"], slug=props["slug"],
                            population=props.get("population"), boundary=json.dumps(feature["geometry"]),
                            min_lon=min_lon, min_lat=min_lat, max_lon=max_lon, max_lat=max_lat,
                            boundary_source=neighbours["attribution"])
        db.add(neighbour)
        not_engaged.append(neighbour)
    db.flush()
    db.add_all(LocalGroup(commune_id=c.id, name=f"Groupe local de {c.name}") for c in not_engaged)
    for feature in demo_features():
        props = feature["properties"]
        for place in props.get("places", []):
            db.add(Place(commune_id=communes[props["insee"]].id, name=place["name"],
                         description=place.get("description", ""), lon=place["lon"], lat=place["lat"]))

    now = utcnow()
    for insee, steps in HISTORIES.items():
        commune = communes[insee]
        started = now - timedelta(days=120 * len(steps))
        process = Process(commune_id=commune.id, phase=steps[-1][0], version=len(steps), started_at=started)
        previous = None
        for i, (phase, kind, reason) in enumerate(steps):
            at = started + timedelta(days=120 * i)
            process.transitions.append(
                PhaseTransition(
                    from_phase=previous, to_phase=phase, kind=kind, reason=reason,
                    user_name="Coordination du Pays (démo)", created_at=at,
                )
            )
            previous = phase
            process.updated_at = at
        db.add(process)
        group = LocalGroup(
            commune_id=commune.id,
            name=f"Groupe local de {commune.name}",
            description="Habitants, élus et partenaires qui suivent la démarche (membres fictifs).",
        )
        for name, kind, function in MEMBERS[insee]:
            group.members.append(Member(name=name, kind=kind, function=function))
        db.add(group)

    main = communes["48147"]
    password_hash = demo_password_hash()
    for email, name, role in ACCOUNTS:
        user = User(email=email, display_name=name, password_hash=password_hash)
        if role == COORDINATOR:
            grant = RoleGrant(role=role, territory_id=territory.id)
        elif role == PARTNER:
            grant = RoleGrant(role=role, organisation_id=organisations["caue-48"].id)
        else:
            grant = RoleGrant(role=role, commune_id=main.id)
        user.grants.append(grant)
        db.add(user)
    db.flush()
    # Two invitations waiting to be accepted, on the commune's "Équipe et invitations" page, and one
    # of the DDT's engineer on the territory's partners page. Their links were never sent (their
    # tokens are random and only hashed): they show the lists, and can be cancelled or sent again.
    for email, role in INVITATIONS:
        tokens.issue(db, tokens.INVITATION, email, tokens.INVITATION_LIFETIME, role=role, commune_id=main.id)
    tokens.issue(db, tokens.INVITATION, "urbanisme@ddt-48.exemple.fr", tokens.INVITATION_LIFETIME, role=PARTNER,
                 organisation_id=organisations["ddt-48"].id)
    from revital.contributions.demo import load_realistic

    load_realistic(db)
    from revital.journal.demo import load as load_journal

    load_journal(db)
    from revital.calls.demo import load as load_calls

    load_calls(db, territory, communes, password_hash)
    from revital.workshops.demo import load as load_workshops

    load_workshops(db)
    from revital.students.demo import load as load_students

    load_students(db)
    from revital.diagnostic.demo import load as load_diagnostic

    load_diagnostic(db)
    from revital.ideas.demo import load as load_ideas

    load_ideas(db)
    db.flush()
    # After the demos that write ideas: the vote is held over the commune's ideas as loaded.
    from revital.prioritisation.demo import load as load_prioritisation

    load_prioritisation(db)
    # After the ideas: Mont Lozère et Goulet's action sheets are drafted from its retained ideas.
    from revital.sheets.demo import load as load_sheets

    load_sheets(db)
    date_links(db)
    db.flush()
    # A neighbour made an engaged commune in implementation, with its published roadmap.
    from revital.roadmaps.demo import load as load_roadmaps

    load_roadmaps(db)
    db.flush()
    return True
