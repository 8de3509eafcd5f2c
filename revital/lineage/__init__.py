"""The lineage: what each stake, idea (and later action sheet) comes from, and what each contribution became."""
