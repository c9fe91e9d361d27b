"""The ``neuromod`` command line.

Every command accepts ``--set key=value`` overrides validated through the parameter
declarations; a bad value prints the :class:`~sim.params.ParameterError` message (never a
traceback) and exits with status 2.
"""
from __future__ import annotations

import argparse
import json
import math
import sys
from typing import Any, Callable, Sequence

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


# --------------------------------------------------------------------------------------------
def cmd_presets(args: argparse.Namespace) -> int:
    from sim.presets import PROGRAM_PRESETS

    rows = [("program", p.name, p.title) for p in PROGRAM_PRESETS.values()]
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
        print(f"{kind:8s} {name:{width}s}  {title}")
    return 0


def cmd_program_show(args: argparse.Namespace) -> int:
    from sim.presets import program
    from sim.safety import safety_report
    from sim.waveforms import Program
    import dataclasses

    fields = {f.name for f in dataclasses.fields(Program)}
    prog = program(args.name, **_overrides(args.set, fields))
    report = safety_report(prog)
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
    for w in report.warnings:
        print(f"WARNING: {w}")
    return 0


# --------------------------------------------------------------------------------------------
def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``neuromod`` (exposed for tests and documentation)."""
    parser = argparse.ArgumentParser(
        prog="neuromod",
        description="Neuromodulation session simulator for neuropathic pain: programs, "
                    "fibre recruitment, dorsal-horn gate, pain over a session.")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True

    p = sub.add_parser("presets", help="list program and patient presets")
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
    for register in _EXTRA_COMMANDS:
        register(sub)
    return parser


def _add_set(p: argparse.ArgumentParser) -> None:
    p.add_argument("--set", action="append", metavar="KEY=VALUE",
                   help="override a declared parameter (repeatable), e.g. --set rate_hz=60")


#: Functions ``register(subparsers)`` that add further commands (run, recruit, dashboard...).
_EXTRA_COMMANDS: list[Callable[[Any], None]] = []


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``neuromod`` console script; returns the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except ParameterError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except OSError as exc:
        print(f"error: {exc.strerror or exc}: {getattr(exc, 'filename', '') or ''}",
              file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
