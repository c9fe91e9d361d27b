"""Declared parameters: validation messages, types, schema and CLI parsing."""
import math

import pytest

from sim import ParameterError
from sim.params import PARAMETERS, check_array, json_schema, parse_assignment


def test_out_of_range_message_names_parameter_value_unit_and_range():
    with pytest.raises(ParameterError) as exc:
        PARAMETERS["pulse_width_us"].validate(5000)
    assert str(exc.value) == "pulse_width_us=5000 is outside 10..1000 µs"
    assert exc.value.name == "pulse_width_us" and exc.value.value == 5000


def test_parameter_error_is_a_value_error():
    assert issubclass(ParameterError, ValueError)


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
def test_non_finite_numbers_rejected(bad):
    with pytest.raises(ParameterError, match=r"amplitude_mA=.*finite.*0..100 mA"):
        PARAMETERS["amplitude_mA"].validate(bad)


@pytest.mark.parametrize("bad", ["3", None, True, [1.0], {"a": 1}])
def test_wrong_types_rejected_for_numbers(bad):
    with pytest.raises(ParameterError, match=r"rate_hz=.*not a number.*1..10000 Hz"):
        PARAMETERS["rate_hz"].validate(bad)


def test_integer_parameter_requires_whole_number():
    assert PARAMETERS["pulses_per_burst"].validate(5.0) == 5
    assert isinstance(PARAMETERS["pulses_per_burst"].validate(5.0), int)
    with pytest.raises(ParameterError, match=r"pulses_per_burst=2.5 must be a whole number"):
        PARAMETERS["pulses_per_burst"].validate(2.5)


def test_choice_and_bool_and_pattern():
    with pytest.raises(ParameterError, match="therapy='dbs' is not one of 'scs', 'pns'"):
        PARAMETERS["therapy"].validate("dbs")
    with pytest.raises(ParameterError, match="cathodic_first=1 must be true or false"):
        PARAMETERS["cathodic_first"].validate(1)
    assert PARAMETERS["contacts"].validate("0-+0") == "0-+0"
    for bad in ("----", "++00", "0a-+", "-", "-+" * 9):
        with pytest.raises(ParameterError, match="contacts="):
            PARAMETERS["contacts"].validate(bad)


def test_every_default_validates_and_lies_in_range():
    for p in PARAMETERS.values():
        assert p.validate(p.default) == (tuple(p.default) if p.kind == "samples" else p.default)
        assert p.help and p.label, p.name
        if p.kind in ("float", "int"):
            assert p.minimum <= p.default <= p.maximum
            assert p.name.endswith(("_mA", "_us", "_hz", "_s", "_mm", "_mm2", "_ohm", "_mAh",
                                    "_uA", "_uC_per_cm2", "_pct", "_mg_per_day", "_min",
                                    "_day", "_days", "_h", "_nrs")) or p.unit == "", p.name


def test_samples_kind_rejects_out_of_range_and_non_numbers():
    p = PARAMETERS["custom_shape"]
    assert p.validate([-1, 0.5]) == (-1.0, 0.5)
    with pytest.raises(ParameterError, match="index 1"):
        p.validate([-1, 2.0])
    with pytest.raises(ParameterError, match="non-number at index 0"):
        p.validate(["x"])
    with pytest.raises(ParameterError, match="more than 1000 samples"):
        p.validate([0.0] * 1001)


def test_check_array_reports_first_bad_value():
    assert check_array("distance_mm", [1, 2], "mm", 0, include_minimum=False).shape == (2,)
    with pytest.raises(ParameterError, match=r"distance_mm=-1 is outside 0 \(exclusive\)..∞ mm"):
        check_array("distance_mm", [1, -1], "mm", 0, include_minimum=False)
    with pytest.raises(ParameterError, match="distance_mm=nan"):
        check_array("distance_mm", [math.nan], "mm", 0)
    with pytest.raises(ParameterError, match="not numeric"):
        check_array("distance_mm", ["a"], "mm", 0)


def test_parse_assignment_converts_by_declaration():
    assert parse_assignment("rate_hz=60") == ("rate_hz", 60.0)
    assert parse_assignment("pulses_per_burst=4") == ("pulses_per_burst", 4)
    assert parse_assignment("cathodic_first=false") == ("cathodic_first", False)
    assert parse_assignment("custom_shape=-1,0.5,0.5") == ("custom_shape", (-1.0, 0.5, 0.5))
    with pytest.raises(ParameterError, match="unknown parameter"):
        parse_assignment("frequency=50")
    with pytest.raises(ParameterError, match="rate_hz='fast' is not a number"):
        parse_assignment("rate_hz=fast")
    with pytest.raises(ParameterError, match="key=value"):
        parse_assignment("rate_hz")


def test_json_schema_mirrors_declarations():
    schema = json_schema("program")
    assert schema["additionalProperties"] is False
    pw = schema["properties"]["pulse_width_us"]
    assert (pw["minimum"], pw["maximum"], pw["type"]) == (10.0, 1000.0, "number")
    assert schema["properties"]["therapy"]["enum"] == ["scs", "pns", "tens", "drg", "off"]


def test_set_accepts_a_renamed_parameter_under_its_new_name():
    from sim.params import parse_assignment
    assert parse_assignment("sensitisation_gain=0.5") == ("windup_gain", 0.5)
