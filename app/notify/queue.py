"""The notice queue in PostgreSQL: enqueued once, sent once, never lost.

`enqueue` adds a composed notice to the caller's transaction; the same `dedupe_key` a second time
adds nothing. `send_due` claims one due row at a time (`FOR UPDATE SKIP LOCKED`, so two senders
never take the same row), hands it to the relay, and marks it sent in the same transaction that
holds the row: a sender that dies before the relay accepted leaves it queued, one whose relay
refused it leaves it for a later attempt after a growing pause, and after the last attempt (or a
refusal that will not change, a 5xx) it is dead and stays for the officer to see. Each sent or
dead notice is audited. The Message-ID is the notice's own, so a mail client that is handed the
same notice twice after a crash between the relay's acceptance and the commit shows it once.
"""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from email.message import EmailMessage
from email.utils import formatdate, parseaddr

from sqlalchemy import Engine, text
from sqlmodel import Session

from app import audit
from app.notify.compose import Letter, footer
from app.notify.recipients import Recipient, unsubscribe_token
from app.settings import Settings

MAX_ERROR = 500


def enqueue(
    session: Session,
    *,
    college_id: int,
    kind: str,
    dedupe_key: str,
    recipient: Recipient,
    letter: Letter,
    settings: Settings,
    student_id: int | None = None,
    attachment: bytes | None = None,
    attachment_name: str = "",
    created_by: int | None = None,
) -> bool:
    """Queue the letter for the recipient unless this key is queued already; True when it was added."""
    token = unsubscribe_token(session, recipient.kind, recipient.id)
    plain, rich, _ = footer(settings.public_url, token)
    added = session.execute(
        text(
            """
            INSERT INTO notice (college_id, kind, dedupe_key, recipient_kind, recipient_id, student_id,
                                to_address, subject, body_text, body_html, attachment, attachment_name,
                                created_by_user_id)
            VALUES (:college, :kind, :key, :rkind, :rid, :student, :to, :subject, :text, :html,
                    :attachment, :attachment_name, :by)
            ON CONFLICT (dedupe_key) DO NOTHING
            RETURNING id
            """
        ),
        {
            "college": college_id,
            "kind": kind,
            "key": dedupe_key,
            "rkind": recipient.kind,
            "rid": recipient.id,
            "student": student_id,
            "to": recipient.address,
            "subject": letter.subject,
            "text": letter.text(plain),
            "html": letter.html(rich),
            "attachment": attachment,
            "attachment_name": attachment_name,
            "by": created_by,
        },
    ).first()
    return added is not None


@dataclass
class SendReport:
    sent: int = 0
    retried: int = 0
    dead: int = 0
    relay_down: str = ""  # why sending stopped early: the relay could not be reached

    def __str__(self) -> str:
        line = f"отправлено: {self.sent}, отложено до повтора: {self.retried}, не доставлено: {self.dead}"
        return line + (f"; почтовый сервер недоступен: {self.relay_down}" if self.relay_down else "")


def backoff(attempts: int) -> timedelta:
    """The pause before attempt `attempts + 1`: a minute, doubling, at most six hours."""
    return timedelta(seconds=min(60 * 2 ** max(attempts - 1, 0), 6 * 3600))


def message(row: dict[str, object], settings: Settings, token: str) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = settings.smtp_sender
    msg["To"] = str(row["to_address"])
    msg["Subject"] = str(row["subject"])
    msg["Date"] = formatdate(localtime=True)
    domain = parseaddr(settings.smtp_sender)[1].rpartition("@")[2] or "localhost"
    msg["Message-ID"] = f"<notice-{row['id']}@{domain}>"  # the same on every attempt
    _, _, link = footer(settings.public_url, token)
    # RFC 8058: a mail client's own «unsubscribe» button posts to the same link
    msg["List-Unsubscribe"] = f"<{link}>"
    msg["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    msg["Auto-Submitted"] = "auto-generated"
    msg.set_content(str(row["body_text"]))
    msg.add_alternative(str(row["body_html"]), subtype="html")
    attachment = row.get("attachment")
    if isinstance(attachment, bytes | memoryview):
        msg.add_attachment(
            bytes(attachment),
            maintype="application",
            subtype="pdf",
            filename=str(row["attachment_name"]) or "document.pdf",
        )
    return msg


@contextmanager
def relay(settings: Settings) -> Iterator[smtplib.SMTP]:
    """One connection to the relay for a run of sends."""
    timeout = settings.smtp_timeout_seconds
    client: smtplib.SMTP
    if settings.smtp_tls == "ssl":
        client = smtplib.SMTP_SSL(
            settings.smtp_host, settings.smtp_port, timeout=timeout, context=ssl.create_default_context()
        )
    else:
        client = smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=timeout)
    try:
        if settings.smtp_tls == "starttls":
            client.starttls(context=ssl.create_default_context())
        if settings.smtp_user:
            client.login(settings.smtp_user, settings.smtp_password)
        yield client
    finally:
        try:
            client.quit()
        except (smtplib.SMTPException, OSError):  # the relay went away: just drop the socket
            client.close()


_CLAIM = """
    SELECT id, college_id, kind, recipient_kind, recipient_id, to_address, subject, body_text, body_html,
           attachment, attachment_name, attempts
    FROM notice
    WHERE status = 'queued' AND next_attempt_at <= now()
    ORDER BY next_attempt_at, id
    LIMIT 1
    FOR UPDATE SKIP LOCKED
"""


def send_due(engine: Engine, settings: Settings, *, limit: int = 1000) -> SendReport:
    """Send what is due, one notice per transaction, until none is left, `limit` is reached or the
    relay cannot be reached (then the rest waits for the next run)."""
    report = SendReport()
    if not settings.smtp_host:
        report.relay_down = "не задан EJOURNAL_SMTP_HOST"
        return report
    try:
        with relay(settings) as client:
            for _ in range(limit):
                if not _send_one(engine, settings, client, report):
                    break
    except (OSError, smtplib.SMTPException) as exc:
        report.relay_down = _error(exc)
    return report


def _error(exc: BaseException) -> str:
    return (f"{type(exc).__name__}: {exc}")[:MAX_ERROR]


def _send_one(engine: Engine, settings: Settings, client: smtplib.SMTP, report: SendReport) -> bool:
    """Claim and send one notice; False when none is due. A lost connection propagates after the
    notice is put back for a later attempt."""
    with Session(engine) as session:
        row = session.execute(text(_CLAIM)).mappings().first()
        if row is None:
            return False
        data = dict(row)
        token = unsubscribe_token(session, str(data["recipient_kind"]), int(data["recipient_id"]))
        try:
            client.send_message(message(data, settings, token))
        except (smtplib.SMTPRecipientsRefused, smtplib.SMTPSenderRefused, smtplib.SMTPDataError) as exc:
            code = getattr(exc, "smtp_code", None)
            if code is None and isinstance(exc, smtplib.SMTPRecipientsRefused):
                code = next(iter(exc.recipients.values()))[0]
            permanent = isinstance(code, int) and code >= 500
            _failed(session, settings, data, _error(exc), report, permanent=permanent)
            return True
        except (OSError, smtplib.SMTPException) as exc:
            _failed(session, settings, data, _error(exc), report, permanent=False)
            raise
        session.execute(
            text(
                "UPDATE notice SET status = 'sent', sent_at = now(), attempts = attempts + 1 WHERE id = :id"
            ),
            {"id": data["id"]},
        )
        audit.record(
            session,
            None,
            "notice.sent",
            entity="notice",
            entity_id=int(str(data["id"])),
            college_id=int(str(data["college_id"])),
            details={"kind": data["kind"], "to": data["to_address"], "recipient": data["recipient_kind"]},
        )
        session.commit()
        report.sent += 1
        return True


def _failed(
    session: Session,
    settings: Settings,
    row: dict[str, object],
    error: str,
    report: SendReport,
    *,
    permanent: bool,
) -> None:
    attempts = int(str(row["attempts"])) + 1
    dead = permanent or attempts >= settings.notify_max_attempts
    session.execute(
        text(
            """
            UPDATE notice SET attempts = :attempts, last_error = :error,
                   status = CASE WHEN :dead THEN 'dead' ELSE status END,
                   next_attempt_at = now() + make_interval(secs => :pause)
            WHERE id = :id
            """
        ),
        {
            "attempts": attempts,
            "error": error,
            "dead": dead,
            "pause": backoff(attempts).total_seconds(),
            "id": row["id"],
        },
    )
    if dead:
        audit.record(
            session,
            None,
            "notice.dead",
            entity="notice",
            entity_id=int(str(row["id"])),
            outcome="refused",
            message=error,
            college_id=int(str(row["college_id"])),
            details={"kind": row["kind"], "to": row["to_address"], "attempts": attempts},
        )
        report.dead += 1
    else:
        report.retried += 1
    session.commit()


STATUS_LABELS = {"queued": "в очереди", "sent": "отправлено", "dead": "не доставлено"}


def status(session: Session) -> list[str]:
    """The queue in a few lines, for `ejournal notify status`: counts by state, the last errors."""
    counts = dict(session.execute(text("SELECT status, count(*) FROM notice GROUP BY status")).tuples().all())
    lines = [", ".join(f"{label}: {counts.get(key, 0)}" for key, label in STATUS_LABELS.items())]
    for r in session.execute(
        text(
            "SELECT id, to_address, attempts, last_error FROM notice WHERE last_error <> '' "
            "AND status <> 'sent' ORDER BY id DESC LIMIT 5"
        )
    ):
        lines.append(f"  № {r[0]} → {r[1]}: попыток {r[2]}, {r[3]}")
    return lines
