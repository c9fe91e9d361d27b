"""Lesson files: the six shipped lessons load, their answers are the model's, and a bad lesson
file is refused naming the step (numbered from 1) and the field."""
from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from sim.lesson import (
    LESSON_DIR,
    Lesson,
    LessonError,
    lesson_names,
    load_lesson,
)
from sim.params import ParameterError

ROOT = Path(__file__).resolve().parents[1]


def _doc(name: str = "01-gate-control-and-rate") -> dict:
    return json.loads((LESSON_DIR / f"{name}.json").read_text())


def test_six_lessons_ship_one_per_notebook_theme():
    names = lesson_names()
    assert len(names) == 6
    for name in names:
        lesson = load_lesson(name)
        assert lesson.title and len(lesson.steps) >= 3
        assert (ROOT / "notebooks" / f"{lesson.notebook}.py").exists()
        assert sum(s.question is not None for s in lesson.steps) >= 2
        assert Lesson.from_dict(lesson.to_dict()).to_dict() == lesson.to_dict()


def test_answers_are_computed_by_the_model():
    # Tonic SCS is the only paresthesia-based program of the three: burst and 10 kHz are
    # paresthesia-free (De Ridder et al. 2010 Neurosurgery; Kapural et al. 2015 Anesthesiology).
    lesson = load_lesson("03-10khz-vs-tonic")
    step = next(i for i, s in enumerate(lesson.steps)
                if s.question and s.question.quantity == "paresthesia")
    ans = lesson.answer(step)
    assert lesson.steps[step].question.choices[int(ans.value)].label.startswith("Tonic")
    assert ans.values[1] == 0 and ans.values[2] == 0
    # The 10 kHz effect builds over days (Kapural et al. 2015): little on day 0, much by day 90.
    day0, day90 = (lesson.answer(i).value for i in (2, 3))
    assert day0 < 10 < 50 < day90


def test_conduction_study_answers_against_the_normal_limit():
    # A sural SNAP of at least 6 µV is normal (Preston & Shapiro 2013, Electromyography and
    # Neuromuscular Disorders, normal adult values):
    # small-fibre neuropathy spares it, axonal diabetic neuropathy does not.
    lesson = load_lesson("06-normal-ncs-in-small-fibre-neuropathy")
    assert lesson.answer(0).value >= 6.0
    a = lesson.answer(1)
    assert lesson.steps[1].question.choices[int(a.value)].label == "Painful diabetic neuropathy"
    assert a.values[int(a.value)] < 6.0 <= min(a.values[0], a.values[1])


def test_c_fibres_stay_silent_and_healthy_brush_does_not_hurt():
    # Unmyelinated C fibres (0.2-1.5 µm) have thresholds far above the Aβ fibres' under
    # extracellular stimulation (Rattay 1986, IEEE Trans Biomed Eng): none fire here.
    assert load_lesson("02-fibres-and-pulse-width").answer(2).value == 0.0
    # Brushing healthy skin is touch, not pain (definition of allodynia, IASP terminology).
    assert load_lesson("04-allodynia-and-wind-up").answer(0).value == 0.0


def _refused(doc: dict) -> LessonError:
    with pytest.raises(LessonError) as info:
        Lesson.from_dict(doc)
    return info.value


@pytest.mark.parametrize("mutate, where", [
    (lambda d: d["steps"][1]["question"].update(unit="mA"), "step 2, question.unit"),
    (lambda d: d["steps"][2]["session"]["program"].update(amplitude_mA=1e6),
     "step 3, session.amplitude_mA"),
    (lambda d: d["steps"][0].update(views=["session", "movie"]), "step 1, views"),
    (lambda d: d["steps"][3].pop("caption"), "step 4, caption"),
    (lambda d: d["steps"][2]["question"]["choices"][1]["change"]["program"].update(
        rate_hz=-5), "step 3, question.choices[1].change.rate_hz"),
    (lambda d: d["steps"][1]["question"].update(quantity="happiness"),
     "step 2, question.quantity"),
    (lambda d: d["steps"][1]["question"].update(answer=42), "step 2, question.answer"),
    (lambda d: d["steps"][1]["question"].update(min=100, max=0), "step 2, question.max"),
])
def test_a_bad_step_is_refused_with_its_number_and_field(mutate, where):
    doc = copy.deepcopy(_doc())
    mutate(doc)
    err = _refused(doc)
    assert str(err).startswith(where), str(err)
    assert isinstance(err, ParameterError)


def test_a_typed_answer_is_refused_the_model_computes_it():
    doc = _doc()
    doc["steps"][1]["question"]["answer"] = 25
    assert "unknown key" in str(_refused(doc))


def test_bad_files_are_one_clear_error(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text('{"lesson_version": 1, "title": "x", "steps": [')
    with pytest.raises(LessonError, match="not valid JSON at line 1"):
        load_lesson(bad)
    with pytest.raises(LessonError, match="cannot read the lesson file"):
        load_lesson(tmp_path / "missing.json")
    with pytest.raises(LessonError, match="lesson_version"):
        Lesson.from_dict({"title": "x", "steps": []})


def test_student_answers_are_checked_against_the_question():
    lesson = load_lesson("01-gate-control-and-rate")
    number, choice = lesson.steps[1].question, lesson.steps[2].question
    assert number.check_answer("12,5") == 12.5
    assert choice.check_answer(3) == 3.0
    for q, bad in ((number, 101), (number, "lots"), (number, float("nan")), (choice, 4),
                   (choice, 1.5), (choice, True)):
        with pytest.raises(ParameterError):
            q.check_answer(bad)
