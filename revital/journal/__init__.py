"""The journal of each commune (journal de bord): posts written in the back office, entries the workflow writes itself, their pages and Atom feeds."""
