"""Calls for applications: the territory opens a call, communes apply, the coordinator selects."""
