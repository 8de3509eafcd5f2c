"""A commune's action sheets for the partners' and funders' own tools: a table (CSV and XLSX) with
the columns programme teams ask for, and a GeoJSON of the validated sheets' locations.

Built from the snapshots (revital.sheets.snapshot). The public table holds the validated sheets,
with the referents' roles only; the table for those who may see every sheet (SEE_SHEETS) holds them
all, with the referents' names. Text cells cannot run as formulas: the CSV neutralises them
(revital.exports), the XLSX writes them as strings. Amounts are in euros as numbers (cents kept
exact: Decimal in XLSX; in the CSV a decimal comma, as a French spreadsheet reads it).
"""

import io
import json
from decimal import Decimal

from revital import exports
from revital.sheets import rules

LICENCE = "Licence Ouverte 2.0 (Etalab)"

COLUMNS = [
    # (key, heading)
    ("number", "Numéro"), ("title", "Titre"), ("axis", "Axe stratégique"), ("description", "Description"),
    ("status", "Statut"), ("maturity", "Maturité"), ("pilot", "Maître d’ouvrage"),
    ("elected_referent", "Élu·e référent·e"), ("elected_referent_role", "Fonction de l’élu·e référent·e"),
    ("technical_referent", "Référent·e technique"), ("technical_referent_role", "Fonction du référent·e technique"),
    ("partners", "Partenaires"), ("cost_eur", "Coût total HT (€)"), ("investment_eur", "Investissement HT (€)"),
    ("operating_eur", "Fonctionnement HT (€)"), ("funding", "Plan de financement"),
    ("requested_eur", "Financements sollicités (€)"), ("granted_eur", "Financements obtenus (€)"),
    ("remaining_eur", "Reste à charge (€)"), ("start", "Début"), ("end", "Fin"), ("indicators", "Indicateurs"),
    ("url", "Adresse de la fiche"),
]
PERSONAL = ("elected_referent", "technical_referent")
MONEY = ("cost_eur", "investment_eur", "operating_eur", "requested_eur", "granted_eur", "remaining_eur")
NUMERIC = frozenset({"number", *MONEY})


def columns(internal: bool) -> list[tuple[str, str]]:
    """The public table has no referents' names."""
    return [c for c in COLUMNS if internal or c[0] not in PERSONAL]


def amount(cents: int) -> Decimal:
    return Decimal(cents) / 100


def funding_cell(lines: list[dict]) -> str:
    """ "DETR – Rénovation – 45 000 € – Obtenu; …" """
    return "; ".join(" – ".join(p for p in (line["funder"], line.get("scheme") or "", rules.euros(line["amount_cents"]),
                                            rules.FUNDING_STATUS_LABELS.get(line["status"], line["status"])) if p)
                     for line in lines)


def indicators_cell(indicators: list[dict]) -> str:
    parts = []
    for i in indicators:
        text = i["name"] + (f" ({i['unit']})" if i.get("unit") else "")
        if i.get("baseline") or i.get("target"):
            text += f" : {i.get('baseline') or '?'} → {i.get('target') or '?'}"
        if i.get("source"):
            text += f" [{i['source']}]"
        parts.append(text)
    return "; ".join(parts)


def record(snap: dict, url: str) -> dict:
    """One line of the table, from a snapshot (the public one when the table is public)."""
    plan = rules.funding(snap)
    return {
        "number": snap["number"], "title": snap["title"], "axis": snap["axis"]["title"] if snap["axis"] else "",
        "description": snap["description"],
        "status": rules.STATUS_LABELS.get(snap["status"], snap["status"]),
        "maturity": rules.MATURITY_LABELS.get(snap["maturity"], snap["maturity"]),
        "pilot": snap["pilot"], "elected_referent": snap["elected_referent"],
        "elected_referent_role": snap["elected_referent_role"], "technical_referent": snap["technical_referent"],
        "technical_referent_role": snap["technical_referent_role"],
        "partners": ", ".join(p["name"] for p in snap["partners"]),
        "cost_eur": amount(plan.cost),
        "investment_eur": amount(sum(c["investment_cents"] for c in snap["costs"])),
        "operating_eur": amount(sum(c["operating_cents"] for c in snap["costs"])),
        "funding": funding_cell(snap["funding"]),
        "requested_eur": amount(plan.requested), "granted_eur": amount(plan.granted),
        "remaining_eur": amount(plan.remaining),
        "start": rules.quarter_label(snap["start"]), "end": rules.quarter_label(snap["end"]),
        "indicators": indicators_cell(snap["indicators"]), "url": url,
    }


def euros_csv(value: Decimal) -> str:
    """12500, 12500,5 → "12500", "12500,50" (a French spreadsheet reads the comma)."""
    return f"{value:.0f}" if value == value.to_integral_value() else f"{value:.2f}".replace(".", ",")


def csv_body(records: list[dict], internal: bool) -> bytes:
    keys = [key for key, _ in columns(internal)]
    rows = ({**r, **{m: euros_csv(r[m]) for m in MONEY}} for r in records)
    return exports.csv_bytes(keys, rows, NUMERIC)


def xlsx_body(records: list[dict], internal: bool, title: str) -> bytes:
    """A workbook of one sheet: headings in French, then one line per action sheet. Every text cell
    is a string cell (data type "s"): a spreadsheet never runs it as a formula."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    chosen = columns(internal)
    book = Workbook()
    sheet = book.active
    sheet.title = title[:31]
    sheet.append([heading for _, heading in chosen])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for r in records:
        sheet.append([None] * len(chosen))
        row = sheet.max_row
        for column, (key, _) in enumerate(chosen, start=1):
            cell = sheet.cell(row=row, column=column)
            value = r[key]
            if key in NUMERIC:
                cell.value = value
                if key in MONEY:
                    cell.number_format = "#,##0.00"
            else:
                cell.value = str(value)
                cell.data_type = "s"  # never "f": text that starts with "=" stays text
    sheet.freeze_panes = "C2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def feature(snap: dict, geometry: dict | None, url: str) -> dict:
    """A validated sheet on the map: no personal data, only what the sheet's public page says."""
    return {"type": "Feature", "id": snap["number"], "geometry": geometry, "properties": {
        "number": snap["number"], "title": snap["title"], "axis": snap["axis"]["title"] if snap["axis"] else "",
        "status": snap["status"], "status_label": rules.STATUS_LABELS.get(snap["status"], snap["status"]),
        "maturity": snap["maturity"], "maturity_label": rules.MATURITY_LABELS.get(snap["maturity"], snap["maturity"]),
        "cost_eur": float(amount(rules.cost_cents(snap))), "place": snap["place"], "url": url}}


def geojson_body(features: list[dict]) -> bytes:
    return json.dumps({"type": "FeatureCollection", "licence": LICENCE, "features": features},
                      ensure_ascii=False, separators=(",", ":")).encode()
