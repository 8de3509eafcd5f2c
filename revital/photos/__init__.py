"""Photos, for every part of the workflow: checked and re-encoded without metadata (processing, pure), kept in the database (models, store)."""
