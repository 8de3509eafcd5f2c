"""The base of the workflow: territories, communes and partner organisations, and who may act where."""
