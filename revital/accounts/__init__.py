"""Accounts: passwords, sign-in with its throttles, server-side sessions, who is asking."""
