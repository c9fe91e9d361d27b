"""The Diagnosis tab: figure builders and callbacks, called directly."""
import plotly.graph_objects as go

from dashboard import diagnosis as D
from dashboard.figures import FigureOptions
from sim.patients import patient
from sim.presets import program, treatment
from sim.session import Session


def _doc(name="small-fibre-neuropathy", prog="scs-tonic", treatments=()):
    return Session(program=program(prog), patient=patient(name),
                   treatments=treatments).to_dict()


def _validate(fig):
    go.Figure(fig.to_dict())         # plotly's schema accepts the unvalidated spec


def test_exam_callback_shows_cold_allodynia_for_the_session_patient():
    fig, text = D.exam_update("cold", _doc(), {"lecture": False})
    _validate(fig)
    assert "allodynia" in fig.layout.title.text and "Cool burns" in text
    names = [tr.name for tr in fig.data]
    assert names == ["healthy", "patient"]
    # the healthy comparison stays flat at 0 while the patient's pain rises
    assert max(fig.data[0].y) < 0.1 and max(fig.data[1].y) > 7


def test_exam_callback_for_the_healthy_patient_is_normal():
    _, text = D.exam_update("brush", _doc("healthy"), {})
    assert "Normal" in text


def test_course_callback_follows_the_options():
    fig_none, text_none = D.course_update(_doc("failed-back-surgery"), [], {})
    fig_stim, _text_stim = D.course_update(_doc("failed-back-surgery"), ["stim"], {})
    _validate(fig_stim)
    end_none = fig_none.data[0].y[-1]
    end_stim = fig_stim.data[0].y[-1]
    assert end_stim < end_none - 1.0                 # stimulation from day 28 relieves
    assert "stimulation on" in [a.text for a in fig_stim.layout.annotations]
    assert "day 84" in text_none


def test_course_callback_explains_what_it_leaves_out():
    doc = _doc("crps", prog="off", treatments=(treatment("lidocaine-block"),))
    fig, text = D.course_update(doc, ["stim", "therapy"], {})
    assert "Nerve blocks act for hours" in text and "program is off" in text
    assert "psychological therapy" in [a.text for a in fig.layout.annotations]


def test_lecture_mode_enlarges_the_diagnosis_figures():
    small, _ = D.exam_update("cold", _doc(), {"lecture": False})
    big, _ = D.exam_update("cold", _doc(), {"lecture": True})
    assert big.layout.font.size > small.layout.font.size


def test_a_tampered_store_falls_back_to_the_default_session():
    fig, text = D.exam_update("cold", {"program": "nonsense"}, {})
    assert isinstance(fig, go.Figure) and text


def test_the_tab_is_in_the_page_and_its_callbacks_are_registered():
    from dashboard.app import app
    ids = " ".join(app.callback_map)
    assert "fig-ncs.figure" in ids and "fig-exam.figure" in ids
    assert "fig-course.figure" in ids
    assert D.TAB_VALUE in str(app.layout)


def test_figures_are_pure_builders_usable_in_notebooks():
    from sim.exam import examine
    f = examine(patient("crps"), "pinprick")
    fig = D.exam_figure(f, options=FigureOptions(lecture=True))
    _validate(fig)
    assert "wind-up" in fig.layout.title.text


def test_motor_callback_shows_each_site_and_the_prolonged_median_latency():
    fig, table = D.motor_update(_doc("carpal-tunnel-syndrome"), "median", {})
    _validate(fig)
    names = [tr.name for tr in fig.data]
    assert names[0].startswith("healthy") and "stimulus at wrist" in names
    assert "Prolonged distal motor latency" in table and "abnormal study" in \
        fig.layout.title.text


def test_emg_callback_gives_a_trace_a_text_and_a_sound():
    fig, text, sound = D.emg_update(_doc("l5-radiculopathy"), "paraspinal-l5", "rest", {})
    _validate(fig)
    assert "Fibrillation" in text and sound.startswith("data:audio/wav;base64,")
    fig, text, _ = D.emg_update(_doc("myopathy"), "deltoid", "slight", {})
    assert "myopathic" in fig.layout.title.text and "Short, small" in text


def test_localisation_waits_for_the_student_then_reports_the_site():
    assert D.localise_update(_doc("carpal-tunnel-syndrome"), False) == D.LOCALISE_PROMPT
    text = D.localise_update(_doc("l5-radiculopathy"), True)
    assert "L5 root" in text and "dorsal root ganglion" in text


def test_the_new_blocks_are_registered():
    from dashboard.app import app
    ids = " ".join(app.callback_map)
    assert "fig-motor.figure" in ids and "fig-emg.figure" in ids
    assert "dx-localise-text.children" in ids
