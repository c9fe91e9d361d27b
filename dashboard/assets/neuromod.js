/* neuromod-sim dashboard: browser-side helpers (served locally from dashboard/assets/).
 *
 * Clientside callbacks (no server round trip):
 *   syncSlider     slider <-> text box of one parameter (mirrors dashboard.state.from_slider);
 *   dragPreview    the value under the thumb while dragging (drag_value), shown by CSS
 *                  beside that slider (the row's data-preview attribute);
 *   fieldMessages, rowClasses, eventsMessage
 *                  draw the form-state store beside the controls, updating only the
 *                  controls whose message or class changes (one call for all controls);
 *   writeUrl       put the state's query string in the address bar (history.replaceState);
 *   lectureClass, currentUrl.
 * Keyboard shortcuts for lecturers: → / PageDown / n next program preset, ← / PageUp / p
 * previous, l lecture mode. Keys typed into a text box, a dropdown or a focused slider are
 * left alone. (Presentation clickers send PageDown / PageUp.)
 */
(function () {
    function noUpdate() {
        return window.dash_clientside.no_update;
    }

    function numText(v) {
        // Python: f"{v:.10g}" without a trailing ".0" (dashboard.state._num_text)
        return String(parseFloat(Number(v).toPrecision(10)));
    }

    function fromSlider(m, pos) {
        var v;
        if (m.log) {
            v = Math.pow(10, pos);
            var quantum = Math.max(m.step || 0, Math.pow(10, Math.floor(Math.log10(v)) - 1));
            v = Math.round(v / quantum) * quantum;
        } else {
            v = Math.round(pos / m.step) * m.step;
        }
        v = Math.min(Math.max(v, m.min), m.max);
        v = parseFloat(v.toFixed(10));
        return m.int ? Math.round(v) : v;
    }

    function toSlider(m, v) {
        v = Math.min(Math.max(v, m.min), m.max);
        return m.log ? Math.log10(v) : v;
    }

    function triggeredType() {
        var t = (window.dash_clientside.callback_context || {}).triggered || [];
        if (!t.length) {
            return null;
        }
        return t[0].prop_id.indexOf('"type":"slider"') >= 0 ? "slider" : "field";
    }

    window.dash_clientside = Object.assign({}, window.dash_clientside, {
        neuromod: {
            syncSlider: function (pos, text, id, meta) {
                var m = (meta || {})[id.name];
                if (!m) {
                    return [noUpdate(), noUpdate()];
                }
                if (triggeredType() === "slider") {
                    if (pos === null || pos === undefined) {
                        return [noUpdate(), noUpdate()];
                    }
                    var typed = parseFloat(text);
                    if (isFinite(typed) && Math.abs(toSlider(m, typed) - pos) < 1e-9) {
                        return [noUpdate(), noUpdate()];  // placed to match the text box
                    }
                    var v = fromSlider(m, pos);
                    var snapped = toSlider(m, v);
                    var shown = numText(v);
                    return [Math.abs(snapped - pos) > 1e-9 ? snapped : noUpdate(),
                            shown === text ? noUpdate() : shown];
                }
                var x = parseFloat(text);
                if (!isFinite(x) || x < m.min || x > m.max || String(text).trim() === "") {
                    return [noUpdate(), noUpdate()];  // the server explains what is wrong
                }
                var p = toSlider(m, x);
                return [pos !== null && Math.abs(p - pos) < 1e-9 ? noUpdate() : p, noUpdate()];
            },
            dragPreview: function (drag, value, id, meta) {
                if (drag === undefined || drag === null || drag === value) {
                    return "";
                }
                var m = (meta || {})[id.name] || {};
                return "→ " + numText(fromSlider(m, drag)) + (m.unit ? " " + m.unit : "");
            },
            fieldMessages: function (state, ids, current) {
                var msgs = (state || {}).messages || {};
                return ids.map(function (id, i) {
                    var msg = msgs[id.name] || "";
                    return msg === (current[i] || "") ? noUpdate() : msg;
                });
            },
            rowClasses: function (state, ids, current) {
                state = state || {};
                return ids.map(function (id, i) {
                    var base = (current[i] || "param-row").split(" ").filter(function (c) {
                        return c !== "irrelevant" && c !== "invalid";
                    });
                    if ((state.irrelevant || []).indexOf(id.name) >= 0) {
                        base.push("irrelevant");
                    }
                    if ((state.invalid || []).indexOf(id.name) >= 0) {
                        base.push("invalid");
                    }
                    var cls = base.join(" ");
                    return cls === current[i] ? noUpdate() : cls;
                });
            },
            eventsMessage: function (state) {
                return (state || {}).events || "";
            },
            writeUrl: function (search) {
                if (typeof search === "string" && search !== window.location.search) {
                    window.history.replaceState(window.history.state, "",
                        window.location.pathname + search + window.location.hash);
                }
                return noUpdate();
            },
            lectureClass: function (view) {
                return view && view.lecture ? "app lecture" : "app";
            },
            currentUrl: function () {
                return window.location.href;
            }
        }
    });

    var KEYS = {
        ArrowRight: "btn-next-preset", PageDown: "btn-next-preset", n: "btn-next-preset",
        ArrowLeft: "btn-prev-preset", PageUp: "btn-prev-preset", p: "btn-prev-preset",
        l: "btn-lecture", L: "btn-lecture"
    };

    function typing(el) {
        if (!el || el === document.body) {
            return false;
        }
        var tag = el.tagName;
        return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || el.isContentEditable ||
            el.getAttribute("role") === "slider" || el.getAttribute("role") === "combobox" ||
            (el.closest && el.closest(".dash-dropdown, [role=listbox]") !== null);
    }

    document.addEventListener("keydown", function (e) {
        if (e.ctrlKey || e.metaKey || e.altKey || typing(e.target)) {
            return;
        }
        var button = KEYS[e.key] && document.getElementById(KEYS[e.key]);
        if (button) {
            e.preventDefault();
            button.click();
        }
    });
})();
