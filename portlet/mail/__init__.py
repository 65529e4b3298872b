"""Mail: writing the outbox's mails (compose), sending them (send), and the two ways
of running delivery: the ``assistance worker`` command (worker) or, for the embedded
SQLite default, a thread inside the web process (inline).
"""
