"""The ``neuromod`` command line.

Every command accepts ``--set key=value`` overrides validated through the parameter
declarations; a bad value prints the :class:`~sim.params.ParameterError` message (never a
traceback) and exits with status 2. ``neuromod`` alone lists the commands (exit status 0),
``neuromod --version`` prints the installed version, ``neuromod params`` the declared
parameters. Warnings go to stderr, so that stdout stays parseable with ``--json``.
"""
from __future__ import annotations

import argparse
import json
import math
import sys
from collections.abc import Callable, Sequence
from typing import Any

from sim.cli_checks import (
    OneLineParser,
    add_executor_flags,
    check_run_flags,
    count_arg,
    read_regular_file,
    stopped_by_signals,
)
from sim.params import PARAMETERS, ParameterError, parse_assignment

__all__ = ["main", "build_parser"]

EXIT_BAD_INPUT = 2


def _overrides(assignments: Sequence[str] | None, group_fields: set[str]) -> dict[str, Any]:
    """Parse ``--set`` assignments, keeping those that belong to ``group_fields``."""
    out: dict[str, Any] = {}
    for text in assignments or ():
        key, value = parse_assignment(text)
        if key not in group_fields:
            raise ParameterError(f"--set {key}=...: {key} cannot be set for this command",
                                 name=key)
        out[key] = value
    return out


def _json_default(o: Any) -> Any:
    if hasattr(o, "tolist"):
        return o.tolist()
    if isinstance(o, float) and not math.isfinite(o):
        return None
    raise TypeError(f"not JSON serialisable: {type(o).__name__}")


def _print_json(data: Any) -> None:
    print(json.dumps(data, indent=2, ensure_ascii=False, default=_json_default, allow_nan=False))


def _clean(obj: Any) -> Any:
    """Replace non-finite floats by None recursively (JSON has no inf/NaN)."""
    if isinstance(obj, float) and not math.isfinite(obj):
        return None
    if isinstance(obj, dict):
        return {k: _clean(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_clean(v) for v in obj]
    return obj


def _warn(text: str) -> None:
    """A caution for the user: on stderr, never mixed into the output on stdout."""
    print(f"WARNING: {text}", file=sys.stderr, flush=True)


def _version() -> str:
    """The installed version (package metadata), or the package's ``__version__`` when it
    runs from a source tree that is not installed."""
    from importlib import metadata

    try:
        return metadata.version("neuromod-sim")
    except metadata.PackageNotFoundError:
        from sim import __version__
        return __version__


class _VersionAction(argparse.Action):
    """``--version``: print ``neuromod X.Y.Z`` and exit 0 (the version is read only then)."""

    def __init__(self, option_strings: Sequence[str], dest: str = argparse.SUPPRESS,
                 **kwargs: Any) -> None:
        super().__init__(option_strings, dest, nargs=0, default=argparse.SUPPRESS, **kwargs)

    def __call__(self, parser, namespace, values, option_string=None) -> None:
        print(f"{parser.prog} {_version()}")
        parser.exit(0)


def _print_commands(parser: argparse.ArgumentParser) -> None:
    """What ``neuromod`` alone prints: usage, then every command with its one-line help."""
    commands = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    rows = [(c.dest, c.help or "") for c in commands._choices_actions]
    width = max(len(name) for name, _ in rows)
    print(parser.format_usage().rstrip())
    print()
    print("commands:")
    for name, text in rows:
        print(f"  {name:{width}s}  {text}")
    print()
    print(f"Run `{parser.prog} COMMAND --help` for the options of a command, "
          f"`{parser.prog} --version` for the version.")


# --------------------------------------------------------------------------------------------
def cmd_presets(args: argparse.Namespace) -> int:
    from sim.presets import PROGRAM_PRESETS, TREATMENT_PRESETS

    rows = [("program", p.name, p.title) for p in PROGRAM_PRESETS.values()]
    rows += [("treatment", p.name, p.title) for p in TREATMENT_PRESETS.values()]
    try:
        from sim.patients import PATIENT_PRESETS
        rows += [("patient", p.name, p.title) for p in PATIENT_PRESETS.values()]
    except ImportError:  # patients arrive with the gate model
        pass
    if args.json:
        _print_json([{"kind": k, "name": n, "title": t} for k, n, t in rows])
        return 0
    width = max(len(n) for _, n, _ in rows)
    for kind, name, title in rows:
        print(f"{kind:9s} {name:{width}s}  {title}")
    return 0


def cmd_program_show(args: argparse.Namespace) -> int:
    import dataclasses

    from sim.presets import program
    from sim.safety import safety_report
    from sim.waveforms import Program

    fields = {f.name for f in dataclasses.fields(Program)}
    prog = program(args.name, **_overrides(args.set, fields))
    report = safety_report(prog)
    for w in report.warnings:
        _warn(w)
    if args.json:
        _print_json(_clean({"program": prog.to_dict(), "safety": report.to_dict()}))
        return 0
    print(f"Program {args.name}")
    for key, value in prog.to_dict().items():
        unit = PARAMETERS[key].unit
        if key == "custom_shape" and not value:
            continue
        print(f"  {key:24s} {value}{' ' + unit if unit and not isinstance(value, str) else ''}")
    print("Safety and energy")
    for key, value in report.to_dict().items():
        if key == "warnings":
            continue
        shown = f"{value:.4g}" if isinstance(value, float) else value
        print(f"  {key:28s} {shown}")
    return 0


def cmd_params(args: argparse.Namespace) -> int:
    from sim.params import close_names

    rows = [p for p in PARAMETERS.values()
            if (args.group is None or p.group == args.group)
            and (not args.match or args.match.lower() in p.name.lower())]
    if not rows:
        near = close_names(args.match or "", [n for n, p in PARAMETERS.items()
                                              if args.group in (None, p.group)])
        raise ParameterError(f"params {args.match}: no parameter name contains {args.match!r}"
                             + (f" in group {args.group}" if args.group else "")
                             + (f"; did you mean {' or '.join(near)}?" if near else ""),
                             name="params", value=args.match)
    if args.json:
        _print_json([{"name": p.name, "group": p.group, "unit": p.unit,
                      "range": p.range_text, "default": p.default, "label": p.label,
                      "help": p.help} for p in rows])
        return 0
    width = max(len(p.name) for p in rows)
    for p in rows:
        print(f"{p.name:{width}s}  {p.group:9s}  {p.range_text}  ({p.label})")
    return 0


def _register_params(sub: Any) -> None:
    groups = sorted({p.group for p in PARAMETERS.values()})
    p = sub.add_parser("params", help="list the declared parameters (the names of --set and "
                                      "--vary) with unit and range")
    p.add_argument("match", nargs="?", metavar="TEXT",
                   help="only names containing TEXT, e.g. `neuromod params amplitude`")
    p.add_argument("--group", choices=groups, help="only one group")
    p.add_argument("--json", action="store_true", help="print JSON (with default and help)")
    p.set_defaults(func=cmd_params)


# --------------------------------------------------------------------------------------------
def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``neuromod`` (exposed for tests and documentation)."""
    parser = OneLineParser(  # bad flags: one line, exit 2 (sim.cli_checks)
        prog="neuromod",
        description="Neuromodulation session simulator for neuropathic pain: programs, "
                    "fibre recruitment, dorsal-horn gate, pain over a session.")
    parser.add_argument("--version", action=_VersionAction,
                        help="print the version and exit")
    # no command: main() lists the commands and exits 0 (as pip does)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser("presets", help="list program, treatment and patient presets")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=cmd_presets)

    p = sub.add_parser("program", help="inspect stimulation programs")
    psub = p.add_subparsers(dest="program_command", metavar="ACTION")
    psub.required = True
    show = psub.add_parser("show", help="print a program preset and its safety report")
    show.add_argument("name", help="program preset name (see `neuromod presets`)")
    _add_set(show)
    show.add_argument("--json", action="store_true", help="print JSON")
    show.set_defaults(func=cmd_program_show)
    _register_params(sub)
    _register_run(sub)
    _register_recruit(sub)
    _register_ecap(sub)
    _register_sweep(sub)
    _register_cohort(sub)
    _register_rate_response(sub)
    _register_ncs(sub)
    _register_emg(sub)
    _register_localise(sub)
    _register_exam(sub)
    _register_course(sub)
    for register in (*_EXTRA_COMMANDS, *_registered_commands()):
        register(sub)
    return parser


#: Entry-point group of further commands: ``register(subparsers)`` functions that packages
#: installed beside the core add (the dashboard's ``neuromod dashboard``, declared in
#: ``pyproject.toml``). The core itself imports none of them.
COMMANDS_GROUP = "neuromod.commands"


def _registered_commands() -> list[Callable[[Any], None]]:
    from importlib.metadata import entry_points

    out = []
    for ep in sorted(entry_points(group=COMMANDS_GROUP), key=lambda e: e.name):
        try:
            out.append(ep.load())
        except ImportError:  # pragma: no cover - a command whose package is not installed
            continue
    return out


# --------------------------------------------------------------------------------------------
# Sessions: run, recruit, sweep
# --------------------------------------------------------------------------------------------
def _add_session_source(p: argparse.ArgumentParser, *, patient: bool = True,
                        duration: bool = True) -> None:
    src = p.add_mutually_exclusive_group(required=True)
    src.add_argument("--preset", metavar="PRESET",
                     help="program preset, or treatment preset (a session with stimulation "
                          "off and that treatment: lidocaine-block, gabapentin, ...)")
    src.add_argument("--config", metavar="FILE.json",
                     help="session document (as downloaded from the dashboard)")
    p.add_argument("--treatment", action="append", metavar="NAME",
                   help="add a treatment preset to the session (repeatable), e.g. --preset "
                        "scs-tonic --treatment gabapentin")
    if patient:
        p.add_argument("--patient", metavar="NAME", help="patient preset name")
    if duration:
        p.add_argument("--duration-s", type=float, metavar="N", help="session length [s]")
    _add_set(p)


def _read_config(path: str):
    from sim.session import MAX_DOCUMENT_BYTES, Session
    return Session.from_json(read_regular_file(path, MAX_DOCUMENT_BYTES))


def _session_from_args(args: argparse.Namespace):
    """Build the session a command asks for: preset (program or treatment) or config, then
    patient, duration, ``--set`` overrides (each routed to the program, patient, options,
    session or treatments) and ``--treatment`` additions."""
    from sim.patients import patient
    from sim.presets import (
        is_treatment_preset,
        program,
        treatment,
        treatment_session,
        treatment_start_s,
    )
    from sim.session import Session
    from sim.sweep import apply_values

    values: dict[str, Any] = {}
    treatment_values: dict[str, Any] = {}
    if getattr(args, "duration_s", None) is not None:
        values["duration_s"] = args.duration_s
    for text in args.set or ():
        key, value = parse_assignment(text)
        group = PARAMETERS[key].group
        if group == "event":
            raise ParameterError(f"--set {key}: events are set in a --config document",
                                 name=key)
        (treatment_values if group == "treatment" else values)[key] = value
    if getattr(args, "config", None):
        session = _read_config(args.config)
    elif is_treatment_preset(args.preset):
        # the treatment starts a quarter into the session: build it at its final length
        session = treatment_session(args.preset, duration_s=values.pop("duration_s", None))
    else:
        session = Session(program=program(args.preset))
    if getattr(args, "patient", None):
        session = session.replace(patient=patient(args.patient))
    if values:
        session = apply_values(session, values)
    unused = session.program.unused_params()
    for key in sorted(k for k in values if k in unused):
        print(f"note: --set {key} has no effect on this program "
              f"({_program_kind(session.program)})", file=sys.stderr)
    added = tuple(treatment(name, start_s=treatment_start_s(session.duration_s))
                  for name in getattr(args, "treatment", None) or ())
    if added:
        session = session.replace(treatments=session.treatments + added)
    return _set_treatments(session, treatment_values) if treatment_values else session


def _program_kind(program: Any) -> str:
    """``therapy, pattern, shape`` of a program, for notes about the fields it reads."""
    if program.therapy == "off":
        return "therapy off"
    cyc = ", no cycling" if program.cycle_on_s <= 0 else ""
    return f"{program.therapy.upper()}, {program.pattern}, {program.shape}{cyc}"


def _set_treatments(session, values: dict[str, Any]):
    """Apply ``--set`` treatment values to every treatment of the session they apply to."""
    from sim.treatments import set_treatment_values

    try:
        trs = set_treatment_values(session.treatments, values)
    except ParameterError as exc:  # name the flag the user typed
        raise ParameterError(f"--set {exc}", name=exc.name, value=exc.value) from None
    return session.replace(treatments=trs)


def cmd_run(args: argparse.Namespace) -> int:
    from sim.safety import safety_report
    from sim.session import run_session

    if args.series and not args.json:
        raise ParameterError("--series adds the time series to the --json output: add --json "
                             "(or write the series as CSV with --csv FILE)", name="series")
    session = _session_from_args(args)
    if session.program.is_active:
        for w in safety_report(session.program).warnings:
            _warn(w)
    result = run_session(session)
    if args.csv:
        result.to_csv(args.csv)
    if args.json:
        data = result.to_dict()
        if not args.series:  # 20 series of 50 samples per simulated second
            del data["series"], data["units"]
        _print_json(_clean(data))
        return 0
    s = result.summary
    gaps = _summary_gaps(session, s)
    print(_summary_line("pain before", s.pain_before_nrs, "NRS", gaps))
    print(_summary_line("pain during", s.pain_during_nrs, "NRS", gaps))
    print(_summary_line("pain after", s.pain_after_nrs, "NRS", gaps))
    print(_summary_line("pain reduction", s.pain_reduction_pct, "%", gaps)
          + ("" if "pain reduction" in gaps else
             f"  ({'responder' if s.responder else 'not a responder'}: >= 50 %)"))
    print(f"{'paresthesia':22s} {_num(s.paresthesia)} /10"
          f"{'' if s.paresthesia_felt else '  (not felt)'}")
    if math.isfinite(s.coverage_pct):
        print(f"{'coverage of pain area':22s} {_num(s.coverage_pct)} %  "
              f"({session.patient.pain_area}, sitting)")
    print(f"{'charge per hour':22s} {_num(s.charge_per_hour_uC)} µC")
    print(f"{'battery':22s} {_num(s.battery_days)} days")
    from sim.drive import khz_onset_note
    onset = khz_onset_note(session)
    if onset:
        print(f"note: {onset}")
    for rep in result.treatment_report:
        print(f"treatment {rep.title}" + (f", {rep.dose}" if rep.dose else ""))
        print(f"  {'side-effect burden':20s} {rep.side_effects.burden} "
              f"({'; '.join(rep.side_effects.effects) or 'none'}) [qualitative label]")
        for note in rep.notes:
            print(f"  note: {note}")
    if result.treatment_report:
        print(f"{'numbness':22s} {_num(s.numbness)} /10")
    if args.csv:
        print(f"series written to {args.csv}{_metadata_note(args.csv, 'units and settings')}")
    return 0


def _summary_line(label: str, value: float, unit: str, gaps: dict[str, str]) -> str:
    """One line of the run summary; a value the session cannot give is a dash and the
    reason (never a bare "n/a")."""
    if label in gaps:
        return f"{label:22s} — ({gaps[label]})"
    return f"{label:22s} {_num(value)} {unit}"


def _summary_gaps(session, s) -> dict[str, str]:
    """Why each summary value that is not a number is missing, by its label in the run
    summary. The windows are those of the session summary (``sim.session``): "before" ends
    where the first therapy starts, "after" begins where the last one ends."""
    from sim.session import MIN_BASELINE_PAIN_NRS

    def missing(v: float) -> bool:
        return v is None or not math.isfinite(v)

    stims = [e for e in session.events if e.kind == "stimulation"]
    stimulating = session.program.is_active and bool(stims)
    if session.treatments or stimulating:
        nothing = ""
    elif stims:
        nothing = "the program is off and there is no treatment"
    else:
        nothing = "no stimulation and no treatment in this session"
    gaps: dict[str, str] = {}
    if missing(s.pain_before_nrs):
        gaps["pain before"] = "the therapy starts at 0 s: no time before it"
    if missing(s.pain_during_nrs):
        gaps["pain during"] = nothing or "no time with the therapy acting"
    if missing(s.pain_after_nrs):
        if nothing:
            gaps["pain after"] = nothing
        elif session.treatments and not stimulating:
            gaps["pain after"] = ("the treatment still acts when the session ends: no time "
                                  "after it")
        else:
            gaps["pain after"] = "stimulation runs to the end of the session: no time after it"
    if missing(s.pain_reduction_pct):
        if nothing:
            gaps["pain reduction"] = nothing
        elif "pain before" in gaps:
            gaps["pain reduction"] = "no pain before to compare with"
        elif "pain during" in gaps:
            gaps["pain reduction"] = "no pain during to compare with"
        elif s.pain_before_nrs < MIN_BASELINE_PAIN_NRS:
            gaps["pain reduction"] = (f"pain before is below {MIN_BASELINE_PAIN_NRS:g} NRS: "
                                      "nothing to relieve")
        else:
            gaps["pain reduction"] = "not available for this session"
    return gaps


def _metadata_note(path: str, what: str) -> str:
    """`` (<what> in <where>)``: where the metadata of an output file is, its JSON sidecar or
    a Parquet table's own schema; empty if it has none (``--csv /dev/stdout``)."""
    from sim.tables import sidecar_path
    if str(path).endswith(".parquet"):
        return f" ({what} in its schema)"
    side = sidecar_path(path)
    return f" ({what} in {side})" if side.is_file() else ""


def _num(v: float) -> str:
    return "n/a" if v is None or (isinstance(v, float) and not math.isfinite(v)) \
        else f"{v:.3g}"


def _register_run(sub: Any) -> None:
    p = sub.add_parser("run", help="run a session: pain and paresthesia over time")
    _add_session_source(p)
    p.add_argument("--json", action="store_true",
                   help="print the summary as JSON (with the session and treatment reports)")
    p.add_argument("--series", action="store_true",
                   help="with --json: add the time series (about 20 kB per simulated "
                        "second: 4.6 MB for the default 240 s)")
    p.add_argument("--csv", metavar="FILE",
                   help="write the series as CSV (metadata in FILE.json beside it)")
    p.set_defaults(func=cmd_run)


def cmd_recruit(args: argparse.Namespace) -> int:
    from sim.recruitment import recruit

    session = _session_from_args(args)
    pat = session.patient
    from sim.drive import stimulation_csf_mm
    from sim.motor_fibers import motor_response
    from sim.placement import coverage

    r = recruit(session.program, csf_thickness_mm=stimulation_csf_mm(session.program, pat),
                nerve_depth_mm=pat.nerve_depth_mm)
    cov = coverage(session.program, pat)
    motor = motor_response(session.program)
    data = {
        "therapy": r.therapy, "amplitude_mA": r.amplitude_mA,
        "pulse_width_us": r.pulse_width_us,
        "perception_threshold_mA": r.perception_threshold_mA,
        "discomfort_threshold_mA": r.discomfort_threshold_mA,
        "paresthesia": r.paresthesia,
        "classes": {c.fiber_class.name.lower(): {
            "recruited_fraction": c.recruited_fraction, "active_fraction": c.active_fraction,
            "blocked_fraction": c.blocked_fraction, "firing_rate_hz": c.firing_rate_hz,
            "threshold_min_mA": c.threshold_min_mA} for c in r.classes},
        "lead_level": cov.lead_level if r.therapy == "scs" else None,
        "csf_under_lead_mm": cov.csf_thickness_mm if r.therapy == "scs" else None,
        "paresthesia_dermatomes": [d.label for d in cov.paresthesia],
        "pain_area": pat.pain_area,
        "coverage_pct": cov.coverage_pct,
        "motor_threshold_mA": motor.motor_threshold_mA,
        "muscle": motor.contraction,
    }
    if args.json:
        _print_json(_clean(data))
        return 0
    print(f"{r.therapy.upper()} {_num(r.amplitude_mA)} mA, {_num(r.pulse_width_us)} µs")
    print(f"therapeutic window: {_num(r.perception_threshold_mA)} mA (paresthesia) to "
          f"{_num(r.discomfort_threshold_mA)} mA (discomfort)")
    print(f"{'class':8s} {'recruited':>10s} {'firing':>10s} {'blocked':>9s} {'min thr':>9s}")
    for c in r.classes:
        print(f"{c.fiber_class.name:8s} {100 * c.recruited_fraction:9.1f}% "
              f"{c.firing_rate_hz:7.1f} Hz {100 * c.blocked_fraction:8.1f}% "
              f"{_num(c.threshold_min_mA):>6s} mA")
    if r.therapy == "scs":
        print(f"lead at {cov.lead_level}, {_num(cov.csf_thickness_mm)} mm dorsal CSF under it")
    if r.therapy == "drg":
        print(f"leads on the ganglia of {session.program.drg_roots}")
    if r.therapy in ("scs", "drg"):
        print("paresthesia in: " + (", ".join(d.label for d in cov.paresthesia) or "none"))
    if math.isfinite(cov.coverage_pct):
        print(f"coverage of the painful area ({pat.pain_area}): {_num(cov.coverage_pct)} %")
    if math.isfinite(motor.motor_threshold_mA):
        what = {"none": "no contraction", "twitches": f"visible twitches at "
                f"{_num(motor.twitch_rate_hz)} Hz", "tetanic": "sustained (fused) contraction"}
        print(f"motor threshold {_num(motor.motor_threshold_mA)} mA: "
              f"{what[motor.contraction]}")
    return 0


def _register_recruit(sub: Any) -> None:
    p = sub.add_parser("recruit", help="which fibres a program recruits")
    _add_session_source(p, duration=False)
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=cmd_recruit)


def _posture_events(specs: list[str] | None) -> tuple:
    """``--posture supine:20:40`` flags as session events."""
    from sim.session import Event
    out = []
    for spec in specs or ():
        parts = spec.split(":")
        try:
            kind, start, stop = parts[0], float(parts[1]), float(parts[2])
        except (IndexError, ValueError):
            raise ParameterError(f"--posture {spec!r} must be KIND:START:STOP, e.g. "
                                 "supine:20:40 (seconds)", name="posture", value=spec) from None
        if kind not in ("supine", "prone", "standing"):
            raise ParameterError(f"--posture {spec!r}: {kind!r} is not supine, prone or "
                                 "standing (sitting is the default)", name="posture",
                                 value=spec)
        out.append(Event(kind=kind, start_s=start, stop_s=stop))
    return tuple(out)


def cmd_ecap(args: argparse.Namespace) -> int:
    from sim.drive import stimulation_csf_mm
    from sim.ecap import ecap_trace, growth_curve, simulate_loop

    session = _session_from_args(args)
    prog, pat = session.program, session.patient
    csf = stimulation_csf_mm(prog, pat)
    tr = ecap_trace(prog, csf_thickness_mm=csf)
    g = growth_curve(prog, csf_thickness_mm=csf)
    events = tuple(e for e in session.events or () if e.kind in ("supine", "prone",
                                                                 "standing"))
    events += _posture_events(args.posture)
    loops = {m: simulate_loop(prog, pat, mode=m, duration_s=session.duration_s, events=events)
             for m in ("open", "closed")}
    data = {
        "n1_latency_ms": tr.n1_latency_ms, "ecap_uV": tr.amplitude_uV,
        "ecap_threshold_mA": g.ecap_threshold_mA,
        "perception_threshold_mA": g.perception_threshold_mA,
        "loops": {m: {"time_in_window_pct": r.time_in_window_pct,
                      "paresthesia_spikes": r.paresthesia_spikes,
                      "max_ecap_error_pct": r.max_ecap_error_pct,
                      "amplitude_min_mA": float(r.amplitude_mA.min()),
                      "amplitude_max_mA": float(r.amplitude_mA.max())}
                  for m, r in loops.items()},
    }
    if args.json:
        _print_json(_clean(data))
        return 0
    print(f"ECAP {_num(tr.amplitude_uV)} µV (N1-P2), N1 at {_num(tr.n1_latency_ms)} ms, "
          f"{tr.recruited_fibres} dorsal-column fibres")
    print(f"ECAP threshold {_num(g.ecap_threshold_mA)} mA; perception threshold "
          f"{_num(g.perception_threshold_mA)} mA")
    for m, r in loops.items():
        print(f"{m:6s} loop: {_num(r.time_in_window_pct)} % of the time in the window, "
              f"{r.paresthesia_spikes} paresthesia spikes, ECAP off target by up to "
              f"{_num(r.max_ecap_error_pct)} %, current {_num(float(r.amplitude_mA.min()))}-"
              f"{_num(float(r.amplitude_mA.max()))} mA")
    return 0


def _register_ecap(sub: Any) -> None:
    p = sub.add_parser("ecap", help="SCS: the spinal ECAP, its growth curve, open vs closed "
                                    "loop while the cord moves")
    _add_session_source(p)
    p.add_argument("--posture", action="append", metavar="KIND:START:STOP",
                   help="a posture during the session, e.g. supine:20:40 (repeatable)")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=cmd_ecap)


def cmd_sweep(args: argparse.Namespace) -> int:
    from sim.sweep import MAX_RUNS, grid_size, idle_axes, make_runs, parse_vary, run_table

    check_run_flags(args)
    session = _session_from_args(args)
    cap = args.max_runs or MAX_RUNS  # the grid is counted before any run is built
    axes = [parse_vary(v, seed=args.seed, max_runs=cap) for v in args.vary]
    for name in idle_axes(session.program, axes):
        print(f"note: --vary {name} changes nothing: this program "
              f"({_program_kind(session.program)}) does not use {name}", file=sys.stderr)
    runs = make_runs(axes, max_runs=cap)
    with stopped_by_signals(args.out, grid_size(axes)):
        table = run_table(session, runs, executor=args.executor, workers=args.workers,
                          scheduler=args.scheduler, out=args.out, progress=not args.quiet,
                          force=args.force, meta={"vary": list(args.vary), "seed": args.seed})
    print(f"{len(table)} runs written to {args.out}{_metadata_note(args.out, 'metadata')}")
    return 0


def cmd_cohort(args: argparse.Namespace) -> int:
    from sim.cohort import run_cohort

    if args.patient is None:
        raise ParameterError("--patient is required: the preset the cohort is drawn around",
                             name="patient")
    from sim.sweep import replacing_outputs

    check_run_flags(args)
    session = _session_from_args(args)
    follow = (None if args.follow_up_days is None
              else _float_text("follow_up_days", args.follow_up_days))
    with stopped_by_signals(args.out, args.n), replacing_outputs(args.force):
        result = run_cohort(session, args.patient, n=args.n, seed=args.seed,
                            titration=args.titration, follow_up_days=follow,
                            executor=args.executor,
                            workers=args.workers, scheduler=args.scheduler, out=args.out,
                            progress=not (args.quiet or args.json),
                            screening_trial=args.screening_trial)
    if args.json:
        _print_json(_clean(result.to_dict()))
        return 0
    q = result.to_dict()["reduction_quartiles_pct"]
    print(f"{result.n} virtual patients ({result.patient}, seed {result.seed}), enrolled and "
          "measured as a trial: natural history and expectation included")
    among = ""
    if result.screening_trial:
        print(f"screening trial passed, implanted: {result.implanted} "
              f"({100 * result.implanted / result.n:.1f} %)")
        print(f"responders counting trial failures as non-responders (intention to treat): "
              f"{100 * result.responder_rate_itt:.1f} %")
        if result.implanted == 0:
            print("nobody passed the screening trial: no outcome among the implanted")
            return 0
        among = " among the implanted"
    print(f"responders (>= 50 % relief){among}: {100 * result.responder_rate:.1f} % "
          f"(95 % CI {100 * result.ci_low:.1f}-{100 * result.ci_high:.1f} %)")
    print(f"mean pain reduction{among}: {result.mean_reduction_pct:.1f} %  "
          f"(quartiles {q[0]:.0f} / {q[1]:.0f} / {q[2]:.0f} %)")
    return 0


def _register_cohort(sub: Any) -> None:
    p = sub.add_parser("cohort", help="run a program on a virtual patient cohort")
    _add_session_source(p)
    p.add_argument("--n", type=_int_arg("cohort_n"), default=200,
                   help="virtual patients (default 200)")
    p.add_argument("--seed", type=_int_arg("seed"), default=0, help="seed of the draw")
    p.add_argument("--titration", choices=("perception", "subperception", "fixed"),
                   help="amplitude at 1.3 x each patient's perception threshold, at 0.95 x "
                        "(sub-perception burst), or the program's own (default: by program "
                        "type)")
    p.add_argument("--follow-up-days", metavar="D",
                   help="days on the program at the assessment (default 90: 3 months)")
    p.add_argument("--screening-trial", action="store_true",
                   help="SCS and DRG: a week's screening trial first; only patients with at "
                        "least 50 %% relief are implanted, and responders are counted among "
                        "them (and over everyone, trial failures as non-responders)")
    add_executor_flags(p)
    p.add_argument("--out", metavar="FILE",
                   help="per-patient table (.csv, resumable, metadata in FILE.json; or "
                        ".parquet)")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=cmd_cohort)


def cmd_rate_response(args: argparse.Namespace) -> int:
    from sim.rate_response import published_rate_response, session_rate_response

    rates = _rates_arg(args.rates)
    if args.patient is None:
        if args.preset is not None or args.config is not None:
            raise ParameterError("--preset and --config need --patient: without it the "
                                 "published protocol drives every dorsal-column fibre at "
                                 "each rate (Zhang, Janik & Grill 2014)", name="preset")
        from sim.patients import Patient
        values = _overrides(args.set, {n for n, p in PARAMETERS.items()
                                       if p.group == "patient"})
        response = published_rate_response(rates, Patient(**values))
    else:
        if args.preset is None and args.config is None:
            args.preset = "scs-tonic"
        response = session_rate_response(_session_from_args(args), rates)
    rows = _clean(response.rows())
    if args.json:
        _print_json(rows)
        return 0
    print(f"rate response ({response.protocol}): WDR output as % of its rate without "
          "stimulation, pain reduction against no stimulation")
    print(f"{'rate [Hz]':>10s} {'WDR [%]':>9s} {'pain -%':>8s} {'paresthesia':>12s}")
    for r in rows:
        print(f"{_num(r['rate_hz']):>10s} {_num(r['wdr_pct_of_baseline']):>9s} "
              f"{_num(r['pain_reduction_pct']):>8s} {_num(r['paresthesia']):>12s}")
    f_min, w_min = response.deepest
    print(f"deepest inhibition {_num(w_min)} % at {_num(f_min)} Hz; back to baseline at "
          f"{_num(response.back_to_baseline_hz)} Hz")
    if response.protocol != "session":
        print("above that rate the WDR output exceeds its baseline: the stimulated Aβ "
              "activity itself (every fibre following every pulse), felt as paresthesia")
    return 0


def _rates_arg(text: str | None) -> list[float] | None:
    """Parse ``--rates 2,5,10`` into validated rates [Hz]."""
    if text is None:
        return None
    parts = [t.strip() for t in text.split(",") if t.strip()]
    if not parts:
        raise ParameterError(f"--rates {text!r}: give rates in Hz separated by commas, e.g. "
                             "--rates 2,10,50,100", name="rate_hz", value=text)
    return [float(PARAMETERS["rate_hz"].validate(_float_text("rate_hz", t))) for t in parts]


def _register_rate_response(sub: Any) -> None:
    p = sub.add_parser(
        "rate-response", help="WDR output, pain relief and paresthesia at each pulse rate",
        description="Without --patient: the published protocol of Zhang, Janik & Grill 2014 "
                    "(healthy dorsal horn with ongoing C input, every dorsal-column fibre "
                    "recruited; --set inhibition_efficacy=0.5 for their reduced-GABA "
                    "condition). With --patient: that patient on a program (default "
                    "scs-tonic) at each rate.")
    src = p.add_mutually_exclusive_group()
    src.add_argument("--preset", metavar="PRESET", help="program preset (with --patient)")
    src.add_argument("--config", metavar="FILE.json", help="session document (with --patient)")
    p.add_argument("--patient", metavar="NAME", help="patient preset name")
    p.add_argument("--rates", metavar="F1,F2,...",
                   help="pulse rates in Hz (default 2 Hz to 10 kHz, those the pulse fits)")
    _add_set(p)
    p.add_argument("--json", action="store_true", help="print one JSON object per rate")
    p.set_defaults(func=cmd_rate_response, treatment=None, duration_s=None)


def _patient_label(args: argparse.Namespace) -> str:
    """The patient as the diagnosis commands name it: the preset and any ``--set``."""
    return args.patient + (f" with {', '.join(args.set)}" if args.set else "")


def cmd_ncs(args: argparse.Namespace) -> int:
    from sim.ncs import nerve_conduction_study

    if args.motor:
        return _cmd_motor(args)
    pat = _patient_from_args(args)
    distance = _float_text("ncs_distance_mm", args.distance_mm)
    extra = [_float_text("ncs_record_distances_mm", x) for x in args.record_mm or ()]
    r = nerve_conduction_study(pat, nerve=args.nerve or "sural", distance_mm=distance,
                               record_distances_mm=extra or None)
    label = _patient_label(args)
    if args.json:
        _print_json(_clean({**r.to_dict(), "patient": label}))
        return 0
    print(f"{r.to_dict()['nerve_label']} nerve conduction study, {_num(r.distance_mm)} mm, "
          f"patient {label}")
    print(f"{'measure':38s} {'value':>10s}  {'normal limit':21s} verdict")
    for m in r.measures:
        digits = 2 if m.unit == "ms" else 1
        value = "absent" if not math.isfinite(m.value) else f"{m.value:.{digits}f} {m.unit}"
        limit = "none at this distance" if m.limit is None else \
            f"{'>=' if m.kind == 'min' else '<='} {m.limit:.{digits}f} {m.unit}"
        verdict = "-" if m.normal is None else ("normal" if m.normal else "ABNORMAL")
        print(f"{m.label:38s} {value:>10s}  {limit:21s} {verdict}")
    print(f"velocity: {r.velocity_method}")
    print("study: " + ("normal" if r.normal else "ABNORMAL"))
    for finding in r.abnormal:
        print(f"  - {finding}")
    for note in r.notes:
        print(f"note: {note}")
    return 0


def _cmd_motor(args: argparse.Namespace) -> int:
    from sim.motor import motor_conduction_study

    if args.record_mm or args.distance_mm != "140":
        raise ParameterError("--distance-mm and --record-mm set a sensory study's recording "
                             "sites; a motor study (--motor) stimulates at its standard sites",
                             name="motor")
    pat = _patient_from_args(args)
    r = motor_conduction_study(pat, args.nerve or "median")
    label = _patient_label(args)
    if args.json:
        _print_json(_clean({**r.to_dict(), "patient": label}))
        return 0
    print(f"{r.label} nerve conduction study (recording {r.muscle}), patient {label}")
    print(f"{'site':20s} {'latency':>9s} {'amplitude':>10s} {'segment velocity':>17s}")
    for site in r.sites:
        lat = "absent" if not math.isfinite(site.onset_latency_ms) else \
            f"{site.onset_latency_ms:.2f} ms"
        cv = "" if not math.isfinite(site.segment_velocity_m_per_s) else \
            f"{site.segment_velocity_m_per_s:.1f} m/s"
        print(f"{site.site:20s} {lat:>9s} {site.amplitude_mV:7.1f} mV {cv:>17s}"
              + ("  BLOCK" if site.block else ""))
    for m in r.measures:
        value = "absent" if not math.isfinite(m.value) else f"{m.value:.2f} {m.unit}"
        limit = f"{'>=' if m.kind == 'min' else '<='} {m.limit:g} {m.unit}"
        verdict = "-" if m.normal is None else ("normal" if m.normal else "ABNORMAL")
        print(f"{m.label:42s} {value:>10s}  {limit:12s} {verdict}")
    print("study: " + ("normal" if r.normal else "ABNORMAL"))
    for finding in r.abnormal:
        print(f"  - {finding}")
    return 0


def cmd_emg(args: argparse.Namespace) -> int:
    from sim.emg import needle_emg, write_wav

    pat = _patient_from_args(args)
    effort = None if args.effort is None else _float_text("emg_effort", args.effort)
    r = needle_emg(pat, args.muscle, effort=effort)
    if args.wav:
        write_wav(r, args.wav)
    label = _patient_label(args)
    if args.json:
        _print_json(_clean({**r.to_dict(trace=args.trace), "patient": label}))
        return 0
    u, rec = r.mups, r.recruitment
    print(f"Needle EMG of {r.muscle_label} ({r.nerve}; roots "
          f"{', '.join(r.roots)}), patient {label}")
    print("spontaneous activity: "
          + (f"fibrillations and positive sharp waves {r.fibrillation_grade}+"
             if r.fibrillations else "none"))
    print(f"motor units: {u.mean_duration_ms:.1f} ms (normal mean {u.normal_duration_ms:.1f}),"
          f" {u.mean_amplitude_uV / 1000:.2f} mV, {u.polyphasic_percent:.0f} % polyphasic: "
          f"{u.verdict}")
    print(f"recruitment: {rec.units_seen} unit(s) seen, fastest {rec.fastest_rate_hz:.0f} Hz,"
          f" ratio {rec.recruitment_ratio:.1f}: {rec.pattern}")
    for finding in r.findings:
        print(f"  - {finding}")
    if args.wav:
        print(f"sound written to {args.wav}")
    return 0


def _register_emg(sub: Any) -> None:
    p = sub.add_parser("emg", help="needle EMG of one muscle: spontaneous activity, motor "
                                   "units, recruitment")
    p.add_argument("--patient", required=True, metavar="NAME", help="patient preset name")
    p.add_argument("--muscle", default=PARAMETERS["emg_muscle"].default, metavar="NAME",
                   help="muscle examined (" + ", ".join(PARAMETERS["emg_muscle"].choices)
                   + ")")
    p.add_argument("--effort", default=None, metavar="X",
                   help="voluntary force, fraction of a healthy maximum (0 = rest; default "
                        f"{PARAMETERS['emg_effort'].default:g})")
    p.add_argument("--wav", metavar="FILE", help="write the trace as a WAV sound file")
    p.add_argument("--trace", action="store_true", help="with --json: include the trace")
    p.add_argument("--set", action="append", metavar="KEY=VALUE",
                   help="override a patient field (repeatable), e.g. --set "
                        "lesion_age_days=10")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=cmd_emg)


def cmd_localise(args: argparse.Namespace) -> int:
    from sim.localise import localise

    pat = _patient_from_args(args)
    r = localise(pat)
    label = _patient_label(args)
    if args.json:
        _print_json(_clean({**r.to_dict(), "patient": label}))
        return 0
    print(f"Electrodiagnostic report, patient {label}")
    print(f"lesion site: {r.site}")
    print(f"conclusion: {r.conclusion}")
    for line in r.reasoning:
        print(f"  - {line}")
    return 0


def _register_localise(sub: Any) -> None:
    p = sub.add_parser("localise", help="where is the lesion? conduction studies and EMG "
                                        "read as a clinician would")
    p.add_argument("--patient", required=True, metavar="NAME", help="patient preset name")
    p.add_argument("--set", action="append", metavar="KEY=VALUE",
                   help="override a patient field (repeatable)")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=cmd_localise)


def _float_text(name: str, text: str) -> float:
    """A number typed on the command line, or a ParameterError naming ``name``."""
    try:
        return float(text)
    except (TypeError, ValueError):
        raise ParameterError(f"{name}={text!r} is not a number; expected "
                             f"{PARAMETERS[name].range_text}", name=name, value=text) from None


def _register_ncs(sub: Any) -> None:
    p = sub.add_parser("ncs", help="sensory nerve conduction study (SNAP) of a patient")
    p.add_argument("--patient", required=True, metavar="NAME", help="patient preset name")
    p.add_argument("--nerve", default=None, metavar="NERVE",
                   help="nerve tested: sensory sural|median|ulnar|superficial-peroneal "
                        "(default sural); with --motor median|ulnar|peroneal|tibial "
                        "(default median)")
    p.add_argument("--motor", action="store_true",
                   help="motor study: CMAP at each stimulation site, distal latency, "
                        "velocity, conduction block, F wave")
    p.add_argument("--distance-mm", default="140", metavar="X",
                   help="stimulus to active electrode [mm] (default 140, the standard)")
    p.add_argument("--record-mm", action="append", metavar="X",
                   help="a further recording site [mm] (repeatable); velocity is then "
                        "measured between sites")
    p.add_argument("--set", action="append", metavar="KEY=VALUE",
                   help="override a patient field (repeatable), e.g. --set axonal_loss=0.3")
    p.add_argument("--json", action="store_true", help="print JSON (measures and trace)")
    p.set_defaults(func=cmd_ncs)


def _patient_from_args(args: argparse.Namespace):
    """The ``--patient`` preset with ``--set`` patient-field overrides."""
    import dataclasses

    from sim.patients import Patient, patient
    return patient(args.patient, **_overrides(args.set, {f.name for f in
                                                         dataclasses.fields(Patient)}))


def cmd_exam(args: argparse.Namespace) -> int:
    from sim.exam import STIMULI, examine

    pat = _patient_from_args(args)
    stimuli = list(STIMULI) if args.stimulus == "all" else [args.stimulus]
    intensity = None if args.intensity is None else _float_text("event_intensity",
                                                                args.intensity)
    found = [examine(pat, s, intensity) for s in stimuli]
    if args.json:
        data = [f.to_dict() for f in found]
        if not args.trace:
            for d in data:
                d.pop("trace")
        _print_json(_clean(data if len(data) > 1 else data[0]))
        return 0
    print(f"bedside examination, patient {args.patient}")
    print(f"{'test':9s} {'fibres':38s} {'felt':>5s} {'pain':>11s} {'healthy':>8s}  finding")
    for f in found:
        print(f"{f.stimulus:9s} {f.fibres:38s} {100 * f.detected:4.0f}% "
              f"{f.pain_before_nrs:4.1f} → {f.pain_during_nrs:4.1f} "
              f"{f.healthy_evoked_nrs:+7.1f}  {f.finding}")
    for f in found:
        print(f"{f.stimulus}: {f.explanation}")
    return 0


def _register_exam(sub: Any) -> None:
    from sim.exam import STIMULI
    p = sub.add_parser("exam", help="bedside examination: brush, pinprick, cold, warm, "
                                    "pressure")
    p.add_argument("--patient", required=True, metavar="NAME", help="patient preset name")
    p.add_argument("--stimulus", default="all", choices=[*STIMULI, "all"],
                   help="which test (default all five)")
    p.add_argument("--intensity", metavar="X",
                   help="stimulus intensity (default: each test's ordinary stimulus)")
    p.add_argument("--set", action="append", metavar="KEY=VALUE",
                   help="override a patient field (repeatable), e.g. --set small_fibre_loss=0.5")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.add_argument("--trace", action="store_true", help="include the pain trace in the JSON")
    p.set_defaults(func=cmd_exam)


def cmd_course(args: argparse.Namespace) -> int:
    from sim.mood import Course, simulate_course

    session = _session_from_args(args)
    days = float(PARAMETERS["course_days"].validate(_float_text("course_days", args.days)))
    day0 = _course_day("--treatment-from-day", "treatment_day", args.treatment_from_day, days)
    if day0 is not None:
        if not session.treatments:
            raise ParameterError(f"--treatment-from-day {args.treatment_from_day}: there is no "
                                 "treatment to start; add --treatment NAME (or choose a "
                                 "treatment --preset)", name="treatment_day", value=day0)
        session = session.replace(treatments=tuple(
            tr.replace(treatment_day=day0) for tr in session.treatments))
    for tr in session.treatments:  # a preset's own day (or --set treatment_day) may be late
        if tr.info.day_range != (0.0, 0.0) and tr.treatment_day > days:
            raise ParameterError(
                f"treatment {tr.kind} starts on course day {tr.treatment_day:g} (its "
                f"treatment_day), after the end of the {days:g}-day course; choose "
                f"--treatment-from-day 0..{days:g} days (or a longer --days)",
                name="treatment_day", value=tr.treatment_day)
    course = Course(
        session,
        days=days,
        step_h=_float_text("course_step_h", args.step_h),
        stimulation_from_day=_course_day("--stimulation-from-day", "stimulation_from_day",
                                         args.stimulation_from_day, days),
        psychological_therapy_from_day=_course_day(
            "--therapy-from-day", "psychological_therapy_from_day", args.therapy_from_day,
            days),
        decompression_day=_course_day("--decompression-day", "decompression_day",
                                      args.decompression_day, days),
        physiotherapy_from_day=_course_day("--physiotherapy-from-day",
                                           "physiotherapy_from_day",
                                           args.physiotherapy_from_day, days),
        education_from_day=_course_day("--education-from-day", "education_from_day",
                                       args.education_from_day, days),
        hba1c_pct=None if args.hba1c is None else _float_text("hba1c_pct", args.hba1c))
    result = simulate_course(course)
    if args.csv:
        result.to_csv(args.csv)
    if args.json:
        _print_json(_clean(result.to_dict()))
        return 0
    print(f"{'day':>6s} {'pain':>6s} {'anxiety':>8s} {'depression':>11s} "
          f"{'movement limit':>15s}")
    every = 7 if result.day[-1] <= 365 else 91     # weeks, or quarters over years
    for d in sorted({0.0, *range(every, int(result.day[-1]) + 1, every),
                     float(result.day[-1])}):
        print(f"{d:6g} {result.at('pain_nrs', d):6.1f} {10 * result.at('anxiety', d):8.1f} "
              f"{10 * result.at('depression', d):11.1f} "
              f"{10 * result.at('movement_limitation', d):15.1f}")
    s = result.summary
    c = result.course
    if c.physiotherapy_from_day is not None or c.decompression_day is not None \
            or c.education_from_day is not None or float(s["muscle_mass_end"] or 1) < 1:
        print(f"muscle mass {100 * float(s['muscle_mass_end'] or 0):.0f} %, range of motion "
              f"{100 * float(s['range_of_motion_end'] or 0):.0f} %, pain-related fear "
              f"{10 * float(s['fear_end'] or 0):.1f}/10, central sensitisation "
              f"{10 * float(s['central_sensitisation_end'] or 0):.1f}/10 at the end")
    if c.hba1c_pct is not None:
        onset = s["pain_onset_day"]
        print(f"HbA1c {c.hba1c_pct:g} %: axonal loss {100 * float(s['axonal_loss_end'] or 0):.0f}"
              f" %, sural amplitude {s['sural_amplitude_start_uV']:.1f} → "
              f"{s['sural_amplitude_end_uV']:.1f} µV; moderate pain "
              + (f"from day {onset:g}" if onset is not None else "never reached"))
    print(f"pain {s['pain_start_nrs']:.1f} → {s['pain_end_nrs']:.1f} NRS, of which "
          f"{s['pain_from_mood_end_nrs']:+.1f} from mood at the end (mood on 0-10 scales; "
          "movement limitation is qualitative)")
    if args.csv:
        print(f"series written to {args.csv}{_metadata_note(args.csv, 'units and settings')}")
    return 0


def _course_day(flag: str, name: str, text: str | None, days: float) -> float | None:
    """A course day typed after ``flag``: a number in 0..``days`` (the course length), or
    None when the flag is not given. A day after the end would silently do nothing."""
    if text is None:
        return None
    try:
        day = float(text)
    except ValueError:
        raise ParameterError(f"{flag} {text!r} is not a number; expected a course day "
                             f"0..{days:g} days", name=name, value=text) from None
    if not (math.isfinite(day) and 0 <= day <= days):
        raise ParameterError(f"{flag} {text} days is outside the course: 0..{days:g} days "
                             f"(the course length, --days {days:g})", name=name, value=day)
    return day


def _register_course(sub: Any) -> None:
    p = sub.add_parser("course", help="pain and mood over days to weeks, care over years "
                                      "(teaching model)")
    _add_session_source(p, duration=False)
    days, step = PARAMETERS["course_days"].default, PARAMETERS["course_step_h"].default
    p.add_argument("--days", default=f"{days:g}", metavar="N",
                   help=f"course length [days] ({days:g})")
    p.add_argument("--step-h", default=f"{step:g}", metavar="H",
                   help=f"time step [h] ({step:g})")
    p.add_argument("--stimulation-from-day", metavar="D",
                   help="switch the program on from this day (default: never)")
    p.add_argument("--therapy-from-day", metavar="D",
                   help="psychological therapy for mood from this day (default: never)")
    p.add_argument("--treatment-from-day", metavar="D",
                   help="course day the --treatment drugs start (default: the preset's)")
    p.add_argument("--decompression-day", metavar="D",
                   help="surgery freeing the compressed nerve or root on this day (carpal "
                        "tunnel release, discectomy; default: never)")
    p.add_argument("--physiotherapy-from-day", metavar="D",
                   help="graded activity / physiotherapy from this day (default: never)")
    p.add_argument("--education-from-day", metavar="D",
                   help="pain neuroscience education from this day (default: never)")
    p.add_argument("--hba1c", metavar="PCT",
                   help="HbA1c [%%] of a diabetic patient, held over the course: axonal loss "
                        "progresses at its rate (default: no progression); use --days up to "
                        "3650 for years")
    p.add_argument("--json", action="store_true", help="print the series and summary as JSON")
    p.add_argument("--csv", metavar="FILE",
                   help="write the series as CSV (metadata in FILE.json beside it)")
    p.set_defaults(func=cmd_course)


def _int_arg(name: str) -> Callable[[str], int]:
    """argparse type that validates an integer through its declaration."""
    def parse(text: str) -> int:
        try:
            return PARAMETERS[name].validate(float(text))
        except ValueError as exc:
            if isinstance(exc, ParameterError):
                raise argparse.ArgumentTypeError(str(exc)) from None
            raise argparse.ArgumentTypeError(f"{name}={text!r} is not a number") from None
    parse.__name__ = name
    return parse


def _register_sweep(sub: Any) -> None:
    p = sub.add_parser("sweep", help="run a session over a grid of parameter values")
    _add_session_source(p)
    p.add_argument("--vary", action="append", required=True, metavar="NAME=SPEC",
                   help="rate_hz=2:1000:log:30, amplitude_mA=0:6:13, "
                        "amplitude_mA=1:5:random:20 or pulses_per_burst=3,5,7 (repeatable)")
    add_executor_flags(p)
    p.add_argument("--seed", type=_int_arg("seed"), default=0, help="seed of random axes")
    p.add_argument("--max-runs", type=count_arg("max-runs", 1, 10**9), default=None,
                   metavar="N", help="most runs the grid may hold (default 1000000)")
    p.add_argument("--out", required=True, metavar="FILE",
                   help="results table (.csv, streamed and resumable, metadata in "
                        "FILE.json; or .parquet)")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=cmd_sweep)


def _add_set(p: argparse.ArgumentParser) -> None:
    p.add_argument("--set", action="append", metavar="KEY=VALUE",
                   help="override a declared parameter (repeatable), e.g. --set rate_hz=60")


#: Functions ``register(subparsers)`` that add further commands (run, recruit, dashboard...).
_EXTRA_COMMANDS: list[Callable[[Any], None]] = []


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``neuromod`` console script; returns the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        _print_commands(parser)
        return 0
    try:
        return int(args.func(args) or 0)
    except ParameterError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except BrokenPipeError:  # output piped into `head`: not an error
        return 0
    except OSError as exc:
        print(f"error: {exc.strerror or exc}: {getattr(exc, 'filename', '') or ''}",
              file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
