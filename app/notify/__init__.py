"""E-mail notices to guardians and students (§2.1.8, §2.1.9 of the regulation: systematic and
timely informing of parents): a weekly digest, the alerts the college sends, a curator's
announcements and the guardian letter.

- `recipients`: who is written to about a student, and what each has chosen;
- `compose`: the Russian texts, plain and HTML, each with its one-click unsubscribe link;
- `queue`: the queue in PostgreSQL: enqueued once (`dedupe_key`), sent by whoever claims a row,
  retried with a growing pause, dead after the last attempt;
- `produce`: the digests and alerts due now; `run`: produce and send, once or in a loop
  (`ejournal notify run`, and `ejournal serve`'s loop).
"""
