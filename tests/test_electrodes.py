"""Fields of point, line, multipolar and pad electrodes, pinned to hand calculations."""
import math

import numpy as np
import pytest
from numpy.testing import assert_allclose

from sim import ParameterError, electrodes as E, fibers as F


def test_point_source_hand_calculation():
    # 1 mA at 10 mm in 0.2 S/m: 1e-3 A / (4 pi 0.2 S/m 0.01 m) = 39.79 mV
    assert_allclose(E.point_source_potential_mV(1.0, 10.0), 39.788735772973836, rtol=1e-12)
    # cathode negative; 1/r and 1/sigma scaling
    v = E.point_source_potential_mV(-2.0, [1.0, 2.0, 4.0], sigma_S_per_m=1.7)
    assert np.all(v < 0)
    assert_allclose(v[0] / v, [1.0, 2.0, 4.0])
    assert_allclose(E.point_source_potential_mV(1.0, 1.0, sigma_S_per_m=0.4),
                    0.5 * E.point_source_potential_mV(1.0, 1.0))


def test_line_source_limits():
    # far away a 3 mm contact looks like a point
    far = E.line_source_potential_mV(1.0, 100.0, 0.0, 3.0)
    assert_allclose(far, E.point_source_potential_mV(1.0, 100.0), rtol=1e-4)
    # beside its centre: V = I / (4 pi sigma l) * 2 asinh(l / (2 rho))
    rho, length = 0.65, 3.0
    hand = 1000 * 1.0 / (4 * math.pi * 0.2 * length) * 2 * math.asinh(length / (2 * rho))
    assert_allclose(E.line_source_potential_mV(1.0, rho, 0.0, length), hand, rtol=1e-12)
    # symmetric along the axis
    assert_allclose(E.line_source_potential_mV(1.0, 1.0, 2.0, 3.0),
                    E.line_source_potential_mV(1.0, 1.0, -2.0, 3.0))


def test_disc_pad_limits():
    a = math.sqrt(2500 / math.pi)
    # surface under an equipotential disc: I / (4 sigma a) [Wiley & Webster 1982]
    assert_allclose(E.disc_potential_on_axis_mV(1.0, 0.0, 2500.0), 1000 / (4 * 0.2 * a))
    # deep: half-space point source I / (2 pi sigma z)
    assert_allclose(E.disc_potential_on_axis_mV(1.0, 5000.0, 2500.0),
                    1000 / (2 * math.pi * 0.2 * 5000.0), rtol=1e-4)
    # the virtual source reproduces both limits
    pad = E.tens_pad(2500.0)
    assert_allclose(pad.virtual_height_mm, 2 * a / math.pi)
    assert_allclose(pad.sigma_S_per_m, 0.1)
    def v_virtual(z):
        return 1000 / (4 * math.pi * pad.sigma_S_per_m * (z + pad.virtual_height_mm))

    assert_allclose(v_virtual(0.0), E.disc_potential_on_axis_mV(1.0, 0.0, 2500.0))
    assert_allclose(v_virtual(5000.0), E.disc_potential_on_axis_mV(1.0, 5000.0, 2500.0),
                    rtol=1e-2)


def test_contact_currents():
    assert E.contact_currents_mA("000-+000", 3.5).tolist() == [0, 0, 0, -3.5, 3.5, 0, 0, 0]
    c = E.contact_currents_mA("+-+-", 2.0)
    assert_allclose(c, [1.0, -1.0, 1.0, -1.0])
    assert_allclose(E.contact_currents_mA("+-+", 3.0), [1.5, -3.0, 1.5])   # guarded cathode
    assert E.contact_weights("0-+0").sum() == 0
    assert_allclose(E.lead_contact_z_mm(4), [-6.0, -2.0, 2.0, 6.0])        # 4 mm spacing
    with pytest.raises(ParameterError, match="contacts"):
        E.contact_currents_mA("--00", 1.0)                                 # no anode
    with pytest.raises(ParameterError):
        E.contact_currents_mA("-x+", 1.0)


def test_superposition_and_dipole_far_field():
    pos = np.array([[0.0, 0.0, -2.0], [0.0, 0.0, 2.0]])
    cur = np.array([-1.0, 1.0])
    pts = np.array([[3.0, 1.0, 0.5], [0.0, 0.0, 50.0], [0.0, 0.0, 100.0]])
    v = E.multipolar_potential_mV(pts, pos, cur)
    by_hand = sum(E.point_source_potential_mV(c, np.linalg.norm(pts - p, axis=1))
                  for p, c in zip(pos, cur, strict=True))
    assert_allclose(v, by_hand)
    assert_allclose(v[2] / v[1], 0.25, rtol=0.01)          # dipole: 1 / r^2 on its axis
    # line contacts converge to points far away
    vl = E.multipolar_potential_mV(pts[1:], pos, cur, contact_length_mm=3.0)
    assert_allclose(vl, v[1:], rtol=0.02)


def test_activating_function_hand_calculation():
    # cathode 1 mA at r = 1 mm over the middle node of a fibre with L = 1.15 mm
    r, L = 1.0, 1.15
    nodes = E.fiber_nodes_mm([-5 * L, 0.0, r], [1, 0, 0], L, 11)
    v = E.potential_along_fiber_mV(nodes, [[0.0, 0.0, 0.0]], [-1.0])
    af = E.activating_function_mV(v)
    k = 1000 / (4 * math.pi * 0.2)
    assert_allclose(af[5], k * (2 / r - 2 / math.hypot(r, L)))             # depolarising
    assert af[5] > 0 and af[0] == af[-1] == 0
    assert af[4] == pytest.approx(af[6])                                   # symmetric
    assert af[5] == af.max()


def test_polarization_of_a_lead_superposes():
    r = np.array([3.0, 4.0, 6.0])
    lam = np.array([2.0, 3.0, 4.0])
    mono = E.multipolar_polarization_per_mm(r, [0.0], [-1.0], lam)
    assert_allclose(mono, F.polarization_per_mm(r, lam))
    bip = E.multipolar_polarization_per_mm(r, [0.0, 4.0], [-1.0, 1.0], lam)
    assert_allclose(bip, F.polarization_per_mm(r, lam) - F.polarization_per_mm(r, lam, 4.0))
    # an anode far away adds only its far field, lambda^2 x 2 / s^3 (~1e-5 of the cathode's)
    far = E.multipolar_polarization_per_mm(r, [0.0, 500.0], [-1.0, 1.0], lam)
    assert_allclose(far - mono, lam**2 * 2 / 500.0**3, rtol=0.01)


def test_scs_lead_geometry():
    lead = E.scs_lead("000-+000", csf_thickness_mm=3.0, lateral_offset_mm=0.0)
    # effective distance to the dorsal cord surface: dCSF + 1 mm (docs/science.md §3.3)
    assert_allclose(lead.transverse_distance_mm(0.0, E.CORD_RADIUS_MM), 4.0)
    assert_allclose(lead.sigma_S_per_m, (1.7 + 0.6) / 4)
    assert_allclose(lead.cathode_z_mm, [-2.0])
    thick = E.scs_lead("000-+000", csf_thickness_mm=5.0, lateral_offset_mm=0.0)
    side = E.scs_lead("000-+000", csf_thickness_mm=3.0, lateral_offset_mm=2.0)
    midline_fibre = (0.0, E.CORD_RADIUS_MM)
    assert thick.transverse_distance_mm(*midline_fibre) > lead.transverse_distance_mm(
        *midline_fibre)
    assert side.transverse_distance_mm(*midline_fibre) > lead.transverse_distance_mm(
        *midline_fibre)
    with pytest.raises(ParameterError, match="csf_thickness_mm"):
        E.scs_lead("0-+0", csf_thickness_mm=-1.0, lateral_offset_mm=0.0)


def test_pns_lead_geometry():
    lead = E.pns_lead(5.0)
    assert_allclose(lead.transverse_distance_mm(0.0, E.NERVE_RADIUS_MM), 5.0)
    assert lead.weights.tolist() == [-1.0]
    with pytest.raises(ParameterError, match="lead_distance_mm"):
        E.pns_lead(0.0)


def test_bad_inputs():
    with pytest.raises(ParameterError, match="distance_mm"):
        E.point_source_potential_mV(1.0, 0.0)
    with pytest.raises(ParameterError, match="sigma_S_per_m"):
        E.point_source_potential_mV(1.0, 1.0, sigma_S_per_m=float("nan"))
    with pytest.raises(ParameterError):
        E.multipolar_potential_mV([[0, 0, 0]], [[0, 0, 0]], [1.0])        # on the contact
    with pytest.raises(ParameterError):
        E.multipolar_potential_mV([[0, 0]], [[0, 0, 1]], [1.0])           # wrong shape
    with pytest.raises(ParameterError):
        E.fiber_nodes_mm([0, 0, 0], [0, 0, 0], 1.0, 5)                     # no direction
    with pytest.raises(ParameterError, match="contact_area_mm2"):
        E.tens_pad(-5.0)
