"""What each commune's process has produced, as far as the phase gates are concerned, gathered from
the parts of the workflow that produce it and handed to the pure phases module.

It lives above those parts (stakes, ideas, action sheets, roadmaps), so that the process stays low:
the phase panel receives these facts through `app.state.gate_facts`. Until those parts exist their
gates stay closed, and only a written override opens them.
"""

from revital.process import phases


def facts_for(db, commune) -> phases.Facts:
    return phases.Facts()
