"""Where the SCS lead sits: geometry under the lead, dermatomes, coverage and posture.

Expectations come from the sources the model cites: Feirabend et al. 2002 (Brain 125:1137:
0.5 % of superficial dorsal-column fibres thicker than 10.7 µm, activation of the largest to
about 0.25 mm depth), He et al. 1994 (Pain 59:55: lateral leads have lower perception
thresholds; thresholds rise with dorsal CSF), Holsheimer et al. 1995 (Acta Neurochir Suppl
64:119: the usage range narrows as CSF thickens), Holsheimer et al. 1994 (AJNR 15:951: dorsal
CSF about 2-6 mm at T11 and 4-8.5 mm at T5-T6; the cord follows gravity), Olin, Kidd & North
1998 (Neuromodulation 1:171: thresholds lowest supine).
"""
from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest

from sim import placement as P, recruitment as R
from sim.fibers import FiberClass
from sim.params import ParameterError
from sim.patients import patient
from sim.presets import program
from sim.session import Event, Session, run_session

AB = FiberClass.ABETA
SCS = program("scs-tonic")


def _pt(prog, **kw):
    return R.recruit(prog, **kw).perception_threshold_mA


def test_dorsal_column_diameters_follow_feirabend():
    pop = R.population("scs", AB)
    dc = pop.diameter_um[~pop.root]
    share = float(np.mean(dc > 10.7))
    assert 0.002 <= share <= 0.01                 # Feirabend 2002: 0.5 %


def test_first_recruited_dorsal_column_fibres_are_superficial():
    pop = R.population("scs", AB)
    th = R.fibre_thresholds_unsorted_mA(SCS, AB)
    at_pt = (th <= _pt(SCS)) & ~pop.root
    depth = 4.0 - np.hypot(pop.x_mm, pop.y_mm)    # cord radius 4 mm
    # Feirabend 2002: the largest fibres are activated to about 0.25 mm depth
    assert np.mean(depth[at_pt] <= 0.25) >= 0.8


def test_lateral_offset_lowers_the_perception_threshold():
    pts = [_pt(dataclasses.replace(SCS, lateral_offset_mm=o)) for o in (0.0, 1.0, 2.0, 3.0)]
    assert np.all(np.diff(pts) < 0)               # He et al. 1994
    assert pts[-1] < 0.8 * pts[0]


def test_lateral_offset_narrows_paresthesia_to_the_roots_dermatomes():
    pa = patient("failed-back-surgery")
    wide = []
    for off in (0.0, 3.0):
        prog = dataclasses.replace(SCS, lateral_offset_mm=off)
        cov = P.coverage(prog, pa, amplitude_mA=1.3 * _pt(prog))
        wide.append(len(cov.paresthesia))
    assert wide[1] <= 2 * P.ROOT_SEGMENTS_UNDER_LEAD // 2 + 1 < wide[0]
    lateral = P.coverage(dataclasses.replace(SCS, lateral_offset_mm=3.0), pa,
                         amplitude_mA=1.3 * _pt(dataclasses.replace(SCS, lateral_offset_mm=3.0)))
    # the roots under a T9 lead are T11/T12 segments, one side: segmental, not the leg
    assert {d.side for d in lateral.paresthesia} == {"left"}
    assert lateral.coverage_pct < 50.0


def test_thicker_csf_raises_threshold_and_narrows_the_window():
    res = [R.recruit(SCS, csf_thickness_mm=c) for c in (2.0, 3.0, 4.0, 6.0)]
    pts = [r.perception_threshold_mA for r in res]
    windows = [r.discomfort_threshold_mA / r.perception_threshold_mA for r in res]
    assert np.all(np.diff(pts) > 0)
    assert np.all(np.diff(windows) < 0)           # Holsheimer et al. 1995 usage range
    assert windows[1] == pytest.approx(1.5)       # the clinical 1.4-1.6 window at 3 mm


def test_csf_by_level_follows_mri():
    # Holsheimer et al. 1994: T5-T6 thicker than T11; a typical (mid-range) patient
    t56 = P.csf_under_lead_mm(4.0 * 4.7 / 4.0, "T5")
    t11 = P.csf_under_lead_mm(4.0 * 4.7 / 4.0, "T11")
    assert 4.0 <= t56 <= 8.5 and 2.0 <= t11 <= 6.0 and t56 > t11
    assert P.csf_under_lead_mm(3.0, "C5") < 3.0


def test_posture_moves_the_cord():
    assert P.csf_under_lead_mm(3.0, "T9", "supine") < 3.0 < P.csf_under_lead_mm(3.0, "T9",
                                                                                   "prone")
    with pytest.raises(ParameterError, match="posture"):
        P.csf_under_lead_mm(3.0, "T9", "handstand")


def test_lying_supine_raises_paresthesia_in_open_loop():
    pa = patient("failed-back-surgery")
    ses = Session(program=SCS, patient=pa, duration_s=120.0,
                  events=(Event(kind="stimulation", start_s=0.0, stop_s=120.0),
                          Event(kind="supine", start_s=60.0, stop_s=120.0)))
    res = run_session(ses)
    t, par = res.t_s, res.series["paresthesia"]
    sitting = par[(t > 40) & (t < 60)].mean()
    supine = par[(t > 100)].mean()
    assert supine > sitting                       # Olin et al. 1998: lowest thresholds supine


def test_pain_area_parsing_and_refusal():
    assert [d.label for d in P.parse_pain_area("S1-S2:right")] == ["S1 right", "S2 right"]
    assert P.parse_pain_area("") == ()
    with pytest.raises(ParameterError, match="pain_area"):
        P.parse_pain_area("S1-L5:left")
    with pytest.raises(ParameterError, match="pain_area"):
        patient("crps", pain_area="foot")


def test_segments_under_vertebrae():
    # anatomy texts: T10 vertebra over L1, C5 over C6, T12 over L5
    assert P.SEGMENT_AT_LEVEL["T10"] == "L1"
    assert P.SEGMENT_AT_LEVEL["C5"] == "C6"
    assert P.SEGMENT_AT_LEVEL["T12"] == "L5"


def test_segmental_chest_wall_pain_needs_a_high_lateral_lead():
    # The chest wall's fibres enter at T3-T5: a lead at T9 cannot reach them; a lead at T1
    # steered to the painful side reaches their roots (segmental paresthesia).
    pa = patient("post-surgical-neuropathy")      # T3-T5 left
    covs = {}
    for level, off in (("T9", 0.0), ("T1", 0.0), ("T1", 3.0)):
        prog = dataclasses.replace(SCS, lead_level=level, lateral_offset_mm=off)
        csf = P.csf_under_lead_mm(pa.csf_thickness_mm, level)
        covs[level, off] = P.coverage(prog, pa, amplitude_mA=1.3 * _pt(prog,
                                                                     csf_thickness_mm=csf))
    assert covs["T9", 0.0].coverage_pct == 0.0
    assert covs["T1", 3.0].coverage_pct > covs["T1", 0.0].coverage_pct
    assert all(d.side == "left" for d in covs["T1", 3.0].covered)


def test_coverage_is_a_session_output_and_relief_follows_it():
    pa = patient("failed-back-surgery")
    good = run_session(Session(program=SCS, patient=pa)).summary
    assert good.coverage_pct == pytest.approx(100.0)
    side = dataclasses.replace(SCS, lateral_offset_mm=3.0, amplitude_mA=SCS.amplitude_mA)
    off = run_session(Session(program=side, patient=pa.replace(pain_area="L5-S1:right")))
    assert off.summary.coverage_pct < good.coverage_pct
    assert off.summary.pain_reduction_pct < good.pain_reduction_pct
    none = run_session(Session(program=program("off"), patient=pa)).summary
    assert math.isnan(none.coverage_pct)


def test_coverage_predicts_relief_across_patients():
    # Patients whose leads landed differently (side and offset), each programmed at 1.3 x
    # their own perception threshold: good paresthesia coverage predicts relief [T].
    from scipy.stats import spearmanr
    cov, red = [], []
    for side in ("left", "right"):
        pa = patient("failed-back-surgery", pain_area=f"L5-S1:{side}")
        for off in (0.0, 1.0, 2.0, 2.5, 3.0, 3.5):
            prog = dataclasses.replace(SCS, lateral_offset_mm=off)
            prog = prog.replace(amplitude_mA=round(1.3 * _pt(prog), 3))
            s = run_session(Session(program=prog, patient=pa)).summary
            cov.append(s.coverage_pct)
            red.append(s.pain_reduction_pct)
    assert min(cov) < 50.0 < max(cov)
    assert spearmanr(cov, red).statistic > 0.5


# --- DRG stimulation ---------------------------------------------------------------------
DRG = program("drg")


def test_drg_programs_use_low_amplitudes():
    # DRG stimulation is programmed well below 1 mA (Liem et al. 2013 Neuromodulation
    # 16:471), far below the milliamps of tonic SCS (2-5 mA)
    pt = _pt(DRG)
    assert 0.1 <= pt <= 1.0
    assert pt < _pt(SCS) / 5
    assert DRG.amplitude_mA == pytest.approx(1.3 * pt, rel=0.05)   # in the window


def test_drg_coverage_is_focal():
    pa = patient("crps")                          # the left foot, L4-S1
    drg, scs = P.coverage(DRG, pa), P.coverage(SCS, pa)
    assert drg.coverage_pct == pytest.approx(100.0)
    assert {d.label for d in drg.paresthesia} == {"L4 left", "L5 left", "S1 left"}
    assert len(scs.paresthesia) > 3 * len(drg.paresthesia)   # SCS: both legs and more
    one = P.coverage(DRG.replace(drg_roots="L5:left"), pa)
    assert one.coverage_pct == pytest.approx(100.0 / 3)


def test_drg_hardly_changes_with_posture_where_scs_does():
    pa = patient("crps")

    def paresthesia(prog):
        ev = (Event(kind="stimulation", start_s=0.0, stop_s=120.0),
              Event(kind="supine", start_s=60.0, stop_s=120.0))
        r = run_session(Session(program=prog, patient=pa, duration_s=120.0, events=ev))
        t, p = r.t_s, r.series["paresthesia"]
        return p[(t > 40) & (t < 60)].mean(), p[t > 100].mean()

    sit, lie = paresthesia(DRG)
    assert lie == pytest.approx(sit, rel=0.05)
    sit, lie = paresthesia(SCS)
    assert lie > 1.5 * sit


def test_drg_relieves_and_is_not_a_spinal_csf_therapy():
    pa = patient("crps")
    s = run_session(Session(program=DRG, patient=pa)).summary
    assert s.paresthesia_felt and s.pain_reduction_pct > 5.0
    assert "csf_thickness_mm" in DRG.unused_params() and "drg_roots" not in DRG.unused_params()
    assert "drg_roots" in SCS.unused_params()
    with pytest.raises(ParameterError, match="drg_roots"):
        DRG.replace(drg_roots="")


def test_drg_relieves_crps_more_than_tonic_scs():
    # ACCURATE (Deer et al. 2017 Pain 158:669): 81.2 % vs 55.7 % responders in lower-limb
    # CRPS; one typical patient, each program at its preset
    pa = patient("crps")
    drg = run_session(Session(program=DRG, patient=pa)).summary.pain_reduction_pct
    scs = run_session(Session(program=SCS, patient=pa)).summary.pain_reduction_pct
    assert drg > scs


def _titrated(level, pat):
    """An SCS lead at ``level`` programmed at 1.3 x that patient's perception threshold."""
    from sim.drive import stimulation_csf_mm
    prog = program("scs-tonic", lead_level=level)
    csf = stimulation_csf_mm(prog, pat)
    pt = _pt(prog, csf_thickness_mm=csf)
    return prog.replace(amplitude_mA=round(1.3 * pt, 3))


def _segments(prog, pat):
    return {d.segment for d in P.coverage(prog, pat).paresthesia}


LUMBOSACRAL = {f"L{i}" for i in range(1, 6)} | {f"S{i}" for i in range(1, 6)}


def test_paresthesia_lands_where_the_mapping_studies_found_it():
    # Barolat et al. 1993 (J Neurosurg 78:233) mapped paresthesia against lead position:
    # mid-cervical midline leads give the hand, forearm and upper arm, not the legs; low
    # thoracic (T10) midline leads give thigh, leg, knee, ankle and foot; the foot is hard to
    # reach from higher thoracic levels.
    pat = patient("failed-back-surgery")
    cervical = _segments(_titrated("C4", pat), pat)
    assert {"C7", "C8", "T1"} <= cervical           # hand, forearm, inner arm
    assert not cervical & LUMBOSACRAL                # no leg or foot
    low_thoracic = _segments(_titrated("T10", pat), pat)
    assert {"L2", "L3", "L4", "L5", "S1"} <= low_thoracic
    assert not any(s.startswith("C") for s in low_thoracic)
    assert "S1" not in _segments(_titrated("T5", pat), pat)   # no foot from mid-thoracic


def test_moving_the_lead_up_the_spine_loses_the_legs_and_their_relief():
    # Coverage predicts tonic relief: leg pain is relieved from the low thoracic levels
    # clinicians use (T8-T10), not from a cervical lead programmed the same way.
    pat = patient("failed-back-surgery")
    out = {}
    for level in ("C2", "C5", "T2", "T9", "T10"):
        prog = _titrated(level, pat)
        s = run_session(Session(program=prog, patient=pat, duration_s=30.0)).summary
        out[level] = (s.coverage_pct, s.pain_before_nrs - s.pain_during_nrs)
    for level in ("C2", "C5", "T2"):
        assert out[level][0] == 0.0 and out[level][1] < 0.05, (level, out[level])
    for level in ("T9", "T10"):
        assert out[level][0] == 100.0 and out[level][1] > 1.0, (level, out[level])


def test_a_chest_wall_is_reached_from_the_lower_cervical_spine():
    # Barolat's mapping: the anterior chest wall and axilla need a lead towards C7; the
    # post-surgical preset's pain is the left T3-T5 chest wall
    pat = patient("post-surgical-neuropathy")
    assert P.coverage(_titrated("C7", pat), pat).coverage_pct == 100.0
    assert P.coverage(_titrated("T9", pat), pat).coverage_pct == 0.0
