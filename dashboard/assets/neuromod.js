/* neuromod-sim dashboard: browser-side helpers (served locally from dashboard/assets/).
 *
 * Clientside callbacks (no server round trip):
 *   sliderToField  a slider's position -> its text box (mirrors dashboard.state.from_slider);
 *   fieldCommit    a value the user committed in a text box, choice or switch -> exactly one
 *                  trigger of the server's update callback: its slider set to the value, or
 *                  (not a plain number, out of range, no slider) the form-commit store; a
 *                  therapy picked goes to the loader instead (therapy-commit store),
 *                  through set_props: with the text boxes as inputs of that callback, Dash
 *                  would hold every slider release back until the sync had run (callbacks.py);
 *   dragPreview    the value under the thumb while dragging (drag_value), shown by CSS
 *                  beside that slider (the row's data-preview attribute);
 *   fieldMessages, rowClasses, eventsMessage
 *                  draw the form-state store beside the controls, updating only the
 *                  controls whose message or class changes (one call for all controls);
 *   writeUrl       put the state's query string in the address bar (history.replaceState);
 *   sectionToggle  mount or unmount a control section's rows with its <details>;
 *   waveZoom       pass the waveform's zooms (not its resizes) to the server;
 *   lectureClass, currentUrl.
 * Keyboard shortcuts for lecturers: → / PageDown / n next program preset, ← / PageUp / p
 * previous, l lecture mode. Keys typed into a text box, a dropdown or a focused slider are
 * left alone. (Presentation clickers send PageDown / PageUp.)
 */
// Native string trimming and number parsing back. Dash's bundled polyfill (core-js 2) counts
// U+180E as white space, which current engines do not, so it replaces String.prototype.trim,
// parseFloat and parseInt with JavaScript versions ~20-40x slower; plotly.js calls them all
// the time, and they cost ~4-6 ms per figure redraw. The engine's own functions are taken
// from a blank frame (another realm) and only when the slow versions are detected.
(function () {
    var MVS = "\u180e";
    if (MVS.trim() !== "" || !document.createElement) {
        return;  // no polyfill in the way
    }
    var frame = document.createElement("iframe");
    frame.style.display = "none";
    frame.setAttribute("aria-hidden", "true");
    frame.tabIndex = -1;
    try {
        (document.body || document.documentElement).appendChild(frame);
        var w = frame.contentWindow;
        var ownTrim = w.String.prototype.trim, pf = w.parseFloat, pi = w.parseInt;
        if (ownTrim.call(MVS) !== MVS || pf(" 2.5e1x") !== 25 || pi(" 0x1f") !== 31) {
            return;  // an engine that does count U+180E as white space: keep what is there
        }
        // Wrapped, not the frame's functions themselves: `this` is coerced as the built-in does.
        var nativeTrim = function trim() {
            "use strict";
            if (this === null || this === undefined) {
                throw new TypeError("String.prototype.trim called on null or undefined");
            }
            return ownTrim.call(String(this));
        };
        var nativeParseFloat = function parseFloat(s) { return pf(s); };
        var nativeParseInt = function parseInt(s, radix) { return pi(s, radix); };
        Object.defineProperty(String.prototype, "trim", {
            value: nativeTrim, writable: true, configurable: true, enumerable: false});
        window.parseFloat = Number.parseFloat = nativeParseFloat;
        window.parseInt = Number.parseInt = nativeParseInt;
    } catch (e) {
        // keep the polyfill's versions
    } finally {
        if (frame.parentNode) {
            frame.parentNode.removeChild(frame);
        }
    }
})();

(function () {
    // Parameter name -> the user edited its control since its last commit (set by input
    // events, which only people cause; cleared when committed, focused or slid).
    var typed = {};
    var commits = 0;
    // Plain numbers only: anything else goes to the server, which parses and explains.
    var NUMBER = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;
    var INT = /^[-+]?\d+$/;

    function fieldName(el) {
        var host = el && el.closest ? el.closest("[id^='{']") : null;
        if (!host) {
            return null;
        }
        try {
            var id = JSON.parse(host.id);
            return id.type === "field" ? id.name : null;
        } catch (e) {
            return null;
        }
    }

    document.addEventListener("input", function (e) {
        var name = fieldName(e.target);
        if (name) {
            typed[name] = true;
        }
    }, true);
    document.addEventListener("focusin", function (e) {
        var name = fieldName(e.target);
        if (name && e.target.type === "text") {
            typed[name] = false;
        }
    }, true);

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

    window.dash_clientside = Object.assign({}, window.dash_clientside, {
        neuromod: {
            sliderToField: function (pos, text, id, meta) {
                var m = (meta || {})[id.name];
                if (!m || pos === null || pos === undefined) {
                    return noUpdate();
                }
                typed[id.name] = false;  // the slider wins over an uncommitted edit
                var x = parseFloat(text);
                if (isFinite(x) && Math.abs(toSlider(m, x) - pos) < 1e-9) {
                    return noUpdate();  // placed to match the text box: keep the typed value
                }
                var shown = numText(fromSlider(m, pos));
                return shown === text ? noUpdate() : shown;
            },
            fieldCommit: function (text, id, meta) {
                if (!typed[id.name]) {
                    return;  // written by a load or by the slider: nothing to commit
                }
                typed[id.name] = false;
                var set = window.dash_clientside.set_props;
                if (id.name === "therapy") {
                    // A new therapy loads its program (contacts, pads, amplitude follow it):
                    // the loader answers, not the form (dashboard.callbacks._with_therapy).
                    commits += 1;
                    set("therapy-commit", {data: {therapy: text, n: commits}});
                    return;
                }
                var m = (meta || {})[id.name];
                var s = String(text === null || text === undefined ? "" : text).trim();
                var x = parseFloat(s);
                if (m && (m.int ? INT : NUMBER).test(s) && x >= m.min && x <= m.max) {
                    // Its slider goes there (set_props notifies even an unchanged position):
                    // the server reads the typed text, which matches the slider.
                    set({type: "slider", name: id.name}, {value: toSlider(m, x)});
                    return;
                }
                commits += 1;  // the server validates and explains, or applies
                set("form-commit", {data: {name: id.name, n: commits}});
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
            sectionToggle: function (clicks, value, id) {
                // A click on a section's title opens or closes the <details> (the browser)
                // and mounts or unmounts its rows (the value of its one-tab dcc.Tabs).
                return value === id.name ? "closed" : id.name;  // layout.CLOSED
            },
            waveZoom: function (relayout) {
                // Only a change of the time window goes to the server: a resize (autosize)
                // would cost a round trip and could replace a slider's request in flight.
                var r = relayout || {};
                if (r["xaxis.autorange"] || "xaxis.range[0]" in r || "xaxis.range" in r) {
                    return r;
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
