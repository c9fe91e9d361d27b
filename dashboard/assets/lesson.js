/* neuromod-sim: the presenter's panel of a lecture (dashboard/lesson.py).
 *
 * Active only in a browser that opened the presenter's address (/lesson/present?token=...),
 * which sets the nm_lecture cookie: the dashboard without a lecture makes no extra request.
 * The panel shows the step's caption and question, the students' address and its QR code,
 * the live histogram of answers (polled every second), and the buttons to reveal and move.
 * ← / → (PageUp / PageDown) move between steps, R reveals; every control of the dashboard
 * stays usable, and coming back to a step loads its session again.
 */
(function () {
    if (document.cookie.indexOf("nm_lecture=1") < 0) {
        return;
    }
    var TAB_LABELS = {safety: "Safety and energy", fibres: "Fibres", gate: "The gate",
                      diagnosis: "Diagnosis"};
    var state = null, loadedKey = null, panel = null;

    function el(tag, attrs, text) {
        var e = document.createElement(tag);
        Object.keys(attrs || {}).forEach(function (k) { e.setAttribute(k, attrs[k]); });
        if (text !== undefined) { e.textContent = text; }
        return e;
    }
    function control(body) {
        return fetch("/lesson/control", {method: "POST", credentials: "same-origin",
            headers: {"Content-Type": "application/json"}, body: JSON.stringify(body)})
            .then(function (r) { return r.json(); }).then(refresh);
    }
    function go(delta) {
        if (!state) { return; }
        var target = state.step + delta;
        if (target >= 0 && target < state.steps) { control({action: "go", step: target}); }
    }
    function reveal() {
        if (state && state.question && !state.revealed) { control({action: "reveal"}); }
    }
    function loadStep(s) {
        var key = s.lesson + "/" + s.step;
        if (key === loadedKey) { return; }
        loadedKey = key;
        if (window.location.search !== s.search) {
            window.history.pushState(null, "", s.search);
            window.dispatchEvent(new CustomEvent("_dashprivate_pushstate"));
        }
        var view = s.views.filter(function (v) { return TAB_LABELS[v]; })[0];
        if (view) {
            var tabs = document.querySelectorAll("#fig-tabs .tab");
            for (var i = 0; i < tabs.length; i++) {
                if (tabs[i].textContent.trim() === TAB_LABELS[view]) { tabs[i].click(); }
            }
        }
    }
    function build() {
        panel = el("aside", {id: "lesson-panel", "aria-label": "Lesson"});
        panel.innerHTML =
            '<select id="lesson-picker" aria-label="Lesson"></select>' +
            '<h2 id="lesson-step"></h2><div class="lesson-caption" id="lesson-caption"></div>' +
            '<div class="lesson-question" id="lesson-question"></div><ol id="lesson-choices" type="A"></ol>' +
            '<div id="lesson-join"><img id="lesson-qr" alt="QR code of the students\' address">' +
            '<div><div>Students: open</div><div class="url" id="lesson-url"></div></div></div>' +
            '<div id="lesson-count"></div><div id="lesson-hist"></div><div id="lesson-answer"></div>' +
            '<div><button id="lesson-prev" title="previous step (←)">◀ Back</button>' +
            '<button id="lesson-reveal" title="reveal the answer (R)">Reveal</button>' +
            '<button id="lesson-next" title="next step (→)">Next ▶</button></div>' +
            '<div id="lesson-links"><a href="/lesson/answers.csv">Answers (CSV)</a> · ' +
            '<a href="/lesson/handout.html">Handout (HTML)</a></div>';
        document.body.appendChild(panel);
        document.body.classList.add("lesson-on");
        document.getElementById("lesson-prev").onclick = function () { go(-1); };
        document.getElementById("lesson-next").onclick = function () { go(1); };
        document.getElementById("lesson-reveal").onclick = reveal;
        document.getElementById("lesson-picker").onchange = function (e) {
            control({action: "lesson", name: e.target.value});
        };
        document.getElementById("lesson-qr").src = "/lesson/qr.svg";
    }
    function draw(s) {
        if (!panel) { build(); }
        var picker = document.getElementById("lesson-picker");
        if (picker.options.length !== s.lessons.length) {
            picker.innerHTML = "";
            s.lessons.forEach(function (l) { picker.appendChild(el("option", {value: l.name}, l.title)); });
        }
        picker.value = s.lesson;
        document.getElementById("lesson-step").textContent =
            "Step " + (s.step + 1) + " of " + s.steps + ": " + s.step_title;
        document.getElementById("lesson-caption").textContent = s.caption;
        document.getElementById("lesson-url").textContent = s.join_url;
        var q = s.question, choices = document.getElementById("lesson-choices");
        document.getElementById("lesson-question").textContent =
            q ? q.text + (q.unit ? " [" + q.unit + "]" : "") : "";
        choices.innerHTML = "";
        (q && q.choices || []).forEach(function (c) { choices.appendChild(el("li", {}, c)); });
        document.getElementById("lesson-reveal").disabled = !q || s.revealed;
        document.getElementById("lesson-answer").textContent =
            s.revealed && s.answer ? "The model's answer: " + s.answer.text : "";
        document.getElementById("lesson-answer").style.display = s.revealed && s.answer ? "" : "none";
        document.getElementById("lesson-join").style.display = q ? "" : "none";
        document.body.classList.toggle("lesson-predict", !!q && !s.revealed);
        if (!q) {
            document.getElementById("lesson-hist").innerHTML = "";
            document.getElementById("lesson-count").textContent = "";
        }
        loadStep(s);
    }
    function drawResults(r) {
        var hist = document.getElementById("lesson-hist");
        if (!hist || !state || r.step !== state.step) { return; }
        var most = Math.max.apply(null, r.counts.concat([1]));
        hist.innerHTML = "";
        r.labels.forEach(function (label, i) {
            var row = el("div", {"class": "bar-row" + (r.answer_bin === i ? " right" : ""),
                                 "data-count": String(r.counts[i])});
            row.appendChild(el("span", {}, label));
            var bar = el("div", {"class": "bar"});
            bar.style.width = (100 * r.counts[i] / most) + "%";
            row.appendChild(bar);
            row.appendChild(el("span", {}, String(r.counts[i])));
            hist.appendChild(row);
        });
        document.getElementById("lesson-count").textContent =
            r.total + (r.total === 1 ? " answer" : " answers") + (r.unit ? " [" + r.unit + "]" : "");
        document.getElementById("lesson-count").setAttribute("data-total", String(r.total));
    }
    function refresh() {
        return fetch("/lesson/state", {credentials: "same-origin", cache: "no-store"})
            .then(function (r) { return r.ok ? r.json() : null; })
            .then(function (s) {
                if (!s || !s.presenter) { return; }
                state = s;
                draw(s);
                if (s.question) {
                    return fetch("/lesson/results", {credentials: "same-origin", cache: "no-store"})
                        .then(function (r) { return r.json(); }).then(drawResults);
                }
            }).catch(function () {});
    }
    function typing(e) {
        var t = e.target, tag = t && t.tagName;
        return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" ||
            (t && t.isContentEditable) || (t && t.getAttribute && t.getAttribute("role") === "slider");
    }
    // Capture phase: the lesson's keys win over the dashboard's preset keys.
    window.addEventListener("keydown", function (e) {
        if (!state || e.ctrlKey || e.metaKey || e.altKey || typing(e)) { return; }
        var k = e.key;
        if (k === "ArrowRight" || k === "PageDown") { go(1); }
        else if (k === "ArrowLeft" || k === "PageUp") { go(-1); }
        else if (k === "r" || k === "R") { reveal(); }
        else { return; }
        e.preventDefault();
        e.stopImmediatePropagation();
    }, true);
    function poll() {
        refresh().then(function () { setTimeout(poll, 1000); });
    }
    if (document.readyState === "loading") {
        document.addEventListener("DOMContentLoaded", poll);
    } else {
        poll();
    }
})();
