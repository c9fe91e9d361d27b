"""Callback endpoint fuzzing: malformed and adversarial requests get a clean answer.

``POST /_dash-update-component`` and the upload path (the loader callback) are fed wrong
types, huge numbers and arrays, missing fields, deep nesting, oversized bodies, invalid JSON
and wrong content types, through the Flask test client of ``dashboard.app.server`` and once
through a real server. A clean answer is a 4xx with a short message, or a 200 whose message
says what was refused (the error banner or the message beside a control); never a 500, never a
traceback; and the server answers a normal request afterwards. Valid requests are built from
the app's own dependency list (``benchmarks/load.py`` / ``bench_dashboard``), so the tests
follow the dashboard as it changes.
"""
from __future__ import annotations

import base64
import builtins
import json
import os
import pickle
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

import load as L  # noqa: E402

import dashboard.app as A  # noqa: E402
from dashboard import state as S  # noqa: E402
from sim.session import MAX_DOCUMENT_BYTES  # noqa: E402

UPDATE = "/_dash-update-component"


@pytest.fixture(scope="module")
def client():
    return A.server.test_client()


@pytest.fixture(scope="module")
def model(client):
    return L.AppModel(client.get("/_dash-layout").get_json(),
                      client.get("/_dash-dependencies").get_json())


def _slider_body(model, amplitude: float = 5.3) -> dict:
    p = S.FORM_PARAMS["amplitude_mA"]
    cid = {"name": "amplitude_mA", "type": "slider"}
    return model.request(model.dep(output="fig-keys"),
                         {(L.key(cid), "value"): S.to_slider(p, amplitude)},
                         L.changed_id(cid, "value"))


def _assert_clean(r, allowed=(200, 204, 400, 404, 405, 413, 415)) -> None:
    body = r.get_data(as_text=True)
    assert r.status_code in allowed, (r.status_code, body[:300])
    assert r.status_code != 500 and "Traceback" not in body and 'File "' not in body
    if r.status_code >= 400:
        assert len(body) < 1000, body[:300]


def _assert_still_serving(client, model) -> None:
    r = client.post(UPDATE, json=_slider_body(model, 6.1))
    assert r.status_code == 200, r.get_data(as_text=True)[:300]
    answer = r.get_json()["response"]
    assert answer["store-session"]["data"]["program"]["amplitude_mA"] == 6.1
    assert client.get("/").status_code == 200


# --------------------------------------------------------------------------------------------
# Malformed requests
# --------------------------------------------------------------------------------------------
def _malformed(model) -> dict[str, tuple[bytes, str]]:
    good = _slider_body(model)
    single = model.request(model.dep(input_id="btn-json"), {}, "btn-json.n_clicks")

    def variant(change) -> bytes:
        body = json.loads(json.dumps(good))
        change(body)
        return json.dumps(body).encode()

    def set_(**kw):
        return lambda b: b.update(kw)

    def drop(key):
        return lambda b: b.pop(key)

    app_json = "application/json"
    big = max(A.server.config["MAX_CONTENT_LENGTH"], 2 ** 20) + 1
    return {
        "invalid JSON": (b"{not json", app_json),
        "truncated JSON": (json.dumps(good).encode()[:500], app_json),
        "empty body": (b"", app_json),
        "null": (b"null", app_json),
        "a list": (b"[1, 2, 3]", app_json),
        "a string": (b'"update"', app_json),
        "empty object": (b"{}", app_json),
        "no output": (variant(drop("output")), app_json),
        "unknown output": (variant(set_(output="nope.data")), app_json),
        "output is a number": (variant(set_(output=12)), app_json),
        "no inputs": (variant(drop("inputs")), app_json),
        "inputs too short": (variant(lambda b: b["inputs"].pop()), app_json),
        "inputs not a list": (variant(set_(inputs={"a": 1})), app_json),
        "an input of another component": (variant(lambda b: b["inputs"].__setitem__(
            -1, {"id": "nope", "property": "value", "value": 1})), app_json),
        "pattern input not a list": (variant(lambda b: b["inputs"].__setitem__(
            0, b["inputs"][0][0])), app_json),
        "state missing": (variant(drop("state")), app_json),
        "outputs missing": (variant(drop("outputs")), app_json),
        "outputs too short": (variant(lambda b: b["outputs"].pop()), app_json),
        "single output sent as a list": (json.dumps(
            {**single, "outputs": [single["outputs"]]}).encode(), app_json),
        "changedPropIds not an input": (variant(set_(changedPropIds=["btn-pin.n_clicks"])),
                                        app_json),
        "changedPropIds not text": (variant(set_(changedPropIds=[{"a": 1}])), app_json),
        "changedPropIds a broken id": (variant(set_(changedPropIds=['{"name":.value'])),
                                       app_json),
        "a value nested 100 deep": (variant(lambda b: b["inputs"][0][0].__setitem__(
            "value", json.loads("[" * 100 + "]" * 100))), app_json),
        "nested 100000 deep": (b"[" * 100_000 + b"]" * 100_000, app_json),
        "a number of 5000 digits": (json.dumps(good).replace(
            '"value": ', '"value": 1' + "0" * 5000 + ', "x": ', 1).encode(), app_json),
        "a body over MAX_CONTENT_LENGTH": (b'{"output": "' + b"x" * big + b'"}', app_json),
        "text/plain": (json.dumps(good).encode(), "text/plain"),
        "form-encoded": (b"output=fig-keys.data", "application/x-www-form-urlencoded"),
        "no content type": (json.dumps(good).encode(), ""),
        "invalid UTF-8": (b'{"output": "\xff\xfe"}', app_json),
    }


def test_every_malformed_request_is_refused_cleanly(client, model):
    for name, (data, ctype) in _malformed(model).items():
        kw = {"content_type": ctype} if ctype else {}
        r = client.post(UPDATE, data=data, **kw)
        assert r.status_code in (400, 413, 415), (name, r.status_code)
        _assert_clean(r, allowed=(400, 413, 415))
        if r.status_code in (400, 415):
            assert r.get_json()["error"], name  # a short JSON message
    _assert_still_serving(client, model)


def test_other_methods_and_paths_are_refused_cleanly(client, model):
    for r in (client.get(UPDATE), client.put(UPDATE, json={}), client.delete(UPDATE),
              client.get("/_dash-component-suites/dash/../../../../etc/passwd"),
              client.get("/_dash-component-suites/nope/x.js"),
              client.get("/assets/../../sim/params.py"), client.get("/%00")):
        _assert_clean(r, allowed=(404, 405))
    _assert_still_serving(client, model)


# --------------------------------------------------------------------------------------------
# Adversarial values in well-formed requests (every server callback, every slot)
# --------------------------------------------------------------------------------------------
JUNK = st.one_of(
    st.none(), st.booleans(), st.text(max_size=30), st.just("x" * 100_000),
    st.integers(), st.integers(min_value=10 ** 300, max_value=10 ** 400),
    st.floats(allow_nan=True, allow_infinity=True), st.just(1e308), st.just(-1e308),
    st.lists(st.integers(), max_size=5), st.just(list(range(20_000))),
    st.dictionaries(st.text(max_size=8), st.integers(), max_size=3),
    st.builds(lambda n: json.loads("[" * n + "]" * n), st.sampled_from([5, 40, 63])),
    st.just({"schema_version": 1, "program": {"amplitude_mA": "abc"}}),
    st.just({"schema_version": 99}), st.just({"lecture": "yes", "extra": [1]}),
)


def _slots(body: dict) -> list[tuple[str, int, int | None]]:
    out = []
    for key in ("inputs", "state"):
        for i, item in enumerate(body.get(key) or []):
            if isinstance(item, list):
                out += [(key, i, j) for j in range(min(len(item), 4))]
            else:
                out.append((key, i, None))
    return out


@settings(max_examples=120, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                 HealthCheck.data_too_large])
@given(data=st.data())
def test_adversarial_values_in_any_slot_of_any_callback(client, model, data):
    dep = data.draw(st.sampled_from(model.deps), label="callback")
    changed = data.draw(st.sampled_from([i for i in dep["inputs"]
                                         if not i["id"].startswith("{")] or dep["inputs"]),
                        label="trigger")
    body = model.request(dep, {}, f"{changed['id']}.{changed['property']}")
    for _ in range(data.draw(st.integers(1, 3), label="slots")):
        slots = _slots(body)
        if not slots:
            break
        key, i, j = data.draw(st.sampled_from(slots), label="slot")
        target = body[key][i] if j is None else body[key][i][j]
        target["value"] = data.draw(JUNK, label="value")
    try:
        text = json.dumps(body)
    except (ValueError, RecursionError):
        return
    r = client.post(UPDATE, data=text, content_type="application/json")
    _assert_clean(r, allowed=(200, 204, 400, 413))
    if r.status_code == 200:
        assert "Traceback" not in r.get_data(as_text=True)


def test_the_server_still_serves_after_the_fuzzing(client, model):
    _assert_still_serving(client, model)


def test_a_wrong_value_for_a_control_is_refused_or_explained(client, model):
    """Values a control could send but that are invalid (a typed-in text) are explained in
    the answer; values no control can send (text for a slider, an infinite n_clicks) are a
    400 before any callback runs."""
    body = _slider_body(model)
    body["inputs"][0][0]["value"] = "abc"
    r = client.post(UPDATE, json=body)
    assert r.status_code == 400 and "cannot hold that value" in r.get_json()["error"]
    upload = model.dep(input_id="upload")
    r = client.post(UPDATE, json=model.request(upload, {(L.key("upload"), "contents"): 12},
                                               "upload.contents"))
    assert r.status_code == 400


# --------------------------------------------------------------------------------------------
# Uploads: size limit, schema validation, no code execution, no server-side paths
# --------------------------------------------------------------------------------------------
def _upload(model, contents, filename="session.json") -> dict:
    return model.request(model.dep(input_id="upload"),
                         {(L.key("upload"), "contents"): contents,
                          (L.key("upload"), "filename"): filename}, "upload.contents")


def _data_url(raw: bytes, mime: str = "application/json") -> str:
    return f"data:{mime};base64," + base64.b64encode(raw).decode()


def _message(answer: dict) -> str:
    return json.dumps(answer["response"].get("global-msg", {}), ensure_ascii=False)


@pytest.fixture
def marker(tmp_path):
    """A file that a document executing code would create."""
    return tmp_path / "pwned"


def _hostile_uploads(marker: Path) -> dict[str, tuple[str, str]]:
    class Evil:
        def __reduce__(self):
            return (os.system, (f"touch {marker}",))

    yaml = f'!!python/object/apply:os.system ["touch {marker}"]\n'.encode()
    return {
        "a pickle": (_data_url(pickle.dumps(Evil()), "application/octet-stream"),
                     "not valid JSON"),
        "a YAML python tag": (_data_url(yaml, "application/x-yaml"), "not valid JSON"),
        "__class__ in JSON": (_data_url(json.dumps(
            {"__class__": "os.system", "program": {"therapy": "scs"}}).encode()),
            "__class__: unknown key"),
        "__import__ as a value": (_data_url(json.dumps(
            {"program": {"therapy": f"__import__('os').system('touch {marker}')"}}).encode()),
            "(key “therapy” in the file)"),
        "eval-looking number": (_data_url(b'{"duration_s": "__import__(\'os\')"}'),
                                "(key “duration_s” in the file)"),
        "a huge file": (_data_url(b"{" + b" " * (MAX_DOCUMENT_BYTES + 10) + b"}"),
                        "bytes are accepted"),
        "binary garbage": (_data_url(os.urandom(2000)), "Could not import"),
        "not a data URL": ("/etc/passwd", "Could not import"),
        "bad base64": ("data:application/json;base64,@@@@", "bad upload encoding"),
        "wrong schema": (_data_url(b'{"schema_version": 7}'), "schema_version=7"),
        "deeply nested": (_data_url(b'{"program": ' + b"[" * 50_000 + b"]" * 50_000 + b"}"),
                          "Could not import"),
    }


def test_hostile_uploads_are_refused_with_a_clear_message_and_nothing_runs(client, model,
                                                                           marker):
    for name, (contents, expect) in _hostile_uploads(marker).items():
        r = client.post(UPDATE, json=_upload(model, contents, "evil.json"))
        _assert_clean(r, allowed=(200,))
        answer = r.get_json()
        message = _message(answer)
        assert "Could not import evil.json" in message and "Nothing was changed" in message, \
            (name, message)
        assert expect in message, (name, message)
        assert "store-session" not in answer["response"], name  # the session is unchanged
    assert not marker.exists()
    _assert_still_serving(client, model)


def test_an_upload_over_the_request_limit_is_refused_before_it_is_read(client, model):
    huge = _data_url(b"{" + b" " * A.server.config["MAX_CONTENT_LENGTH"] + b"}")
    r = client.post(UPDATE, json=_upload(model, huge))
    _assert_clean(r, allowed=(413,))
    _assert_still_serving(client, model)


def test_upload_file_names_and_url_paths_never_open_server_files(client, model, monkeypatch):
    opened: list[str] = []
    real_open, real_os_open = builtins.open, os.open

    def spy_open(file, *a, **kw):
        opened.append(str(file))
        return real_open(file, *a, **kw)

    def spy_os_open(path, *a, **kw):
        opened.append(str(path))
        return real_os_open(path, *a, **kw)

    monkeypatch.setattr(builtins, "open", spy_open)
    monkeypatch.setattr(os, "open", spy_os_open)
    good = S.default_session().replace(duration_s=300)
    for name in ("../../etc/passwd", "/etc/passwd", "..\\..\\windows\\win.ini",
                 "session.json\x00.png"):
        r = client.post(UPDATE, json=_upload(model, _data_url(good.to_json().encode()), name))
        assert r.status_code == 200
        answer = r.get_json()["response"]
        assert answer["store-session"]["data"]["duration_s"] == 300  # its contents, not a file
        assert "root:" not in json.dumps(answer)
    for query in ("?path=/etc/passwd", "?s=../../etc/passwd", "?config=/etc/passwd",
                  "?program=../../etc/passwd"):
        r = client.post(UPDATE, json=model.request(
            model.dep(input_id="url"), {(L.key("url"), "search"): query}, "url.search"))
        assert r.status_code in (200, 204) and "root:" not in r.get_data(as_text=True)
        page = client.get("/" + query)
        assert page.status_code == 200 and "root:" not in page.get_data(as_text=True)
    assert not [f for f in opened if "passwd" in f or "win.ini" in f], opened


# --------------------------------------------------------------------------------------------
# Weaknesses of the callbacks themselves (dashboard/callbacks.py, dashboard/layout.py), shown
# with the app's guard for stores switched off; the guard keeps the server clean meanwhile.
# --------------------------------------------------------------------------------------------
def _without_store_guard(monkeypatch) -> None:
    monkeypatch.delitem(A.PROP_CHECKS, ("Store", "data"))


def test_callbacks_survive_a_tampered_view_store(client, model, monkeypatch):
    _without_store_guard(monkeypatch)
    body = model.request(model.dep(input_id="btn-pin"),
                         {(L.key("btn-pin"), "n_clicks"): 1,
                          (L.key("store-view"), "data"): "x"}, "btn-pin.n_clicks")
    assert client.post(UPDATE, json=body).status_code != 500


def test_callbacks_survive_tampered_figure_keys(client, model, monkeypatch):
    _without_store_guard(monkeypatch)
    body = model.request(model.dep(output="fig-keys"),
                         {(L.key("fig-keys"), "data"): "x"}, "store-session.data")
    assert client.post(UPDATE, json=body).status_code != 500


def test_callbacks_survive_a_tampered_commit_store(client, model, monkeypatch):
    _without_store_guard(monkeypatch)
    body = model.request(model.dep(output="fig-keys"),
                         {(L.key("form-commit"), "data"): "x"}, "form-commit.data")
    assert client.post(UPDATE, json=body).status_code != 500


def test_callbacks_survive_a_crafted_row_id(client, model):
    body = _slider_body(model)
    dep = model.dep(output="fig-keys")
    i = next(n for n, d in enumerate(dep["inputs"]) if '"ev-del"' in d["id"])
    cid = {"row": "x", "type": "ev-del"}
    body["inputs"][i] = body["inputs"][i] + [{"id": cid, "property": "n_clicks", "value": 1}]
    body["changedPropIds"] = [L.changed_id(cid, "n_clicks")]
    assert client.post(UPDATE, json=body).status_code != 500


def test_callbacks_survive_an_incomplete_treatment_row(client, model):
    body = _slider_body(model)
    dep = model.dep(output="fig-keys")
    i = next(n for n, d in enumerate(dep["inputs"]) if '"tr"' in d["id"])
    cid = {"col": "kind", "row": 0, "type": "tr"}
    body["inputs"][i] = [{"id": cid, "property": "value", "value": "gabapentin"}]
    body["changedPropIds"] = [L.changed_id(cid, "value")]
    assert client.post(UPDATE, json=body).status_code != 500


# --------------------------------------------------------------------------------------------
# One real server
# --------------------------------------------------------------------------------------------
def test_a_real_server_refuses_bad_requests_and_keeps_serving(model):
    import requests

    port = L.free_port()
    proc, _ = L.start_server(port, 1)
    url = L.base_url("127.0.0.1", port)
    try:
        cases = _malformed(model)
        for name in ("invalid JSON", "empty object", "nested 100000 deep", "text/plain",
                     "a body over MAX_CONTENT_LENGTH", "unknown output"):
            data, ctype = cases[name]
            try:
                r = requests.post(url + UPDATE, data=data, timeout=30,
                                  headers={"Content-Type": ctype} if ctype else {})
            except requests.ConnectionError:  # the server may close an oversized upload
                assert name == "a body over MAX_CONTENT_LENGTH"
                continue
            assert r.status_code in (400, 413, 415), (name, r.status_code)
            assert "Traceback" not in r.text and len(r.text) < 1000
        r = requests.post(url + UPDATE, json=_slider_body(model, 6.1), timeout=30)
        assert r.status_code == 200
        assert r.json()["response"]["store-session"]["data"]["program"]["amplitude_mA"] == 6.1
    finally:
        log = L.stop_server(proc)
    assert "Traceback" not in log, log
