"""A lecture's answers: stored once per student and step in one SQLite file (WAL) that every
server worker shares; only the presenter's token moves the lecture; nothing acknowledged is
lost when a worker is killed mid-question; the answers export as a plain CSV table."""
from __future__ import annotations

import csv
import io
import os
import signal
import sqlite3
import sys
import threading
import time
from pathlib import Path

import pytest

from dashboard.answers import CSV_COLUMNS, AnswerStore, histogram, student_id
from dashboard.lesson import JOIN_PATH, Lecture, register
from sim.lesson import load_lesson

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

LESSON = "01-gate-control-and-rate"  # step 2 (index 1): a number question, step 3: choices


def test_the_store_is_wal_and_counts_each_student_once_per_step(tmp_path):
    store = AnswerStore(tmp_path / "l.sqlite", LESSON)
    assert store.journal_mode() == "wal"
    assert store.record(LESSON, 1, "a", 10.0)
    assert store.record(LESSON, 1, "a", 20.0)  # a retry or a change of mind replaces it
    assert store.record(LESSON, 1, "b", 30.0)
    assert store.record(LESSON, 2, "a", 1.0)
    assert sorted(store.values(LESSON, 1)) == [20.0, 30.0]
    # a second connection (another worker) sees the same rows and the same state
    other = AnswerStore(tmp_path / "l.sqlite")
    assert other.count(LESSON, 1) == 2 and other.state().lesson == LESSON
    with sqlite3.connect(tmp_path / "l.sqlite") as con, pytest.raises(sqlite3.IntegrityError):
        con.execute("INSERT INTO answers VALUES (?, 1, 'a', 5, 0)", (LESSON,))


def test_answers_are_refused_once_the_step_is_revealed_or_left(tmp_path):
    store = AnswerStore(tmp_path / "l.sqlite", LESSON)
    store.set_state(LESSON, 1, False)
    assert store.record(LESSON, 1, "a", 5.0, open_step=(LESSON, 1))
    store.set_state(LESSON, 1, True)
    assert not store.record(LESSON, 1, "b", 5.0, open_step=(LESSON, 1))
    store.set_state(LESSON, 2, False)
    assert not store.record(LESSON, 1, "c", 5.0, open_step=(LESSON, 1))
    assert store.values(LESSON, 1) == [5.0]


def test_histogram_bins_by_hand():
    lesson = load_lesson(LESSON)
    # number question on -50..100 %: 10 bins of 15 %; 0 -> bin 3 (-5..10), 100 -> last bin
    h = histogram(lesson, 1, [0.0, 9.9, 10.0, 100.0, -50.0])
    assert h["counts"] == [1, 0, 0, 2, 1, 0, 0, 0, 0, 1] and h["total"] == 5
    h = histogram(lesson, 2, [0.0, 3.0, 3.0])
    assert h["counts"] == [1, 0, 0, 2] and h["labels"][3] == "200 Hz"


@pytest.fixture
def client(tmp_path):
    from dashboard.app import create_app

    app = create_app()
    store = AnswerStore(tmp_path / "lecture.sqlite", LESSON)
    lecture = register(app, Lecture(LESSON, store, "secret-token", "http://10.0.0.5:8050/j"))
    app.server.testing = True
    yield app.server, lecture


def _student(server):
    c = server.test_client()
    assert c.get(JOIN_PATH).status_code == 200
    return c


def test_students_answer_and_only_the_token_moves_the_lecture(client):
    server, lecture = client
    presenter = server.test_client()
    assert presenter.post("/lesson/control", json={"action": "go", "step": 1}).status_code \
        == 403
    assert presenter.get("/lesson/present?token=wrong").status_code == 403
    r = presenter.get("/lesson/present?token=secret-token")
    assert r.status_code == 302 and "lecture=1" in r.headers["Location"]
    assert presenter.post("/lesson/control", json={"action": "go", "step": 1}).json["step"] == 1

    students = [_student(server) for _ in range(5)]
    for i, s in enumerate(students):
        assert s.get("/lesson/state").json["question"]["unit"] == "%"
        assert s.post("/lesson/answer", json={"step": 1, "value": 10 * i}).status_code == 200
    # a retry counts once; a wrong step, a bad value, no cookie are refused
    assert students[0].post("/lesson/answer", json={"step": 1, "value": 0}).status_code == 200
    assert students[1].post("/lesson/answer", json={"step": 2, "value": 0}).status_code == 409
    assert students[1].post("/lesson/answer", json={"step": 1, "value": 500}).status_code \
        == 400
    assert server.test_client().post("/lesson/answer",
                                     json={"step": 1, "value": 1}).status_code == 400
    # students cannot drive the lecture nor see the histogram before the reveal
    assert students[0].post("/lesson/control", json={"action": "reveal"}).status_code == 403
    assert students[0].get("/lesson/results").status_code == 403
    res = presenter.get("/lesson/results").json
    assert res["total"] == 5 and sum(res["counts"]) == 5

    assert presenter.post("/lesson/control", json={"action": "reveal"}).json["revealed"]
    state = students[2].get("/lesson/state").json
    want = lecture.lesson(LESSON).answer(1).value
    assert state["answer"]["value"] == pytest.approx(want)
    assert students[2].post("/lesson/answer", json={"step": 1, "value": 1}).status_code == 409
    assert presenter.get("/lesson/results").json["answer_bin"] == int((want + 50) // 15)

    text = presenter.get("/lesson/answers.csv").get_data(as_text=True)
    rows = list(csv.DictReader(io.StringIO(text)))
    assert tuple(rows[0]) == CSV_COLUMNS and len(rows) == 5
    assert {r["step"] for r in rows} == {"2"} and {r["unit"] for r in rows} == {"%"}
    assert sorted(float(r["answer"]) for r in rows) == [0.0, 10.0, 20.0, 30.0, 40.0]

    svg = server.test_client().get("/lesson/qr.svg").get_data(as_text=True)
    assert "<svg" in svg and 'xmlns="http://www.w3.org/2000/svg"' in svg and "path" in svg


def test_the_csv_follows_the_export_conventions(tmp_path):
    store = AnswerStore(tmp_path / "l.sqlite", LESSON)
    store.record(LESSON, 2, student_id("x"), 1.0)
    out = tmp_path / "answers.csv"
    text = store.to_csv(lambda *_: ("=HYPERLINK(1)", ""), path=out)
    row = text.splitlines()[1].split(",")
    assert row[1] == "3" and row[3] == "1.0" and row[4] == "'=HYPERLINK(1)"
    assert (tmp_path / "answers.csv.json").is_file()


def test_killing_a_worker_mid_question_loses_no_answer(tmp_path):
    import load as L
    import requests
    from processes import children, wait_dead

    db = tmp_path / "lecture.sqlite"
    port = L.free_port()
    proc, _ = L.start_command([sys.executable, "-m", "sim.cli", "dashboard", "--port",
                               str(port), "--workers", "2", "--lesson", LESSON, "--answers",
                               str(db)], port, workers=2)
    try:
        token = L._output(proc).split("token=")[1].split()[0]
        base = f"http://127.0.0.1:{port}"
        r = requests.post(f"{base}/lesson/control", json={"action": "go", "step": 1},
                          headers={"X-Presenter-Token": token}, timeout=10)
        assert r.status_code == 200
        n = 60
        acked: dict[int, float] = {}
        lock = threading.Lock()

        def student(i: int) -> None:
            s = requests.Session()
            for _attempt in range(40):  # a phone retries until its answer is acknowledged
                try:
                    if "nm_student" not in s.cookies:
                        s.get(base + JOIN_PATH, timeout=5)
                    r = s.post(base + "/lesson/answer", json={"step": 1, "value": i % 90},
                               timeout=5)
                    if r.status_code == 200:
                        with lock:
                            acked[i] = float(r.json()["value"])
                        return
                except requests.RequestException:
                    pass
                time.sleep(0.1)

        threads = [threading.Thread(target=student, args=(i,)) for i in range(n)]
        victim = children(proc.pid)[0]
        for i, t in enumerate(threads):
            t.start()
            if i == n // 2:
                os.kill(victim, signal.SIGKILL)  # a worker dies mid-question
            time.sleep(0.01)
        for t in threads:
            t.join(60)
        assert wait_dead([victim], 5) == []
        assert len(acked) == n
        con = sqlite3.connect(db)
        got = sorted(v for (v,) in con.execute(
            "SELECT value FROM answers WHERE lesson = ? AND step = 1", (LESSON,)))
        assert got == sorted(acked.values())  # each student exactly once, none lost
        assert len(children(proc.pid)) == 2  # gunicorn replaced the worker
    finally:
        log = L.stop_server(proc)
    assert "Traceback" not in log, log


def test_the_command_refuses_a_bad_lesson_naming_the_step(tmp_path):
    import json
    import subprocess

    from sim.lesson import LESSON_DIR

    doc = json.loads((LESSON_DIR / f"{LESSON}.json").read_text())
    doc["steps"][2]["views"] = ["session", "hologram"]
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(doc))
    r = subprocess.run([sys.executable, "-m", "sim.cli", "dashboard", "--lesson", str(bad)],
                       cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert r.returncode == 2
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and "step 3, views" in lines[0] and "hologram" in lines[0]
    assert "Traceback" not in r.stderr


def test_the_handout_is_one_offline_file_with_the_class_answers(tmp_path):
    import json
    import re
    import subprocess

    from dashboard.handout import handout_html, main

    store = AnswerStore(tmp_path / "l.sqlite", LESSON)
    for i, v in enumerate((0, 1, 3, 3, 3)):
        store.record(LESSON, 2, f"s{i}", float(v))
    lesson = load_lesson(LESSON)
    page = handout_html(lesson, store)
    assert all(s.caption in page or s.caption.replace("'", "&#x27;") in page
               for s in lesson.steps)
    assert not re.search(r"<(script|link)[^>]+(src|href)=", page)  # nothing loaded from elsewhere
    from dashboard.notebook import plotlyjs_script
    assert page.count(plotlyjs_script()) == 1  # plotly.js inlined, once
    bars = re.search(r'"answers-3".*?"y":\[([^\]]*)\]', page, re.S)
    assert bars is not None and [int(x) for x in bars.group(1).split(",")] == [1, 1, 0, 3]
    out = tmp_path / "h.html"
    assert main([LESSON, "--answers", str(tmp_path / "l.sqlite"), "-o", str(out)]) == 0
    assert out.read_text().startswith("<!DOCTYPE html>")
    # built without Dash (a student's or a script's machine needs only plotly)
    code = ("import sys, dashboard.handout; "
            "print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in "
            "('dash', 'flask'))))")
    r = subprocess.run([sys.executable, "-c", "import json; " + code], cwd=ROOT,
                       capture_output=True, text=True, timeout=60)
    assert json.loads(r.stdout) == []


def test_a_reused_lecture_file_resumes_its_lesson_and_the_picker_switches(tmp_path, client):
    db = tmp_path / "again.sqlite"
    store = AnswerStore(db, LESSON)
    store.set_state(LESSON, 2, True)
    assert Lecture(LESSON, store, "t", "").current()[1:3] == (2, True)  # same lesson: resumed
    other = "02-fibres-and-pulse-width"
    lecture = Lecture(other, AnswerStore(db), "t", "")
    assert lecture.current()[0].name == other and lecture.current()[1] == 0

    server, _ = client
    presenter = server.test_client()
    presenter.get("/lesson/present?token=secret-token")
    names = [x["name"] for x in presenter.get("/lesson/state").json["lessons"]]
    assert len(names) == 6 and other in names
    assert presenter.post("/lesson/control",
                          json={"action": "lesson", "name": other}).json["lesson"] == other
    assert server.test_client().get("/lesson/state").json["title"] == \
        load_lesson(other).title
    assert presenter.post("/lesson/control",
                          json={"action": "lesson", "name": "../etc"}).status_code == 400


def test_answers_without_a_lesson_is_one_line():
    import subprocess

    r = subprocess.run([sys.executable, "-m", "sim.cli", "dashboard", "--answers", "x.sqlite"],
                       cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert r.returncode == 2 and r.stderr.strip() == "error: --answers needs --lesson"
