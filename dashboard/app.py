"""Build the Dash app: ``app`` (the :class:`dash.Dash` instance) and ``server`` (WSGI).

Run it with ``neuromod dashboard`` (see :mod:`dashboard.cli`), or under any WSGI server:
``gunicorn -w 2 -b 127.0.0.1:8050 dashboard.app:server``.

Every asset (React, Dash renderer, components, plotly.js, the local CSS/JS in ``assets/``)
is served by the app itself: it works with no internet access. Debug mode is never on.

Hardening for a lecture hall, in :func:`harden`: request bodies larger than
``MAX_CONTENT_LENGTH`` are refused (413) before they are read; a callback request
(``POST /_dash-update-component``) that is not JSON, nests deeper than
:data:`MAX_REQUEST_DEPTH` or does not match the callback it names is refused with a short 400
before Dash parses it; paths the page does not use (``/assets/``,
``/_dash-component-suites/``, any other path than ``/``) are 404, never an index; an
unexpected error is logged on the server with its traceback and answered with a short 500
that holds none.

Request budgets, checked before any simulation or rendering (:func:`budget_problem`): a
callback request may carry no more entries for a wildcard dependency than a page can hold
(:data:`ROW_LIMITS` rows of events and treatments; as many sliders, fields... as the layout
has), and no text longer than a control could hold (:data:`MAX_FIELD_CHARS`). An
over-budget request is answered at once with a short 413 that says what was over.
"""
from __future__ import annotations

import functools
import json
import logging
import math
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import dash

from dashboard import callbacks, diagnosis, layout, lesson, state as S
from dashboard.fairshare import CLIENT_SHARE_ENV, ClientShare
from sim.params import MAX_CUSTOM_SAMPLES
from sim.session import MAX_DOCUMENT_BYTES, MAX_EVENTS, MAX_TREATMENTS

__all__ = ["create_app", "prepare_scripts", "app", "server", "initial_view", "harden",
           "callback_request_problem", "component_index", "value_problem", "PROP_CHECKS",
           "MAX_REQUEST_DEPTH", "ROW_LIMITS", "MAX_FIELD_CHARS", "list_budgets",
           "budget_problem"]

ASSETS = Path(__file__).resolve().parent / "assets"


def initial_view(session=None) -> dict:
    """Pre-rendered figures, summary, warnings and skip keys for ``session`` (the start-up
    session by default): the first page shows results without waiting for a callback."""
    session = session or S.default_session()
    out = callbacks.figures_update(session.to_dict(), {}, {"lecture": False})
    return dict(
        figures={k: out[k] for k in ("fig-wave", "fig-safety", "fig-session", "fig-fibres",
                                     "fig-gate", "fig-rate")},
        summary=out["summary"], warnings=out["warnings"],
        stores={"fig-keys": out["fig-keys"], "form-state": callbacks.form_state(session)},
    )


def create_app() -> dash.Dash:
    """A new, fully wired dashboard app (same page for every visitor; no server-side state)."""
    app = dash.Dash(
        __name__, title="neuromod-sim dashboard", assets_folder=str(ASSETS),
        update_title=None,  # type: ignore[arg-type]  # None: no "Updating..." title (Dash docs)
        serve_locally=True, compress=False,
    )
    session = S.default_session()
    app.layout = layout.build_layout(session, **initial_view(session))
    callbacks.register(app)
    diagnosis.register(app)
    lesson.register(app)  # a lecture's routes, when `neuromod dashboard --lesson` runs one
    harden(app, share=None if os.environ.get(CLIENT_SHARE_ENV) == "off" else ClientShare())
    return app


def prepare_scripts(app: dash.Dash) -> None:
    """Let Dash prepare the page's script addresses now, before the server serves anyone.

    Dash does this on a process's first request (``Dash._setup_server``, run before every
    request until it has run once) and serves a script only once it is prepared. Its flag is
    set before the work, so a script asked for by another of waitress's threads meanwhile
    was refused with 404; and with ``--workers N`` every worker began unprepared, so the
    page's scripts asked of a worker that had not yet served the page were refused too.
    Either way the visitor's page stayed blank. One request for the page here, in the
    process gunicorn preloads before it forks its workers, prepares every worker at once
    (Dash's own route, no private call). Call it once the app is complete: Flask accepts no
    new route or hook after its first request.
    """
    with app.server.test_client() as client:
        page = client.get("/")
    if page.status_code != 200:  # pragma: no cover - the layout itself is broken
        raise RuntimeError(f"the dashboard's page failed to build ({page.status_code})")


#: Deepest JSON nesting accepted in a callback request. The dashboard's own requests nest
#: about 10 deep (a figure's layout inside a store); deeper is a crafted request.
MAX_REQUEST_DEPTH = 64
#: Largest request body [bytes]: uploads are session documents (base64 grows them by 4/3).
MAX_REQUEST_BYTES = 8 * MAX_DOCUMENT_BYTES

#: Rows a page can hold, by the ``type`` of their pattern ids, with the entries one row
#: sends (its cells, or its one delete button): the callbacks add and remove these rows.
ROW_LIMITS: dict[str, tuple[str, int, int]] = {
    "ev": ("event", MAX_EVENTS, len(S.EVENT_COLUMNS)),
    "ev-del": ("event", MAX_EVENTS, 1),
    "tr": ("treatment", MAX_TREATMENTS, len(S.TREATMENT_COLUMNS) + len(S.TREATMENT_OPTIONS)),
    "tr-del": ("treatment", MAX_TREATMENTS, 1),
}
#: Longest text a control sends [characters]: a custom pulse shape of
#: :data:`~sim.params.MAX_CUSTOM_SAMPLES` numbers, each written with up to 32 characters.
MAX_FIELD_CHARS = 32 * MAX_CUSTOM_SAMPLES
#: Longest URL query or address the location sends [characters]: two session tokens (current
#: and pinned) and the rest of the address.
MAX_LOCATION_CHARS = 2 * S.MAX_URL_TOKEN_CHARS + 2000

_log = logging.getLogger("neuromod.dashboard")
#: Seconds between two log lines about refused requests: a client sending bad requests non-stop
#: must not flood the lecturer's terminal (the lines in between are counted, not printed).
REFUSAL_LOG_INTERVAL_S = 10.0


class _RefusalLog:
    """Logs the first refused request, then at most one line per
    :data:`REFUSAL_LOG_INTERVAL_S` with the number refused meanwhile (thread-safe)."""

    def __init__(self) -> None:
        import threading

        self._lock = threading.Lock()
        self._next = 0.0
        self._held = 0

    def __call__(self, what: str, problem: str) -> None:
        import time

        now = time.monotonic()
        with self._lock:
            if now < self._next:
                self._held += 1
                return
            held, self._held = self._held, 0
            self._next = now + REFUSAL_LOG_INTERVAL_S
        more = f" ({held} more refused since the last line)" if held else ""
        _log.warning("refused %s: %s%s", what, problem[:300], more)


_refused = _RefusalLog()


def _json_error(message: str, status: int):
    import flask

    return flask.Response(json.dumps({"error": message}), status=status,
                          mimetype="application/json")


def _depth_exceeds(obj: Any, limit: int) -> bool:
    """Whether JSON value ``obj`` nests deeper than ``limit`` (iterative: no recursion)."""
    stack = [(obj, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > limit:
            return True
        children = node.values() if isinstance(node, dict) else \
            node if isinstance(node, list) else ()
        stack.extend((c, depth + 1) for c in children if isinstance(c, (dict, list)))
    return False


def _wildcard(value: Any) -> bool:
    return isinstance(value, list) and len(value) == 1 and value[0] in (
        "ALL", "MATCH", "ALLSMALLER")


@functools.lru_cache(maxsize=256)
def _pattern(dep_id: str) -> dict:
    """A declared pattern id (``'{"name":["ALL"],"type":"slider"}'``) as a dict (cached)."""
    return json.loads(dep_id)


def _prop(item: dict) -> Any:
    """An entry's property; outputs allowed to be duplicated carry ``@<hash>`` (the renderer
    sends ``data@3f1c...``): the property is the part before it."""
    prop = item.get("property")
    return prop.split("@", 1)[0] if isinstance(prop, str) else prop


def _item_problem(item: Any, dep_id: str, prop: str, where: str) -> str | None:
    """Why ``item`` (one entry of a request's inputs/state/outputs) does not fit the declared
    dependency ``dep_id.prop`` (``None`` when it fits)."""
    if dep_id.startswith("{"):
        pattern = _pattern(dep_id)
        many = any(_wildcard(v) and v[0] != "MATCH" for v in pattern.values())
        items = item if many else [item]
        if not isinstance(items, list):
            return f"{where} must be a list of components matching {dep_id}"
        for it in items:
            cid = it.get("id") if isinstance(it, dict) else None
            if (not isinstance(cid, dict) or set(cid) != set(pattern)
                    or _prop(it) != prop):
                return f"{where} does not match {dep_id}.{prop}"
            for k, v in pattern.items():
                got = cid[k]
                if _wildcard(v):
                    if isinstance(got, (dict, list)) or got is None:
                        return f"{where}: id {k} must be a string or a number"
                elif got != v:
                    return f"{where} does not match {dep_id}.{prop}"
        return None
    if not isinstance(item, dict) or item.get("id") != dep_id or _prop(item) != prop:
        return f"{where} must be {{'id': {dep_id!r}, 'property': {prop!r}}}"
    return None


def _number(v: Any) -> bool:
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        return False
    try:
        return math.isfinite(v)
    except OverflowError:  # an integer beyond the float range
        return False


def _scalar(v: Any) -> bool:
    return isinstance(v, str) or _number(v) or isinstance(v, bool)


def _text(v: Any) -> bool:
    return v is None or isinstance(v, str)


def _short(v: Any, limit: int = MAX_FIELD_CHARS) -> bool:
    """A text of at most ``limit`` characters, or anything that is not text."""
    return not isinstance(v, str) or len(v) <= limit


def _location(v: Any) -> bool:
    return _text(v) and _short(v, MAX_LOCATION_CHARS)


def _texts(v: Any) -> bool:
    return _text(v) or (isinstance(v, list) and all(isinstance(x, str) for x in v))


def _slider_value(v: Any, props: dict) -> bool:
    if v is None:
        return True
    lo, hi = props.get("min"), props.get("max")
    return _number(v) and (not _number(lo) or v >= lo) and (not _number(hi) or v <= hi)


def _store_data(v: Any, props: dict) -> bool:
    kind = props.get("data_kind")
    return v is None or kind is None or isinstance(v, kind)


#: What the browser can send for a component's property (crafted requests aside), by
#: component type: a check of the value and of the component's own props (slider range,
#: dropdown ``multi``). A store created with an object (or a text) keeps holding one (or
#: nothing); what is inside is the callbacks' business.
PROP_CHECKS: dict[tuple[str, str], Any] = {
    ("Store", "data"): _store_data,
    ("Slider", "value"): _slider_value,
    ("Slider", "drag_value"): _slider_value,
    ("Location", "search"): lambda v, c: _location(v),
    ("Location", "pathname"): lambda v, c: _location(v),
    ("Location", "hash"): lambda v, c: _location(v),
    ("Location", "href"): lambda v, c: _location(v),
    ("Dropdown", "value"): lambda v, c: v is None or (_scalar(v) and _short(v)) or (
        bool(c.get("multi")) and isinstance(v, list) and all(_scalar(x) and _short(x)
                                                              for x in v)),
    ("Tabs", "value"): lambda v, c: _text(v),
    ("Graph", "relayoutData"): lambda v, c: v is None or isinstance(v, dict),
    ("Graph", "clickData"): lambda v, c: v is None or isinstance(v, dict),
    ("Graph", "hoverData"): lambda v, c: v is None or isinstance(v, dict),
    ("Graph", "selectedData"): lambda v, c: v is None or isinstance(v, dict),
    ("Upload", "contents"): lambda v, c: _texts(v),
    ("Upload", "filename"): lambda v, c: _texts(v),
    ("Input", "value"): lambda v, c: v is None or (isinstance(v, str) and _short(v)) or
    _number(v),
    ("Checklist", "value"): lambda v, c: v is None or (isinstance(v, list)
                                                        and all(_scalar(x) and _short(x)
                                                                for x in v)),
    ("RadioItems", "value"): lambda v, c: v is None or (_scalar(v) and _short(v)),
    ("*", "n_clicks"): lambda v, c: v is None or (isinstance(v, int)
                                                  and not isinstance(v, bool) and v >= 0),
}


def component_index(layout: Any) -> tuple[dict, dict]:
    """Components of the layout by id (:func:`_id_key`), and by the ``type`` of their
    pattern id when every component of that pattern type is of one kind (so that rows added
    later by callbacks are known too, by kind): ``{key: (component type, props)}``."""
    by_id: dict[Any, tuple[str, dict]] = {}
    by_pattern: dict[str, tuple[str, dict] | None] = {}
    nodes = layout._traverse() if hasattr(layout, "_traverse") else ()
    for node in [layout, *nodes]:
        cid = getattr(node, "id", None)
        if cid is None or not hasattr(node, "to_plotly_json"):
            continue
        props = {k: getattr(node, k, None) for k in ("min", "max", "multi")}
        data = getattr(node, "data", None) if getattr(node, "_type", "") == "Store" else None
        props["data_kind"] = dict if isinstance(data, dict) else str if isinstance(
            data, str) else None
        entry = (getattr(node, "_type", ""), props)
        by_id[_id_key(cid)] = entry
        if isinstance(cid, dict) and "type" in cid:
            generic = (entry[0], {"multi": props["multi"], "data_kind": props["data_kind"]})
            seen = by_pattern.get(cid["type"], generic)
            by_pattern[cid["type"]] = generic if seen is not None and seen == generic \
                else None
    return by_id, {k: v for k, v in by_pattern.items() if v is not None}


def _id_key(cid: Any) -> Any:
    """A hashable key of a component id (a pattern id's items, sorted): cheaper than Dash's
    JSON ``stringify_id`` for the hundred entries of a request."""
    if isinstance(cid, dict):
        try:
            return tuple(sorted(cid.items()))
        except TypeError:  # unhashable or unorderable values: not a component of the layout
            return None
    return cid if isinstance(cid, str) else None


def value_problem(item: dict, index: tuple[dict, dict]) -> str | None:
    """Why ``item`` (``{"id", "property", "value"}``) holds a value its component can never
    send (``None`` when it could)."""
    from dash._utils import stringify_id

    cid, prop = item["id"], item["property"]
    entry = index[0].get(_id_key(cid))
    if entry is None and isinstance(cid, dict):  # a row added later: its kind only
        entry = index[1].get(cid.get("type"))
    if entry is None or "value" not in item:
        return None
    kind, props = entry
    check = PROP_CHECKS.get((kind, prop)) or PROP_CHECKS.get(("*", prop))
    if check is not None and not check(item["value"], props):
        return f"{stringify_id(cid)}.{prop} cannot hold that value ({kind})"
    return None


def list_budgets(layout: Any) -> dict[str, int]:
    """Most entries a request may carry for a wildcard dependency, by the ``type`` of its
    pattern id: :data:`ROW_LIMITS` for the rows the callbacks add, else the number of such
    components in the layout (every slider, field, message... exists from the start)."""
    counts: dict[str, int] = {}
    nodes = layout._traverse() if hasattr(layout, "_traverse") else ()
    for node in nodes:
        cid = getattr(node, "id", None)
        if isinstance(cid, dict) and isinstance(cid.get("type"), str):
            counts[cid["type"]] = counts.get(cid["type"], 0) + 1
    counts.update({kind: rows * per_row for kind, (_, rows, per_row) in ROW_LIMITS.items()})
    return counts


def budget_problem(body: Any, callback_map: dict, budgets: Mapping[str, int]) -> str | None:
    """Why ``body`` asks for more than any page could (``None`` when within budget): more
    entries for a wildcard dependency (input, state or output) than :func:`list_budgets`
    allows. Looks only at the lengths of the top-level lists, so it costs nothing however
    large they are."""
    from dash._utils import split_callback_id

    if not isinstance(body, dict) or not isinstance(body.get("output"), str):
        return None
    cb = callback_map.get(body["output"])
    if cb is None:
        return None
    specs = split_callback_id(body["output"])
    out_ids = [sp["id"].replace("\\.", ".") for sp in
               (specs if isinstance(specs, list) else [specs])]
    outputs = body.get("outputs")
    for key, ids in (("inputs", [d["id"] for d in cb.get("inputs", [])]),
                     ("state", [d["id"] for d in cb.get("state", [])]),
                     ("outputs", out_ids)):
        items = outputs if key == "outputs" and isinstance(specs, list) else body.get(key)
        if not isinstance(items, list):
            continue
        for i, (item, dep_id) in enumerate(zip(items, ids, strict=False)):
            if not (isinstance(item, list) and dep_id.startswith("{")):
                continue
            kind = _pattern(dep_id).get("type")
            limit = budgets.get(kind, 0) if isinstance(kind, str) else 0
            if len(item) <= limit:
                continue
            if kind in ROW_LIMITS:
                noun, rows, _ = ROW_LIMITS[kind]
                return (f"{key}[{i}] carries {len(item)} {noun} entries; a page holds at "
                        f"most {rows} {noun}s ({limit} entries)")
            return (f"{key}[{i}] carries {len(item)} entries for {str(kind)[:40]} "
                    f"components; the page has {limit}")
    return None


def callback_request_problem(body: Any, callback_map: dict,
                             index: tuple[dict, dict] | None = None) -> str | None:
    """Why ``body`` is not a well-formed request for one of the app's callbacks, or ``None``.

    Checks the shape Dash relies on (a JSON object naming a registered callback, with inputs,
    state and outputs matching that callback's declared dependencies, and changed properties
    among its inputs), so that a crafted request gets a 400 instead of an exception deep in
    Dash. With the layout's ``index`` (:func:`component_index`), each value must also be one
    its component can send (:data:`PROP_CHECKS`: a slider sends a number in its range, a
    location text...); what the values mean is the callbacks' business.
    """
    from dash._utils import split_callback_id

    if not isinstance(body, dict):
        return "the request must be a JSON object"
    output = body.get("output")
    if not isinstance(output, str) or output not in callback_map:
        return "the request names no callback of this dashboard"
    cb = callback_map[output]
    given: list[dict] = []  # every input entry, wildcards expanded
    for key in ("inputs", "state"):
        deps = cb.get(key, [])
        items = body.get(key, [])
        if not isinstance(items, list) or len(items) != len(deps):
            return f"{key} must be a list of {len(deps)} entries"
        for i, (item, dep) in enumerate(zip(items, deps, strict=True)):
            problem = _item_problem(item, dep["id"], dep["property"], f"{key}[{i}]")
            if problem:
                return problem
            for it in item if isinstance(item, list) else [item]:
                if key == "inputs":
                    given.append(it)
                problem = index and value_problem(it, index)
                if problem:
                    return problem
    specs = split_callback_id(output)
    outputs = body.get("outputs")
    if isinstance(specs, list):
        if not isinstance(outputs, list) or len(outputs) != len(specs):
            return f"outputs must be a list of {len(specs)} entries"
    else:
        specs, outputs = [specs], [outputs]
    for i, (item, spec) in enumerate(zip(outputs, specs, strict=True)):
        problem = _item_problem(item, spec["id"].replace("\\.", "."),
                                spec["property"].split("@")[0], f"outputs[{i}]")
        if problem:
            return problem
    changed = body.get("changedPropIds", [])
    if not isinstance(changed, list) or not all(_names_an_input(c, given) for c in changed):
        return "changedPropIds must name inputs of the callback"
    return None


def _names_an_input(changed: Any, given: list[dict]) -> bool:
    """Whether ``changed`` (``"id.prop"``, a pattern id as sorted JSON) is one of ``given``."""
    if not isinstance(changed, str) or "." not in changed:
        return False
    cid, prop = changed.rsplit(".", 1)
    if cid.startswith("{"):
        try:
            cid = json.loads(cid)
        except (ValueError, RecursionError):
            return False
    return any(it["id"] == cid and it["property"] == prop for it in given)


def harden(app: dash.Dash, share: ClientShare | None = None) -> None:
    """Refuse oversized, malformed or crafted requests cleanly; never show a traceback;
    with ``share``, meter each client's CPU for callbacks (:mod:`dashboard.fairshare`)."""
    import time

    import flask
    from dash.exceptions import DependencyException
    from werkzeug.exceptions import BadRequest, HTTPException, RequestEntityTooLarge

    server = app.server
    server.debug = False
    server.config.update(MAX_CONTENT_LENGTH=MAX_REQUEST_BYTES, PROPAGATE_EXCEPTIONS=False)
    update_path = app.config.routes_pathname_prefix + "_dash-update-component"
    home = app.config.routes_pathname_prefix
    index = component_index(app.layout)
    budgets = list_budgets(app.layout)

    @server.before_request
    def _guard():
        req = flask.request
        if req.path == update_path and req.method == "POST":
            held = _take_share(req)  # before the body is parsed: parsing is work too
            if held is not None:
                return held
            if not req.is_json:
                return _json_error("a callback request must be application/json", 415)
            try:
                body = req.get_json(cache=True)
            except RequestEntityTooLarge:
                raise
            except RecursionError:
                return _json_error("the request body nests too deeply", 400)
            except (BadRequest, ValueError):
                return _json_error("the request body is not valid JSON", 400)
            over = budget_problem(body, app.callback_map, budgets)
            if over:  # before any other work on it
                _refused("an over-budget callback request", over)
                return _json_error(f"request too large: {over}", 413)
            if _depth_exceeds(body, MAX_REQUEST_DEPTH):
                return _json_error(f"the request nests deeper than {MAX_REQUEST_DEPTH} "
                                   "levels", 400)
            problem = callback_request_problem(body, app.callback_map, index)
            if problem:
                _refused("a callback request", problem)
                return _json_error(f"malformed callback request: {problem}", 400)
            return None
        # Dash answers every unknown path with the page (for multi-page apps); this app has
        # one page, so anything else (a directory such as /assets/) is simply not there.
        rule = req.url_rule
        if rule is not None and rule.rule.endswith("<path:path>") and req.path != home:
            return flask.Response("Not found\n", status=404, mimetype="text/plain")
        return None

    server.extensions["neuromod_share"] = share

    def _take_share(req):
        """Hold back (or refuse) a client over its share of the CPU; start its meter."""
        share = server.extensions.get("neuromod_share")
        if share is None:
            return None
        client = req.remote_addr or "?"
        wait = share.admit(client)
        if wait is None:
            _refused("a callback request", f"{client} is over its share of the server")
            response = _json_error("too many requests from this address: the server is "
                                   "shared; try again in a few seconds", 429)
            response.headers["Retry-After"] = str(share.retry_after(client))
            return response
        if wait > 0.0:
            try:
                time.sleep(wait)
            finally:
                share.done_waiting(client)
        flask.g.neuromod_share = (client, time.thread_time())
        return None

    @server.teardown_request
    def _charge_share(_exc):
        meter = flask.g.pop("neuromod_share", None)
        share = server.extensions.get("neuromod_share")
        if meter is not None and share is not None:
            share.charge(meter[0], time.thread_time() - meter[1])

    @server.errorhandler(HTTPException)
    def _http_error(exc: HTTPException):
        response = exc.get_response()  # keeps Allow, Location... headers
        if exc.code is not None and exc.code >= 400:  # a short text body, no HTML page
            response.set_data(f"{exc.code} {exc.name}\n")
            response.mimetype = "text/plain"
        return response

    @server.errorhandler(DependencyException)
    def _bad_resource(_exc):  # a component-suite path that is not one of the app's files
        return flask.Response("Not found\n", status=404, mimetype="text/plain")

    @server.errorhandler(Exception)
    def _unexpected(exc: Exception):
        _log.exception("unexpected error on %s %s", flask.request.method, flask.request.path)
        return _json_error("internal error: the server could not answer this request (the "
                           "details are in the server log)", 500)


app = create_app()
prepare_scripts(app)  # last: Flask takes no new route or hook after a request
#: WSGI entry point (``dashboard.app:server``).
server = app.server
