"""A lesson in the lecture hall: the presenter's panel, the students' phone page, and the
routes between them, on the dashboard's own server.

``neuromod dashboard --lesson FILE`` (or a shipped lesson's name) starts a lecture: the command
prints a presenter address with a token and the students' short address. Every worker reads
the lecture from the environment (:data:`ENV_LESSON`, :data:`ENV_DB`, :data:`ENV_TOKEN`,
:data:`ENV_JOIN`) and shares its state and answers through one SQLite file
(:mod:`dashboard.answers`).

Routes (JSON unless said):

* ``GET /j``: the students' page (HTML, a few kB, no Dash): it sets an anonymous random
  cookie, shows the step's question and sends the answer;
* ``GET /lesson/state``: the lecture's state and the step's question (and, once revealed, the
  model's answer); the presenter also gets the step's session as a dashboard address;
* ``POST /lesson/answer`` ``{"step": i, "value": x}``: a student's answer (one per student
  per step, replaced if sent again), accepted while the step's question is open;
* presenter only (the token, as the ``nm_presenter`` cookie set by ``/lesson/present?token=``
  or the ``X-Presenter-Token`` header): ``GET /lesson/results`` (the histogram),
  ``POST /lesson/control`` (``{"action": "go", "step": i}``, ``"reveal"``, ``"hide"``,
  ``{"action": "lesson", "name": n}``), ``GET /lesson/answers.csv``,
  ``GET /lesson/handout.html``;
* ``GET /lesson/qr.svg``: the QR code of the students' address, drawn here (segno), no
  internet.

The panel itself is drawn in the browser (``assets/lesson.js``) over the dashboard in lecture
mode; with no lecture running, ``/lesson/state`` is 404 and the dashboard is unchanged.
"""
from __future__ import annotations

import functools
import hmac
import io
import json
import math
import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dashboard.answers import NUMBER_BINS, AnswerStore, answer_bin, histogram, student_id
from sim.lesson import Lesson, lesson_names, load_lesson
from sim.params import ParameterError

__all__ = ["Lecture", "register", "lecture_from_env", "ENV_LESSON", "ENV_DB", "ENV_TOKEN",
           "ENV_JOIN", "STUDENT_COOKIE", "PRESENTER_COOKIE", "JOIN_PATH", "histogram",
           "NUMBER_BINS", "new_token", "default_db_path", "STUDENT_PAGE"]

ENV_LESSON = "NEUROMOD_LESSON"
ENV_DB = "NEUROMOD_LESSON_DB"
ENV_TOKEN = "NEUROMOD_LESSON_TOKEN"
ENV_JOIN = "NEUROMOD_LESSON_JOIN_URL"
STUDENT_COOKIE = "nm_student"
PRESENTER_COOKIE = "nm_presenter"
LECTURE_COOKIE = "nm_lecture"
#: The students' short address (typed from the projector, or read from the QR code).
JOIN_PATH = "/j"
#: Largest answer or control request [bytes].
MAX_SMALL_BODY = 2000


def new_token() -> str:
    """A presenter token: short enough to type, too long to guess (48 random bits)."""
    return secrets.token_hex(6)


def default_db_path(lesson: str) -> Path:
    """``lectures/<lesson>-<date>-<time>.sqlite`` in the working directory: a file per
    lecture."""
    import time

    return Path("lectures") / f"{lesson}-{time.strftime('%Y%m%d-%H%M%S')}.sqlite"


@functools.lru_cache(maxsize=16)
def _load(path: str) -> Lesson:
    return load_lesson(path)


@dataclass
class Lecture:
    """A running lecture: the lessons it can show, its answer store, the presenter token and
    the students' address."""

    lesson_file: str
    store: AnswerStore
    token: str
    join_url: str

    def __post_init__(self) -> None:
        first = _load(self.lesson_file)
        self.files = {name: name for name in lesson_names()}
        self.files[first.name] = self.lesson_file
        st = self.store.state()
        # a lecture file reused for the same lesson resumes where it was; otherwise the
        # lesson given starts at its first step
        if st is None or st.lesson != first.name or st.step >= len(first.steps):
            self.store.set_state(first.name, 0, False)

    def lesson(self, name: str) -> Lesson:
        return _load(self.files[name])

    def current(self) -> tuple[Lesson, int, bool, int]:
        st = self.store.state()
        assert st is not None
        return self.lesson(st.lesson), st.step, st.revealed, st.version

    def describe(self, lesson_name: str, step: int, value: float) -> tuple[str, str]:
        """A stored answer in words, and its unit (for the CSV)."""
        try:
            q = self.lesson(lesson_name).steps[step].question
        except (KeyError, IndexError, ParameterError):
            return "", ""
        if q is None:
            return "", ""
        if q.kind == "choice":
            i = int(value)
            return (q.choices[i].label if 0 <= i < len(q.choices) else ""), ""
        return f"{value:g}", q.unit

    def warm(self) -> None:
        """Compute the model's answers of the current lesson (before the workers fork)."""
        lesson, _, _, _ = self.current()
        for i in range(len(lesson.steps)):
            lesson.answer(i)


def lecture_from_env() -> Lecture | None:
    """The lecture the command started (its environment), or None."""
    path = os.environ.get(ENV_LESSON)
    if not path:
        return None
    first = _load(path)
    store = AnswerStore(os.environ.get(ENV_DB) or default_db_path(first.name), first.name)
    return Lecture(path, store, os.environ.get(ENV_TOKEN) or new_token(),
                   os.environ.get(ENV_JOIN) or "")


# -------------------------------------------------------------------------------------------
# Web routes
# -------------------------------------------------------------------------------------------
def _json(obj: Any, status: int = 200):
    import flask

    resp = flask.Response(json.dumps(obj, allow_nan=False), status=status,
                          mimetype="application/json")
    resp.headers["Cache-Control"] = "no-store"
    return resp


def _finite(x: float) -> float | None:
    return x if math.isfinite(x) else None


def _question_doc(lesson: Lesson, step: int) -> dict[str, Any] | None:
    q = lesson.steps[step].question
    if q is None:
        return None
    out: dict[str, Any] = {"kind": q.kind, "text": q.text}
    if q.kind == "choice":
        out["choices"] = [c.label for c in q.choices]
    else:
        out.update(unit=q.unit, min=q.min, max=q.max)
    return out


def register(app: Any, lecture: Lecture | None = None) -> Lecture | None:
    """Add the lecture's routes to the dashboard's server (nothing without a lecture)."""
    lecture = lecture or lecture_from_env()
    if lecture is None:
        return None
    import flask

    from dashboard import state as S

    server = app.server
    server.extensions["neuromod_lecture"] = lecture
    lecture.warm()

    def presenter() -> bool:
        given = (flask.request.cookies.get(PRESENTER_COOKIE)
                 or flask.request.headers.get("X-Presenter-Token") or "")
        return hmac.compare_digest(given.encode(), lecture.token.encode())

    def small_json() -> Any:
        req = flask.request
        if (req.content_length or 0) > MAX_SMALL_BODY:
            return None
        if not req.is_json:
            return None
        try:
            return req.get_json(silent=True, cache=False)
        except Exception:  # noqa: BLE001 - any unreadable body is the same answer
            return None

    @server.route(JOIN_PATH)
    def _join():
        resp = flask.Response(STUDENT_PAGE, mimetype="text/html")
        resp.headers["Cache-Control"] = "no-store"
        if not flask.request.cookies.get(STUDENT_COOKIE):
            resp.set_cookie(STUDENT_COOKIE, secrets.token_urlsafe(16), max_age=12 * 3600,
                            httponly=True, samesite="Lax")
        return resp

    @server.route("/lesson/state")
    def _state():
        lesson, step, revealed, version = lecture.current()
        s = lesson.steps[step]
        out: dict[str, Any] = {
            "lesson": lesson.name, "title": lesson.title, "step": step,
            "steps": len(lesson.steps), "step_title": s.title, "caption": s.caption,
            "views": list(s.views), "question": _question_doc(lesson, step),
            "revealed": revealed, "version": version, "presenter": presenter(),
        }
        if revealed and s.question is not None:
            a = lesson.answer(step)
            assert a is not None
            out["answer"] = {"value": _finite(a.value), "text": a.text}
        if out["presenter"]:
            out["search"] = S.encode_search(s.session, lecture=True)
            out["join_url"] = lecture.join_url or (flask.request.host_url.rstrip("/")
                                                   + JOIN_PATH)
            out["lessons"] = [{"name": n, "title": lecture.lesson(n).title}
                              for n in lecture.files]
        return _json(out)

    @server.route("/lesson/answer", methods=["POST"])
    def _answer():
        cookie = flask.request.cookies.get(STUDENT_COOKIE)
        if not cookie:
            return _json({"error": f"open {JOIN_PATH} first"}, 400)
        body = small_json()
        if not isinstance(body, dict) or set(body) != {"step", "value"}:
            return _json({"error": 'send {"step": <step>, "value": <answer>} as JSON'}, 400)
        lesson, step, revealed, _ = lecture.current()
        q = lesson.steps[step].question
        if type(body["step"]) is not int or body["step"] != step or q is None or revealed:
            return _json({"error": "this question is closed"}, 409)
        try:
            value = q.check_answer(body["value"])
        except ParameterError as exc:
            return _json({"error": str(exc)}, 400)
        if not lecture.store.record(lesson.name, step, student_id(cookie), value,
                                    open_step=(lesson.name, step)):
            return _json({"error": "this question is closed"}, 409)
        return _json({"ok": True, "step": step, "value": value})

    @server.route("/lesson/results")
    def _results():
        if not presenter():
            return _json({"error": "presenter only"}, 403)
        lesson, step, revealed, version = lecture.current()
        out = histogram(lesson, step, lecture.store.values(lesson.name, step))
        out.update(step=step, revealed=revealed, version=version)
        if revealed:
            out["answer_bin"] = answer_bin(lesson, step)
        return _json(out)

    @server.route("/lesson/control", methods=["POST"])
    def _control():
        if not presenter():
            return _json({"error": "presenter only: the token printed at start is needed"},
                         403)
        body = small_json()
        if not isinstance(body, dict):
            return _json({"error": "send a JSON object"}, 400)
        lesson, step, _, _ = lecture.current()
        action = body.get("action")
        if action == "go":
            target = body.get("step")
            if isinstance(target, bool) or not isinstance(target, int) \
                    or not 0 <= target < len(lesson.steps):
                return _json({"error": f"step must be 0..{len(lesson.steps) - 1}"}, 400)
            st = lecture.store.set_state(lesson.name, target, False)
        elif action in ("reveal", "hide"):
            st = lecture.store.set_state(lesson.name, step, action == "reveal")
        elif action == "lesson":
            name = body.get("name")
            if name not in lecture.files:
                return _json({"error": f"lesson must be one of {', '.join(lecture.files)}"},
                             400)
            st = lecture.store.set_state(str(name), 0, False)
        else:
            return _json({"error": "action must be go, reveal, hide or lesson"}, 400)
        return _json({"lesson": st.lesson, "step": st.step, "revealed": st.revealed,
                      "version": st.version})

    @server.route("/lesson/present")
    def _present():
        given = flask.request.args.get("token", "")
        if not hmac.compare_digest(given.encode(), lecture.token.encode()):
            return flask.Response("This address needs the presenter token printed when the "
                                  "lecture was started.\n", status=403, mimetype="text/plain")
        lesson, step, _, _ = lecture.current()
        resp = flask.redirect("/" + S.encode_search(lesson.steps[step].session, lecture=True))
        resp.set_cookie(PRESENTER_COOKIE, lecture.token, max_age=12 * 3600, httponly=True,
                        samesite="Strict")
        # readable by the page: only a browser that has it asks for the lecture's panel, so
        # the dashboard without a lecture makes no extra request
        resp.set_cookie(LECTURE_COOKIE, "1", max_age=12 * 3600, samesite="Strict")
        return resp

    @server.route("/lesson/qr.svg")
    def _qr():
        import segno

        url = lecture.join_url or (flask.request.host_url.rstrip("/") + JOIN_PATH)
        buf = io.BytesIO()
        segno.make(url, error="m").save(buf, kind="svg", scale=8, border=2)
        return flask.Response(buf.getvalue(), mimetype="image/svg+xml")

    @server.route("/lesson/answers.csv")
    def _csv():
        if not presenter():
            return _json({"error": "presenter only"}, 403)
        resp = flask.Response(lecture.store.to_csv(lecture.describe), mimetype="text/csv")
        resp.headers["Content-Disposition"] = "attachment; filename=answers.csv"
        return resp

    @server.route("/lesson/handout.html")
    def _handout():
        if not presenter():
            return _json({"error": "presenter only"}, 403)
        from dashboard.handout import handout_html

        lesson, _, _, _ = lecture.current()
        resp = flask.Response(handout_html(lesson, lecture.store), mimetype="text/html")
        resp.headers["Content-Disposition"] = f"attachment; filename={lesson.name}-handout.html"
        return resp

    return lecture


STUDENT_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Lecture: your prediction</title>
<style>
body{font-family:system-ui,sans-serif;margin:0;padding:16px;background:#f7f7f9;color:#111;
font-size:18px}
h1{font-size:20px;margin:0 0 4px}#step{color:#555;font-size:15px}
#q{font-size:21px;font-weight:600;margin:18px 0 12px}
button{display:block;width:100%;font-size:19px;padding:14px;margin:8px 0;border-radius:10px;
border:2px solid #2b6cb0;background:#fff;color:#2b6cb0}
button.picked{background:#2b6cb0;color:#fff}
input{font-size:22px;padding:10px;width:60%;border-radius:8px;border:2px solid #888}
#unit{font-size:18px;margin-left:6px}#send{margin-top:12px;background:#2b6cb0;color:#fff}
#msg{margin-top:14px;font-size:17px}#msg.err{color:#b00020}
#answer{margin-top:14px;padding:12px;background:#e6f4ea;border-radius:8px;display:none}
</style></head><body>
<h1 id="title">Lecture</h1><div id="step"></div><div id="caption"></div>
<div id="q"></div><div id="form"></div><div id="msg" role="status"></div>
<div id="answer" role="status"></div>
<script>
(function () {
  var shown = null, mine = {};
  function el(id) { return document.getElementById(id); }
  function say(text, err) {
    var m = el("msg"); m.textContent = text; m.className = err ? "err" : "";
  }
  function send(step, value, button) {
    say("Sending…");
    fetch("/lesson/answer", {method: "POST", headers: {"Content-Type": "application/json"},
      body: JSON.stringify({step: step, value: value}), credentials: "same-origin"})
      .then(function (r) { return r.json().then(function (j) { return [r.status, j]; }); })
      .then(function (x) {
        if (x[0] === 200) {
          mine[step] = value;
          var bs = document.querySelectorAll("#form button.choice");
          for (var i = 0; i < bs.length; i++) {
            bs[i].classList.toggle("picked", bs[i] === button);
          }
          say("Answer received. You can change it until the answer is revealed.");
        } else { say(x[1].error || "Not accepted", true); }
      }).catch(function () { say("No connection: try again.", true); });
  }
  function draw(s) {
    el("title").textContent = s.title;
    el("step").textContent = "Step " + (s.step + 1) + " of " + s.steps + ": " + s.step_title;
    el("caption").textContent = s.caption;
    var q = s.question, form = el("form"), ans = el("answer");
    form.innerHTML = ""; say(""); ans.style.display = "none";
    el("q").textContent = q ? q.text : "No question on this step: watch the screen.";
    if (!q) { return; }
    if (s.revealed) {
      ans.style.display = "block";
      ans.textContent = "The model's answer: " + (s.answer ? s.answer.text : "");
      if (s.step in mine) {
        ans.textContent += " · your answer: " +
          (q.kind === "choice" ? q.choices[mine[s.step]] : mine[s.step] + " " + q.unit);
      }
      return;
    }
    if (q.kind === "choice") {
      q.choices.forEach(function (label, i) {
        var b = document.createElement("button");
        b.className = "choice" + (mine[s.step] === i ? " picked" : "");
        b.textContent = label;
        b.onclick = function () { send(s.step, i, b); };
        form.appendChild(b);
      });
    } else {
      var inp = document.createElement("input");
      inp.type = "number"; inp.step = "any"; inp.min = q.min; inp.max = q.max; inp.id = "value";
      inp.setAttribute("inputmode", "decimal");
      if (s.step in mine) { inp.value = mine[s.step]; }
      // the allowed range stays visible while typing (an input's hint text would vanish)
      var unit = document.createElement("span"); unit.id = "unit";
      unit.textContent = q.unit + " (" + q.min + " to " + q.max + ")";
      var b = document.createElement("button"); b.id = "send"; b.textContent = "Send";
      b.onclick = function () {
        var v = parseFloat(inp.value);
        if (isNaN(v)) { say("Type a number first.", true); return; }
        send(s.step, v, null);
      };
      form.appendChild(inp); form.appendChild(unit); form.appendChild(b);
    }
  }
  function poll() {
    fetch("/lesson/state", {credentials: "same-origin", cache: "no-store"})
      .then(function (r) { return r.json(); })
      .then(function (s) {
        var key = s.lesson + "/" + s.step + "/" + s.revealed;
        if (key !== shown) { shown = key; draw(s); }
      }).catch(function () {})
      .then(function () { setTimeout(poll, 2000); });
  }
  poll();
})();
</script></body></html>
"""
