"""The diagnostic: stakes drawn from what residents, workshops and students said, and the synthesis."""
