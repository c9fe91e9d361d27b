"""The CSV files the project writes: one header row, units in the names, metadata beside.

Every CSV written by :mod:`sim` (a session's series, a course's series, sweep and cohort
tables) and the dashboard's CSV download follow the same rules, so that a plain
``pandas.read_csv(path)`` or a spreadsheet opens it as data:

* **One header row, no comment lines.** Each column name carries its unit as a suffix, as
  every quantity in the code does (``t_s``, ``amplitude_mA``, ``charge_per_hour_uC``,
  ``pain_nrs``). Names that lack it gain it in the header (:data:`COLUMN_NAMES`: the 0-10
  ratings end in ``_0to10``); dimensionless values (unit ``1``: drives, fractions), flags and
  text carry no unit.
* **Metadata in a JSON sidecar**, ``<file>.json`` beside the file (``results.csv`` ->
  ``results.csv.json``; :func:`sidecar_path`): the unit of every column, the version, the
  session and parameters, and for sweeps the signature that resumes them. It is written to a
  temporary file and renamed into place (:func:`write_sidecar`). Parquet tables carry the same
  document in their schema metadata (key ``neuromod``). The dashboard's CSV download is the CSV
  alone: the session document (its JSON download) is its metadata.
* **Numbers without float noise**: 12 significant digits (:func:`tidy`), so
  ``3.4000000000000004`` is written ``3.4`` and a typed value comes back exactly.
* **No formulas**: a text cell beginning with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
  return (or a quote) is written with a leading ``'`` (the OWASP rule against CSV injection);
  :func:`unescape_text` takes it off again. Numbers, negative ones included, stay numbers.
"""
from __future__ import annotations

import contextlib
import json
import math
import os
import tempfile
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["FORMAT", "FORMAT_VERSION", "SIGNIFICANT_DIGITS", "COLUMN_NAMES", "column_name",
           "key_name", "tidy", "tidy_row", "cell", "escape_text", "unescape_text",
           "sidecar_path", "write_sidecar", "read_sidecar", "metadata", "column_units",
           "register_units",
           "write_text_atomic", "write_csv"]

#: ``format`` of every sidecar (and of the ``neuromod`` metadata of a Parquet table).
FORMAT = "neuromod-table"
#: Version of that layout; raised when a reader would need to know.
FORMAT_VERSION = 1
#: Significant digits of the numbers written (a float holds 15-17; the last ones are noise).
SIGNIFICANT_DIGITS = 12
#: Header name of a column whose key lacks its unit (everything else keeps its key).
COLUMN_NAMES: dict[str, str] = {
    "paresthesia": "paresthesia_0to10",
    "discomfort": "discomfort_0to10",
    "numbness": "numbness_0to10",
    "pain_without_mood": "pain_without_mood_nrs",
}
_KEYS = {v: k for k, v in COLUMN_NAMES.items()}
#: First characters that make a spreadsheet read a text cell as a formula (and the quote
#: that escapes them, so that escaping can be undone exactly).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "'")


def column_name(key: str) -> str:
    """The header name of the column holding ``key`` (its unit added where it lacks one)."""
    return COLUMN_NAMES.get(key, key)


def key_name(column: str) -> str:
    """The key of a header name (inverse of :func:`column_name`)."""
    return _KEYS.get(column, column)


def tidy(x: Any) -> Any:
    """``x`` rounded to :data:`SIGNIFICANT_DIGITS` significant digits if it is a finite
    float (``3.4000000000000004`` -> ``3.4``); anything else unchanged."""
    if isinstance(x, (float, np.floating)) and math.isfinite(x):
        return float(f"{x:.{SIGNIFICANT_DIGITS}g}")
    return x


def tidy_row(row: Mapping[str, Any]) -> dict[str, Any]:
    """A row with every finite float :func:`tidy`'d."""
    return {k: tidy(v) for k, v in row.items()}


def escape_text(text: str) -> str:
    """``text`` with a leading ``'`` if a spreadsheet would run it as a formula (it begins
    with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return) or it begins with a quote."""
    return "'" + text if text.startswith(_FORMULA_START) else text


def unescape_text(text: str) -> str:
    """Undo :func:`escape_text`."""
    return text[1:] if text.startswith("'") else text


def cell(v: Any) -> str:
    """The CSV text of one value: ``""`` for None, numbers to 12 significant digits (a float
    keeps its ``.0``, so it reads back as a float), ``True``/``False``, text escaped."""
    if v is None:
        return ""
    if isinstance(v, (bool, np.bool_)):
        return "True" if v else "False"
    if isinstance(v, (int, np.integer)):
        return str(int(v))
    if isinstance(v, (float, np.floating)):
        return repr(tidy(float(v)))
    return escape_text(str(v))


def sidecar_path(path: str | os.PathLike) -> Path:
    """The JSON sidecar of the table at ``path``: the same name with ``.json`` added
    (``results.csv`` -> ``results.csv.json``), so it never takes the name of a session
    document kept beside it (``results.json``)."""
    path = Path(path)
    return path.with_name(path.name + ".json")


def _json_safe(obj: Any) -> Any:
    """JSON types only: tuples to lists, numpy scalars to Python, NaN and inf to None."""
    if isinstance(obj, Mapping):
        return {str(k): _json_safe(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_json_safe(v) for v in obj]
    if isinstance(obj, np.ndarray):
        return _json_safe(obj.tolist())
    if isinstance(obj, (np.bool_,)):
        return bool(obj)
    if isinstance(obj, np.integer):
        return int(obj)
    if isinstance(obj, (float, np.floating)):
        return float(obj) if math.isfinite(obj) else None
    return obj


def metadata(kind: str, columns: Iterable[str] | None = None,
             units: Mapping[str, str | None] | None = None, **extra: Any) -> dict[str, Any]:
    """The sidecar document of a table.

    Parameters
    ----------
    kind : str
        What the table holds: ``session-series``, ``course-series``, ``sweep``, ``cohort``.
    columns : iterable of str, optional
        The header names, in order.
    units : mapping, optional
        Unit of each column by header name (``1``: dimensionless; ``""``: flags, text and
        indices; None: not known).
    **extra
        Anything else worth keeping (session document, parameters, seed, signature...), as
        JSON types.
    """
    from sim import __version__
    doc: dict[str, Any] = {"format": FORMAT, "format_version": FORMAT_VERSION, "kind": kind,
                           "neuromod_version": __version__}
    if columns is not None:
        doc["columns"] = list(columns)
    if units is not None:
        doc["units"] = dict(units)
    doc.update({k: v for k, v in extra.items() if k not in doc})
    return _json_safe(doc)


#: Units of the columns that are not declared parameters, by key: each module that writes a
#: table registers its own (:func:`register_units`: the session's series and summary, a
#: course's series, a cohort's trial measures), so this module imports none of them.
_UNITS: dict[str, str] = {"run_id": "", "t_s": "s"}


def register_units(units: Mapping[str, str]) -> None:
    """Declare the units of a table's columns (by key) for :func:`column_units`."""
    _UNITS.update(units)


def column_units(keys: Iterable[str]) -> dict[str, str | None]:
    """The unit of each column by header name, for the keys of a table's rows: the registered
    units (:func:`register_units`) and the parameter declarations (``1`` for a dimensionless
    number, ``""`` for flags, text and ``run_id``, None for a column nothing declares)."""
    from sim.params import PARAMETERS

    out: dict[str, str | None] = {}
    for key in keys:
        if key in _UNITS:
            unit = _UNITS[key]
        elif key in PARAMETERS:
            p = PARAMETERS[key]
            unit = p.unit or ("1" if p.kind in ("float", "int") else "")
        else:
            unit = None
        out[column_name(key)] = unit
    return out


def write_text_atomic(path: str | os.PathLike, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file in the same folder, fsync'd and
    renamed into place: ``path`` is the old file or the whole new one, never a part."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    with contextlib.suppress(OSError):  # the rename itself survives a power cut
        dfd = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(dfd)
        finally:
            os.close(dfd)


def write_sidecar(path: str | os.PathLike, meta: Mapping[str, Any]) -> Path:
    """Write the sidecar of the table at ``path`` (atomically: :func:`write_text_atomic`);
    return its path."""
    side = sidecar_path(path)
    write_text_atomic(side, json.dumps(_json_safe(meta), indent=2, ensure_ascii=False,
                                       allow_nan=False) + "\n")
    return side


def write_csv(path: str | os.PathLike, text: str, meta: Mapping[str, Any]) -> None:
    """Write the CSV ``text`` to ``path`` and its metadata to the sidecar beside it; a path
    that is not a regular file (``/dev/stdout``, a pipe) gets no sidecar."""
    with open(path, "w", encoding="utf-8", newline="") as fh:
        fh.write(text)
    if Path(path).is_file():
        write_sidecar(path, meta)


#: Largest sidecar read back [bytes] (one holds a session document and a few names).
MAX_SIDECAR_BYTES = 4_000_000


def read_sidecar(path: str | os.PathLike) -> dict[str, Any] | None:
    """The sidecar of the table at ``path``, or None if there is none or it is not one (not a
    regular file, too large, not JSON, not of :data:`FORMAT`)."""
    side = sidecar_path(path)
    try:
        if not side.is_file() or side.stat().st_size > MAX_SIDECAR_BYTES:
            return None
        doc = json.loads(side.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return doc if isinstance(doc, dict) and doc.get("format") == FORMAT else None
