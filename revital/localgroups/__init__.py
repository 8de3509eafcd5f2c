"""The local group of each commune: its members, who follow the process."""
