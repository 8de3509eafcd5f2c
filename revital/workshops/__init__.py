"""Workshops: the local group's meetings of every phase, their registrations, their outputs."""
