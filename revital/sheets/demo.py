"""Demo action sheets in Mont Lozère et Goulet (feasibility): six sheets at every maturity and
status, drafted from the commune's retained ideas (made here, with its three axes, when the ideas'
demo left the commune without any), reviewed by the CAUE, the DDT and the Banque des Territoires,
with reservations being answered, a funding line proposed by a partner, and one sheet with two
versions that differ (a text and a cost).

Opinions, requests and reservations are written straight through the models (the review's services
are not needed to tell this story). Deterministic: dates are relative to now, nothing random."""

import json
from datetime import date, timedelta

from sqlalchemy import select

from revital.accounts.models import RoleGrant, User
from revital.communes.models import Commune, Organisation
from revital.db import utcnow
from revital.geography.models import Place
from revital.ideas.models import RETAINED, Axis, Idea
from revital.permissions import COORDINATOR
from revital.sheets import services
from revital.sheets.models import (
    ABANDONED,
    ACTION,
    DRAFT,
    FAVOURABLE,
    GRANTED,
    IDEA,
    PROJECT,
    REFUSED,
    REQUESTED,
    RESERVED,
    REVIEW,
    UNFAVOURABLE,
    VALIDATED,
    Cost,
    FundingLine,
    Indicator,
    Milestone,
    Operation,
    Opinion,
    Relation,
    Reservation,
    ReviewRequest,
    SheetPartner,
)

INSEE = "48027"
AXES = [
    ("Une station thermale ouverte sur son village", "Les curistes viennent aux thermes : donnons-leur des raisons de rester au bourg."),
    ("Une Grand-Rue vivante", "Façades, vitrines et commerces de la rue principale, héritage de la vie thermale."),
    ("Vivre au bourg à l’année", "Services, lieux de rencontre et mobilités pour les habitants, hors saison comprise."),
]
# (title, text, axis index, place name)
IDEAS = [
    ("Un parcours de l’eau entre les thermes et le Lot", "Des panneaux et un cheminement sur l’histoire thermale, du pont jusqu’aux sources.", 0, "Pont sur le Lot"),
    ("Rénover les façades de la Grand-Rue", "Aider les propriétaires à rénover les façades et les devantures des anciens hôtels.", 1, "Grand-Rue"),
    ("Un accueil des curistes au cœur du bourg", "Un point d’accueil et d’information à la sortie des thermes.", 0, "Thermes"),
    ("Un tiers-lieu dans la mairie déléguée", "Espace de travail partagé, permanences de services publics et salle associative.", 2, "Mairie déléguée"),
    ("Ombrager la place de l’église", "Des arbres et des bancs pour une place où l’on s’attarde.", 2, "Place de l’église"),
    ("Une navette des thermes à la gare de Mende", "Relier les thermes aux trains pour les curistes sans voiture.", 2, None),
]

LINE_TO_THE_LOT = {"type": "LineString", "coordinates": [[3.6652, 44.5047], [3.6646, 44.5045], [3.6641, 44.5043]]}
GRAND_RUE = {"type": "Polygon", "coordinates": [[[3.6656, 44.5051], [3.6681, 44.5052], [3.6681, 44.5055],
                                                  [3.6656, 44.5054], [3.6656, 44.5051]]]}
ELECTED = ("Henri Boulet", "Maire délégué de Bagnols-les-Bains")
TECHNICAL = ("Sandrine Vidal", "Secrétaire générale de la commune")


def sheet_data():
    """The six sheets: fields, then their rows. idea: index into IDEAS."""
    return [
        {"idea": 0, "title": "Le parcours de l’eau, des thermes au Lot", "priority": 1, "maturity": ACTION,
         "status": VALIDATED, "geometry": LINE_TO_THE_LOT,
         "context": "Les curistes (près de 4 000 par saison) fréquentent les thermes mais découvrent peu le village : "
                    "le lien entre les sources, le Lot et la Grand-Rue n’est ni signalé ni aménagé.",
         "objectives": "- Relier les thermes, le pont et la Grand-Rue par un cheminement continu et accessible\n"
                       "- Raconter l’histoire thermale de Bagnols sur six stations",
         "effects": "Plus de curistes dans la Grand-Rue ; une promenade pour les habitants toute l’année.",
         "targets": "Curistes, visiteurs, habitants, écoles.",
         "description": "Aménagement d’un cheminement de 450 m entre l’établissement thermal et le pont sur le Lot, "
                        "six stations d’interprétation conçues avec l’association du patrimoine, mobilier en bois local.",
         "prerequisites": "Accord du gestionnaire des thermes pour le passage en pied de bâtiment.",
         "pilot": "Commune de Mont Lozère et Goulet", "start": (2027, 1), "end": (2028, 2),
         "operations": [("etude", "Étude de conception et d’interprétation"), ("travaux", "Cheminement et mobilier"),
                        ("animation", "Inauguration et visites guidées la première saison")],
         "partners": ["caue-48", "departement-48"],
         "costs": [(2027, 3_500_000, 0), (2028, 14_000_000, 600_000)],
         "funding": [("État", "DETR", 5_200_000, 2027, GRANTED), ("Département de la Lozère", "Contrat territorial", 3_000_000, 2027, GRANTED),
                     ("Région Occitanie", "Bourgs-centres", 3_500_000, 2028, REQUESTED)],
         "milestones": [("Choix du bureau d’études", date(2027, 2, 15), True), ("Début des travaux", date(2027, 10, 1), False),
                        ("Inauguration", date(2028, 5, 20), False)],
         "indicators": [("Curistes passant par la Grand-Rue", "% des curistes", "15", "40", "Enquête auprès des curistes"),
                        ("Fréquentation du parcours", "passages par mois", "0", "1 500", "Éco-compteur")],
         "requests": ["caue-48", "ddt-48"],
         "opinions": [("caue-48", FAVOURABLE, "Un beau projet : le CAUE recommande un mobilier sobre et des essences locales.", []),
                      ("ddt-48", RESERVED, "Le tracé longe le Lot en zone inondable : les aménagements doivent rester transparents aux crues.",
                       [("Vérifier la compatibilité avec le plan de prévention des risques d’inondation.",
                         "Le tracé a été repris : aucun remblai, mobilier ancré et démontable.", True)])]},
        {"idea": 1, "title": "Requalifier les façades de la Grand-Rue", "priority": 1, "maturity": ACTION,
         "status": REVIEW, "geometry": GRAND_RUE,
         "context": "Une quinzaine de façades d’anciens hôtels sont dégradées et cinq vitrines sont vides.",
         "objectives": "Rénover au moins dix façades en cinq ans et remettre en activité trois rez-de-chaussée commerciaux.",
         "effects": "Une rue principale attrayante ; des logements rénovés aux étages.",
         "targets": "Propriétaires privés, commerçants, porteurs de projets.",
         "description": "Une opération façades : aide de la commune de 30 % des travaux, plafonnée à 8 000 € par façade, "
                        "avec un conseil architectural gratuit.",
         "prerequisites": "Règlement d’aide voté par le conseil municipal.",
         "pilot": "Commune de Mont Lozère et Goulet", "start": (2027, 2), "end": (2031, 4),
         "operations": [("etude", "Cahier de recommandations architecturales"), ("travaux", "Aides aux travaux des propriétaires"),
                        ("animation", "Permanences de conseil architectural")],
         "partners": ["caue-48", "banque-des-territoires"],
         "costs": [(2027, 2_000_000, 500_000), (2028, 4_000_000, 500_000), (2029, 4_000_000, 500_000)],
         "funding": [("État", "DSIL", 3_000_000, 2027, REQUESTED), ("Région Occitanie", "Bourgs-centres", 2_500_000, 2028, REQUESTED),
                     ("Fonds vert", "Renaturation des villes et villages", 1_000_000, 2027, REFUSED)],
         "milestones": [("Vote du règlement d’aide", date(2027, 4, 10), False)],
         "indicators": [("Façades rénovées", "façades", "0", "10", "Registre des aides")],
         "requests": ["caue-48", "ddt-48", "banque-des-territoires"],
         "two_versions": True,
         "opinions": [("caue-48", RESERVED, "Le CAUE soutient l’opération ; le cahier de recommandations doit précéder les aides.",
                       [("Rédiger le cahier de recommandations avant d’ouvrir les aides.", "Le cahier est commandé pour le premier trimestre.", False),
                        ("Prévoir une permanence de l’architecte-conseil par mois.", "", False)]),
                      ("ddt-48", UNFAVOURABLE, "En l’état, le plafond de 8 000 € ne suffit pas pour les façades des anciens hôtels ; "
                       "revoir le plan de financement.", [])],
         "late_opinions": [("banque-des-territoires", FAVOURABLE, "La Banque des Territoires peut financer l’ingénierie de l’opération.",
                            ("Banque des Territoires", "Ingénierie Petites villes de demain", 1_500_000, 2027))]},
        {"idea": 2, "title": "Un point d’accueil des curistes à la sortie des thermes", "priority": 2, "maturity": PROJECT,
         "status": REVIEW,
         "context": "À la sortie des thermes, rien n’indique le village, ses commerces ni ses promenades.",
         "objectives": "Accueillir et orienter les curistes vers le bourg.",
         "description": "Un kiosque d’accueil saisonnier tenu par l’office de tourisme, avec un plan du village.",
         "pilot": "Communauté de communes Mont Lozère", "start": (2027, 3), "end": (2027, 4),
         "costs": [(2027, 4_500_000, 1_200_000)],
         "funding": [("Banque des Territoires", "Petites villes de demain", 1_500_000, 2027, REQUESTED)],
         "requests": ["caue-48", "banque-des-territoires"],
         "opinions": [("banque-des-territoires", FAVOURABLE, "Projet cohérent avec l’offre de la station.", [])]},
        {"idea": 3, "title": "Un tiers-lieu dans la mairie déléguée", "priority": 2, "maturity": PROJECT, "status": DRAFT,
         "context": "La mairie déléguée de Bagnols n’est ouverte que deux demi-journées par semaine.",
         "objectives": "Un lieu ouvert à l’année : travail partagé, permanences, associations.",
         "description": "Aménager le rez-de-chaussée en tiers-lieu, animé par une association.",
         "pilot": "Commune de Mont Lozère et Goulet", "start": (2028, 1), "end": (2028, 4),
         "costs": [(2028, 9_000_000, 1_500_000)]},
        {"idea": 4, "title": "Ombrager la place de l’église", "priority": 3, "maturity": IDEA, "status": DRAFT,
         "description": "Planter des arbres et poser des bancs sur la place de l’église."},
        {"idea": 5, "title": "Une navette des thermes à la gare de Mende", "priority": 3, "maturity": IDEA,
         "status": ABANDONED,
         "description": "Une navette pendant la saison thermale entre les thermes et la gare de Mende.",
         "reason": "La Région ouvre en 2027 une ligne de car à la demande qui dessert les thermes : la commune "
                   "renonce à une navette qui ferait double emploi."},
    ]


def ensure_ideas(db, commune: Commune, places: dict) -> list[Idea]:
    """The commune's retained ideas, with three axes, made here when there are none."""
    found = list(db.scalars(select(Idea).where(Idea.commune_id == commune.id, Idea.status == RETAINED).order_by(Idea.id)))
    if found:
        return found
    now = utcnow()
    axes = []
    for position, (title, description) in enumerate(AXES, start=1):
        axis = Axis(commune_id=commune.id, title=title, description=description, position=position,
                    created_at=now - timedelta(days=60), updated_at=now - timedelta(days=60))
        db.add(axis)
        axes.append(axis)
    db.flush()
    ideas = []
    for i, (title, text, axis, place_name) in enumerate(IDEAS):
        place = places.get(place_name)
        idea = Idea(commune_id=commune.id, axis_id=axes[axis].id, title=title, text=text, status=RETAINED,
                    place_id=place.id if place else None, place_name=place.name if place else "",
                    lon=place.lon if place else None, lat=place.lat if place else None,
                    decision_reason="Retenue par l’atelier de hiérarchisation.", decided_at=now - timedelta(days=50),
                    supports_count=12 - i, created_at=now - timedelta(days=70 - i), updated_at=now - timedelta(days=50))
        db.add(idea)
        ideas.append(idea)
    db.flush()
    return ideas


def fill(db, commune: Commune, sheet, data: dict, organisations: dict) -> None:
    now = utcnow()
    sheet.title = data["title"]
    sheet.priority = data.get("priority")
    for key in ("context", "objectives", "effects", "targets", "description", "prerequisites", "pilot"):
        if key in data:
            setattr(sheet, key, data[key])
    if "geometry" in data:
        sheet.geometry = json.dumps(data["geometry"])
    if data["maturity"] != IDEA:
        sheet.elected_referent, sheet.elected_referent_role = ELECTED
        sheet.technical_referent, sheet.technical_referent_role = TECHNICAL
    if "start" in data:
        (sheet.start_year, sheet.start_quarter), (sheet.end_year, sheet.end_quarter) = data["start"], data["end"]
    sheet.maturity, sheet.status = data["maturity"], data["status"]
    sheet.status_reason = data.get("reason", "")
    if data["status"] == ABANDONED:
        sheet.abandoned_at = now - timedelta(days=6)
    rows = []
    for position, (kind, label) in enumerate(data.get("operations", [])):
        rows.append(Operation(commune_id=commune.id, sheet_id=sheet.id, kind=kind, label=label, position=position))
    for slug in data.get("partners", []):
        rows.append(SheetPartner(commune_id=commune.id, sheet_id=sheet.id, organisation_id=organisations[slug].id))
    for year, investment, operating in data.get("costs", []):
        rows.append(Cost(commune_id=commune.id, sheet_id=sheet.id, year=year, investment_cents=investment,
                         operating_cents=operating))
    for position, (funder, scheme, amount, year, status) in enumerate(data.get("funding", [])):
        org = next((o for o in organisations.values() if o.name == funder), None)
        rows.append(FundingLine(commune_id=commune.id, sheet_id=sheet.id, funder=funder, scheme=scheme,
                                amount_cents=amount, year=year, status=status, position=position,
                                organisation_id=org.id if org else None))
    for label, on, done in data.get("milestones", []):
        rows.append(Milestone(commune_id=commune.id, sheet_id=sheet.id, label=label, on=on, done=done))
    for position, (name, unit, baseline, target, source) in enumerate(data.get("indicators", [])):
        rows.append(Indicator(commune_id=commune.id, sheet_id=sheet.id, name=name, unit=unit, baseline=baseline,
                              target=target, source=source, position=position))
    db.add_all(rows)
    db.flush()


def give_opinion(db, commune, sheet, organisation, verdict, comments, reservations, version, days_ago, author_id=None):
    now = utcnow()
    request = db.scalar(select(ReviewRequest).where(ReviewRequest.sheet_id == sheet.id,
                                                    ReviewRequest.organisation_id == organisation.id))
    opinion = Opinion(commune_id=commune.id, sheet_id=sheet.id, request_id=request.id if request else None,
                      organisation_id=organisation.id, version=version, verdict=verdict, comments=comments,
                      author_id=author_id, created_at=now - timedelta(days=days_ago))
    db.add(opinion)
    if request is not None:
        request.answered_at = opinion.created_at
    db.flush()
    for text, answer, addressed in reservations:
        db.add(Reservation(commune_id=commune.id, sheet_id=sheet.id, opinion_id=opinion.id, text=text, answer=answer,
                           addressed_at=now - timedelta(days=1) if addressed else None))
    db.flush()
    return opinion


def load(db) -> int:
    """Add the demo sheets; returns how many (0 when the commune is missing or has sheets already)."""
    commune = db.scalar(select(Commune).where(Commune.insee == INSEE))
    if commune is None or services.sheets_of(db, commune.id):
        return 0
    now = utcnow()
    coordinator_id = db.scalar(select(RoleGrant.user_id).where(RoleGrant.role == COORDINATOR,
                                                               RoleGrant.territory_id == commune.territory_id))
    partner_id = db.scalar(select(User.id).where(User.email == "partenaire@revital.test"))
    organisations = {o.slug: o for o in db.scalars(select(Organisation).where(
        Organisation.territory_id == commune.territory_id))}
    places = {p.name: p for p in db.scalars(select(Place).where(Place.commune_id == commune.id))}
    ideas = ensure_ideas(db, commune, places)
    made = []
    for data in sheet_data():
        idea = ideas[data["idea"]] if data["idea"] < len(ideas) else None
        sheet = services.create(db, commune, data["title"], coordinator_id, idea=idea)
        sheet.created_at = sheet.updated_at = now - timedelta(days=40 - len(made))
        fill(db, commune, sheet, data, organisations)
        if data.get("requests"):
            services.record_version(db, sheet, "", coordinator_id)
            for slug in data["requests"]:
                db.add(ReviewRequest(commune_id=commune.id, sheet_id=sheet.id, organisation_id=organisations[slug].id,
                                     version=sheet.version, due_on=(now + timedelta(days=10)).date(),
                                     message="Merci de nous faire part de votre avis sur cette fiche.",
                                     requested_by=coordinator_id, requested_at=now - timedelta(days=20)))
            db.flush()
        for slug, verdict, comments, reservations in data.get("opinions", []):
            give_opinion(db, commune, sheet, organisations[slug], verdict, comments, reservations, sheet.version,
                         days_ago=12, author_id=partner_id if slug == "caue-48" else None)
        if data.get("two_versions"):
            # The commune answers the opinions: a text and a cost change, the next version is recorded.
            sheet.description += (" Le plafond passe à 12 000 € par façade pour les anciens hôtels, "
                                  "sur avis de la DDT.")
            cost = db.scalar(select(Cost).where(Cost.sheet_id == sheet.id, Cost.year == 2028))
            cost.investment_cents = 5_500_000
            services.touched(sheet)
            services.record_version(db, sheet, "contenu", coordinator_id)
            request = db.scalar(select(ReviewRequest).where(
                ReviewRequest.sheet_id == sheet.id, ReviewRequest.organisation_id == organisations["banque-des-territoires"].id))
            request.version = sheet.version
            for slug, verdict, comments, (funder, scheme, amount, year) in data["late_opinions"]:
                opinion = give_opinion(db, commune, sheet, organisations[slug], verdict, comments, [], sheet.version,
                                       days_ago=3)
                db.add(FundingLine(commune_id=commune.id, sheet_id=sheet.id, organisation_id=organisations[slug].id,
                                   funder=funder, scheme=scheme, amount_cents=amount, year=year, status=REQUESTED,
                                   accepted=False, proposed_by_opinion_id=opinion.id, position=9))
        if data["status"] == VALIDATED:
            sheet.validated_at = now - timedelta(days=5)
        made.append(sheet)
    db.flush()
    first, second = made[0], made[1]
    db.add_all([Relation(commune_id=commune.id, sheet_id=first.id, related_id=second.id),
                Relation(commune_id=commune.id, sheet_id=second.id, related_id=first.id)])
    db.flush()
    return len(made)
