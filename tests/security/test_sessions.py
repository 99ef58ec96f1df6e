"""Finding 2 (and 6, 9) against the real web server: the login is a cookie-bound server-side
session; a Streamlit session id without the cookie is worth nothing; media and uploads need the
session's cookie; logins are throttled per source; every response carries the security headers.

On 18bf9b7 the login lived in st.session_state: a bare websocket presenting the officer's session
id (seen in an upload URL) resumed the officer's session, media downloaded with no session at all,
nothing throttled a source and no response had a CSP."""

from __future__ import annotations

import http.client
import re
import urllib.parse
from dataclasses import dataclass, field

import pytest
from google.protobuf import text_format
from sqlmodel import Session, select
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from websockets.sync.client import connect

from app.models import AuditEvent, LoginSession
from app.services import login_sessions
from app.settings import get_settings
from tests.factories import PASSWORD


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    cookies: dict[str, str]
    set_cookie: list[str]
    body: str


@dataclass
class Browser:
    """Cookies and a user agent, as one browser would keep them."""

    url: str
    agent: str = "Mozilla/5.0 (ejournal test)"
    cookies: dict[str, str] = field(default_factory=dict)
    forwarded_for: str | None = None

    def request(
        self, method: str, path: str, body: bytes | None = None, headers: dict[str, str] | None = None
    ) -> Reply:
        parts = urllib.parse.urlsplit(self.url)
        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
        sent = {"User-Agent": self.agent, "Accept": "text/html", **(headers or {})}
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if self.forwarded_for:
            sent["X-Forwarded-For"] = self.forwarded_for
        conn.request(method, path, body=body, headers=sent)
        response = conn.getresponse()
        set_cookie = response.headers.get_all("set-cookie") or []
        cookies = {}
        for line in set_cookie:
            name, _, rest = line.partition("=")
            value = rest.split(";", 1)[0].strip('"')
            cookies[name] = value
            if "expires=Thu, 01 Jan 1970" in line or "Max-Age=0" in line:
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = value
        reply = Reply(
            response.status,
            {k.lower(): v for k, v in response.getheaders()},
            cookies,
            set_cookie,
            response.read().decode("utf-8", "replace"),
        )
        conn.close()
        return reply

    def log_in(self, login: str, password: str = PASSWORD) -> Reply:
        form = self.request("GET", "/login")
        csrf = re.search(r'name="csrf" value="([^"]+)"', form.body)
        assert csrf, form.body
        body = urllib.parse.urlencode({"login": login, "password": password, "csrf": csrf.group(1)}).encode()
        return self.request("POST", "/login", body, {"Content-Type": "application/x-www-form-urlencoded"})


def stream(browser: Browser, resume: str | None = None) -> tuple[str, str]:
    """Open Streamlit's websocket as this browser (optionally asking to resume a session), run the
    app once; the session id the server gave and everything the run wrote."""
    headers = {"User-Agent": browser.agent}
    if browser.cookies:
        headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in browser.cookies.items())
    protocols = ["streamlit", "xsrf", *([resume] if resume else [])]
    ws_url = browser.url.replace("http://", "ws://") + "/_stcore/stream"
    session_id, text = "", []
    with connect(
        ws_url,
        subprotocols=protocols,
        additional_headers=headers,
        origin=browser.url,
        open_timeout=60,  # type: ignore[arg-type]
    ) as ws:
        rerun = BackMsg()
        rerun.rerun_script.query_string = ""
        ws.send(rerun.SerializeToString())
        while True:
            msg = ForwardMsg()
            msg.ParseFromString(ws.recv(timeout=60))
            if msg.HasField("new_session"):
                session_id = msg.new_session.initialize.session_id
            text.append(text_format.MessageToString(msg, as_utf8=True))
            if msg.HasField("script_finished"):
                break
    return session_id, "\n".join(text)


@pytest.fixture
def officer(app_url, world) -> Browser:
    browser = Browser(app_url)
    assert browser.log_in(world.logins["officer"]).status == 303
    return browser


def full_name(world, who: str) -> str:
    from app.models import UserAccount

    with Session(world.engine) as s:
        user = s.get(UserAccount, world.users[who])
        assert user is not None
        return user.full_name


def test_login_sets_an_http_only_strict_cookie_and_keeps_only_its_hash(app_url, world):
    browser = Browser(app_url)
    reply = browser.log_in(world.logins["teacher"])
    assert reply.status == 303 and reply.headers["location"] == "/"
    (line,) = [c for c in reply.set_cookie if c.startswith(login_sessions.COOKIE + "=")]
    assert "HttpOnly" in line and "SameSite=strict" in line and "Max-Age" not in line
    token = reply.cookies[login_sessions.COOKIE]
    with Session(world.engine) as s:
        row = s.exec(select(LoginSession).where(LoginSession.user_id == world.users["teacher"])).one()
    assert row.token_hash == login_sessions.token_hash(token) and token not in (row.id, row.token_hash)


def test_wrong_password_is_refused_in_russian_and_sets_no_session(app_url, world):
    browser = Browser(app_url)
    reply = browser.log_in(world.logins["teacher"], "не тот пароль")
    assert reply.status == 401 and "Неверный логин или пароль." in reply.body
    assert login_sessions.COOKIE not in browser.cookies


def test_a_login_form_from_elsewhere_is_refused(app_url, world):
    body = urllib.parse.urlencode(
        {"login": world.logins["teacher"], "password": PASSWORD, "csrf": "x"}
    ).encode()
    reply = Browser(app_url).request(
        "POST", "/login", body, {"Content-Type": "application/x-www-form-urlencoded"}
    )
    assert reply.status == 400 and "устарела" in reply.body


def test_a_page_without_a_session_goes_to_the_login_page(app_url):
    reply = Browser(app_url).request("GET", "/journal")
    assert reply.status == 303 and reply.headers["location"] == "/login?next=/journal"


def test_next_never_leads_off_the_site(app_url, world):
    browser = Browser(app_url)
    browser.request("GET", "/login?next=//evil.example/x")
    form = browser.request("GET", "/login?next=//evil.example/x")
    csrf = re.search(r'name="csrf" value="([^"]+)"', form.body)
    assert csrf
    body = urllib.parse.urlencode(
        {"login": world.logins["teacher"], "password": PASSWORD, "csrf": csrf.group(1)}
    )
    reply = browser.request(
        "POST",
        "/login?next=//evil.example/x",
        body.encode(),
        {"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert reply.status == 303 and reply.headers["location"] == "/"


def test_security_headers_on_every_response(app_url):
    browser = Browser(app_url)
    for path in ("/", "/login", "/_stcore/health", "/media/nothing.pdf"):
        headers = browser.request("GET", path).headers
        assert "frame-ancestors 'none'" in headers["content-security-policy"], path
        assert headers["x-content-type-options"] == "nosniff", path
        assert headers["referrer-policy"] == "same-origin", path


def test_the_session_runs_the_app_as_its_user(officer, world):
    _sid, text = stream(officer)
    assert full_name(world, "officer") in text


def test_a_stolen_session_id_without_the_cookie_gets_nothing(officer, app_url, world):
    victim, text = stream(officer)
    name = full_name(world, "officer")
    assert victim and name in text
    # The id as an attacker reads it off an upload URL or a log line; no cookie of the officer's.
    for attacker in (Browser(app_url), Browser(app_url, agent=officer.agent)):
        got, seen = stream(attacker, resume=victim)
        assert got != victim
        assert name not in seen and "Войдите" in seen
    # Nor with a login of one's own (a student's) on the same machine.
    student = Browser(app_url, agent=officer.agent)
    student.log_in(world.logins["student"])
    got, seen = stream(student, resume=victim)
    assert got != victim and name not in seen


def test_a_refresh_keeps_the_login(officer, world):
    stream(officer)
    _again, text = stream(officer)  # a reload: a new websocket with the same cookie
    assert full_name(world, "officer") in text


def test_media_needs_the_session_cookie(officer, app_url):
    assert Browser(app_url).request("GET", "/media/0123456789abcdef.pdf").status == 403
    # With a live session the gate lets the request through to Streamlit (no such file here).
    assert officer.request("GET", "/media/0123456789abcdef.pdf").status == 404


def test_uploads_only_into_ones_own_streamlit_session(officer, app_url, world):
    officer.request("GET", "/_stcore/health")  # where Streamlit hands out its XSRF cookie
    headers = {
        "User-Agent": officer.agent,
        "Cookie": "; ".join(f"{k}={v}" for k, v in officer.cookies.items()),
    }
    ws_url = app_url.replace("http://", "ws://") + "/_stcore/stream"
    with connect(
        ws_url, subprotocols=["streamlit", "xsrf"], additional_headers=headers, origin=app_url
    ) as ws:  # type: ignore[list-item]
        rerun = BackMsg()
        rerun.rerun_script.query_string = ""
        ws.send(rerun.SerializeToString())
        sid = ""
        while not sid:
            msg = ForwardMsg()
            msg.ParseFromString(ws.recv(timeout=60))
            if msg.HasField("new_session"):
                sid = msg.new_session.initialize.session_id
        boundary = "ejournaltest"
        body = (
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.csv"\r\n'
            f"Content-Type: text/csv\r\n\r\nx\r\n--{boundary}--\r\n"
        ).encode()
        xsrf = officer.cookies.get("_streamlit_xsrf", "")
        upload = {"Content-Type": f"multipart/form-data; boundary={boundary}", "X-Xsrftoken": xsrf}
        path = f"/_stcore/upload_file/{sid}/file-1"
        stranger = Browser(app_url, agent=officer.agent, cookies={"_streamlit_xsrf": xsrf})
        assert stranger.request("PUT", path, body, upload).status == 403
        student = Browser(app_url, agent=officer.agent)
        student.log_in(world.logins["student"])
        student.cookies["_streamlit_xsrf"] = xsrf
        assert student.request("PUT", path, body, upload).status == 403
        owner = officer.request("PUT", path, body, upload)
        assert owner.status == 204, owner.body


def test_logins_are_throttled_per_source(app_url, world):
    """Finding 6: spraying logins from one address stops that address, not the accounts."""
    limit = get_settings().login_source_max_failures
    sprayer = Browser(app_url, forwarded_for="203.0.113.7")
    for n in range(limit):
        assert sprayer.log_in(f"nobody-{n}-{world.logins['teacher']}", "x").status == 401
    blocked = sprayer.log_in(world.logins["teacher"])
    assert blocked.status == 429 and "Слишком много неудачных попыток входа" in blocked.body
    assert login_sessions.COOKIE not in sprayer.cookies
    # The account itself is not locked: the teacher logs in from elsewhere.
    assert Browser(app_url, forwarded_for="198.51.100.2").log_in(world.logins["teacher"]).status == 303
    with Session(world.engine) as s:
        throttled = s.exec(
            select(AuditEvent).where(
                AuditEvent.action == "login.throttled", AuditEvent.source_address == "203.0.113.7"
            )
        ).all()
    assert len(throttled) == 1


def test_every_audit_entry_of_a_request_says_where_it_came_from(officer, world):
    stream(officer)
    with Session(world.engine) as s:
        row = s.exec(select(LoginSession).where(LoginSession.user_id == world.users["officer"])).one()
        entries = s.exec(select(AuditEvent).where(AuditEvent.session_id == row.id)).all()
    assert entries and all(e.source_address == "127.0.0.1" and e.user_agent == officer.agent for e in entries)
