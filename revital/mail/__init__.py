"""E-mail that is never lost: an outbox written in the caller's transaction, sent by a background sender.

A generic part: it knows no domain. Other parts call `revital.mail.outbox.queue()`.
"""
