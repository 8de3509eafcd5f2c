"""The entries the workflow writes in a commune's journal by itself, in the transaction that causes them.

A phase transition (revital.process) becomes an entry "La commune entre en phase …" through a
session listener registered here: the process stays below the journal and knows nothing of it,
and every way of moving a process (the phase form, the command line, the demo) writes its entry,
without anything having to remember to. Later parts of the workflow (a selection after a call, a
closed workshop, a published roadmap) call `revital.journal.services.record` themselves: they sit
above the journal.
"""

from sqlalchemy import event
from sqlalchemy.orm import Session

from revital.db import utcnow
from revital.journal.models import PHASE, PUBLISHED, JournalPost
from revital.process import phases
from revital.process.models import PhaseTransition, Process


def phase_entry(transition: PhaseTransition, commune_id: int) -> JournalPost:
    label = phases.LABELS.get(transition.to_phase, transition.to_phase)
    if transition.kind == "back":
        title = f"La démarche revient à la phase « {label} »"
    elif transition.kind == "start":
        title = f"La démarche commence : phase « {label} »"
    else:
        title = f"La commune entre en phase « {label} »"
    text = phases.SUMMARIES.get(transition.to_phase, "")
    if transition.reason.strip():
        text += "\n\n> " + "\n> ".join(transition.reason.strip().splitlines())
    at = transition.created_at or utcnow()
    return JournalPost(commune_id=commune_id, kind=PHASE, title=title[:160], body=text, status=PUBLISHED,
                       created_at=at, published_at=at)


@event.listens_for(Session, "before_flush")
def write_phase_entries(session: Session, flush_context, instances) -> None:
    for obj in list(session.new):
        if not isinstance(obj, PhaseTransition) or obj.__dict__.get("_journal_written"):
            continue
        process = obj.process
        if process is None and obj.process_id is not None:
            with session.no_autoflush:
                process = session.get(Process, obj.process_id)
        if process is None or process.commune_id is None:
            continue
        obj._journal_written = True
        session.add(phase_entry(obj, process.commune_id))
