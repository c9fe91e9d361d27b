"""Electrodes and the extracellular fields they make (PNS lead, SCS lead, TENS pads).

Pure, vectorised functions:

* potentials of point and line sources in homogeneous tissue and their superposition over
  contacts with polarity (:func:`point_source_potential_mV`, :func:`line_source_potential_mV`,
  :func:`multipolar_potential_mV`);
* the potential at the nodes of a straight fibre and its activating function (second spatial
  difference), for teaching plots (:func:`fiber_nodes_mm`, :func:`potential_along_fiber_mV`,
  :func:`activating_function_mV`);
* the geometry of the three therapies (:func:`scs_lead`, :func:`pns_lead`, :func:`tens_pad`)
  and the cable-filtered field of several contacts at a fibre
  (:func:`multipolar_polarization_per_mm`), which :mod:`sim.recruitment` turns into
  thresholds with :func:`sim.fibers.threshold_from_polarization_mA`.

Sign convention: a contact's current is the current it injects into tissue; cathodes carry
negative current (they draw current from tissue and depolarise nearby axons), anodes positive.
A program's ``amplitude_mA`` is the total cathodic current, split equally over its cathodes and
returned equally through its anodes.

Units: current mA, distance mm, conductivity S/m; ``I / (4 pi sigma r)`` in mA/(S/m mm) is
volts, reported here in mV.

References
----------
Holsheimer J. (2002) Which neuronal elements are activated directly by spinal cord
stimulation. Neuromodulation 5:25-31 (tissue conductivities of the SCS volume conductor).
Struijk J.J., Holsheimer J., van der Heide G.G., Boom H.B.K. (1992) Recruitment of dorsal column
fibers in spinal cord stimulation. IEEE TBME 39:903-912.
He J., Barolat G., Holsheimer J., Struijk J.J. (1994) Perception threshold and electrode
position for spinal cord stimulation. Pain 59:55-63.
Geddes L.A., Baker L.E. (1967) The specific resistance of biological material. Med Biol Eng
5:271-293.
Wiley J.D., Webster J.G. (1982) Analysis and control of the current distribution under
circular dispersive electrodes. IEEE TBME 29:381-385 (disc electrode on a half-space).
Rattay F. (1986) Analysis of models for external stimulation of axons. IEEE TBME 33:974.
"""
from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

import numpy as np

from sim.fibers import polarization_unchecked
from sim.params import PARAMETERS, ParameterError, check_array

__all__ = [
    "TISSUE_CONDUCTIVITY_S_PER_M",
    "SCS_EFFECTIVE_SIGMA_S_PER_M",
    "PNS_SIGMA_S_PER_M",
    "TENS_SIGMA_S_PER_M",
    "CONTACT_SPACING_MM",
    "CONTACT_LENGTH_MM",
    "DURA_EPIDURAL_MM",
    "CORD_RADIUS_MM",
    "NERVE_RADIUS_MM",
    "point_source_potential_mV",
    "line_source_potential_mV",
    "contact_currents_mA",
    "contact_weights",
    "lead_contact_z_mm",
    "multipolar_potential_mV",
    "fiber_nodes_mm",
    "potential_along_fiber_mV",
    "activating_function_mV",
    "multipolar_polarization_per_mm",
    "Lead",
    "scs_lead",
    "pns_lead",
    "TensPad",
    "tens_pad",
    "disc_potential_on_axis_mV",
]

# =============================================================================================
# Tissue and device constants
# =============================================================================================
#: Conductivities [S/m] of the SCS volume-conductor model of the Holsheimer/Struijk group
#: [S Holsheimer 2002; Struijk et al. 1992] and of generic soft tissue (the 0.2 S/m medium of
#: the reference thresholds, between muscle and fat [S Geddes & Baker 1967]).
TISSUE_CONDUCTIVITY_S_PER_M: Mapping[str, float] = MappingProxyType({
    "generic": 0.2,
    "csf": 1.7,
    "white_matter_longitudinal": 0.6,
    "white_matter_transverse": 0.083,
    "grey_matter": 0.23,
    "dura": 0.03,
    "epidural_fat": 0.04,
    "vertebral_bone": 0.02,
})

#: Effective homogeneous conductivity for SCS [S/m] [A], two image-method corrections to an
#: infinite medium: (1) a source in CSF (1.7 S/m) next to the cord (white matter along the
#: fibres, 0.6 S/m) gives inside the cord ``V = I / (2 pi (sigma_csf + sigma_wm) R)``, a
#: homogeneous medium of (1.7 + 0.6) / 2 = 1.15 S/m; (2) the insulating lead body and the poorly
#: conducting epidural fat and bone behind the contact (0.04 and 0.02 S/m) send the current
#: forward as into a half-space, doubling the potential: 1.15 / 2 = 0.575 S/m. The highly
#: conductive CSF still shunts current: thresholds are ~3x those of the same distance in
#: 0.2 S/m tissue, and thicker CSF also means a more distant cord.
SCS_EFFECTIVE_SIGMA_S_PER_M = 0.25 * (TISSUE_CONDUCTIVITY_S_PER_M["csf"]
                                      + TISSUE_CONDUCTIVITY_S_PER_M["white_matter_longitudinal"])
#: PNS: generic tissue around a peripheral nerve [S/m] (reference medium) [S].
PNS_SIGMA_S_PER_M = TISSUE_CONDUCTIVITY_S_PER_M["generic"]
#: TENS: generic tissue under the skin [S/m]; pads sit on a half-space (air above), which the
#: pad model accounts for by halving it (image method) [S].
TENS_SIGMA_S_PER_M = TISSUE_CONDUCTIVITY_S_PER_M["generic"]

#: Centre-to-centre contact spacing of a percutaneous SCS lead [mm] [T manufacturer-typical].
CONTACT_SPACING_MM = 4.0
#: Contact length of a percutaneous lead [mm] (1.3 mm diameter, 12.25 mm²) [T].
CONTACT_LENGTH_MM = 3.0
#: Dura plus epidural tissue between an epidural contact and the CSF [mm]: the contact-to-cord
#: distance is dCSF + 1 mm [A, docs/science.md §3.3].
DURA_EPIDURAL_MM = 1.0
#: Radius of the spinal cord, modelled as a cylinder [mm] (thoracic cord about 8 mm wide) [T].
CORD_RADIUS_MM = 4.0
#: Radius of the stimulated peripheral nerve (PNS) or of the deep nerve under TENS pads [mm]
#: (a 3 mm nerve trunk) [T].
NERVE_RADIUS_MM = 1.5


def _sigma(sigma_S_per_m: Any) -> np.ndarray:
    return check_array("sigma_S_per_m", sigma_S_per_m, "S/m", 0.0, 100.0, include_minimum=False)


# =============================================================================================
# Potentials
# =============================================================================================
def point_source_potential_mV(current_mA: Any, distance_mm: Any, *,
                              sigma_S_per_m: Any = 0.2) -> np.ndarray:
    """Potential of a point current source in an infinite homogeneous medium [mV].

    Parameters
    ----------
    current_mA : array_like
        Injected current [mA]; negative for a cathode.
    distance_mm : array_like
        Distance from the source [mm], > 0.
    sigma_S_per_m : array_like, optional
        Conductivity [S/m], > 0.

    Notes
    -----
    ``V = I / (4 pi sigma r)`` (1 mA / (1 S/m x 1 mm) = 1 V = 1000 mV).

    Examples
    --------
    >>> float(point_source_potential_mV(-1.0, 1.0))  # 1 mA cathode, 1 mm, 0.2 S/m
    -397.88735772973837
    """
    i = check_array("current_mA", current_mA, "mA", -1e4, 1e4)
    r = check_array("distance_mm", distance_mm, "mm", 0.0, 1e6, include_minimum=False)
    return 1000.0 * i / (4.0 * math.pi * _sigma(sigma_S_per_m) * r)


def line_source_potential_mV(current_mA: Any, radial_mm: Any, axial_mm: Any, length_mm: Any,
                             *, sigma_S_per_m: Any = 0.2) -> np.ndarray:
    """Potential of a uniformly emitting line source (a cylindrical contact) [mV].

    Parameters
    ----------
    current_mA : array_like
        Total current of the contact [mA].
    radial_mm : array_like
        Distance from the contact axis [mm], > 0 (use at least the contact radius).
    axial_mm : array_like
        Position along the axis relative to the contact centre [mm].
    length_mm : array_like
        Contact length [mm], > 0.
    sigma_S_per_m : array_like, optional
        Conductivity [S/m].

    Notes
    -----
    ``V = I / (4 pi sigma l) [asinh((z + l/2)/rho) - asinh((z - l/2)/rho)]``; tends to the
    point source far away (l -> 0).
    """
    i = check_array("current_mA", current_mA, "mA", -1e4, 1e4)
    rho = check_array("radial_mm", radial_mm, "mm", 0.0, 1e6, include_minimum=False)
    z = check_array("axial_mm", axial_mm, "mm", -1e6, 1e6)
    length = check_array("length_mm", length_mm, "mm", 0.0, 1e4, include_minimum=False)
    g = np.arcsinh((z + length / 2) / rho) - np.arcsinh((z - length / 2) / rho)
    return 1000.0 * i * g / (4.0 * math.pi * _sigma(sigma_S_per_m) * length)


def disc_potential_on_axis_mV(current_mA: Any, depth_mm: Any, area_mm2: Any, *,
                              sigma_S_per_m: Any = 0.2) -> np.ndarray:
    """Potential under the centre of an equipotential disc on a half-space [mV].

    Notes
    -----
    ``V(z) = I / (2 pi sigma a) atan(a / z)``, ``a = sqrt(A / pi)`` [P Wiley & Webster 1982]:
    ``I / (4 sigma a)`` at the surface, ``I / (2 pi sigma z)`` (half-space point source) deep.
    """
    i = check_array("current_mA", current_mA, "mA", -1e4, 1e4)
    z = check_array("depth_mm", depth_mm, "mm", 0.0, 1e6)
    area = check_array("area_mm2", area_mm2, "mm²", 0.0, 1e7, include_minimum=False)
    a = np.sqrt(area / math.pi)
    return 1000.0 * i * np.arctan2(a, z) / (2.0 * math.pi * _sigma(sigma_S_per_m) * a)


# =============================================================================================
# Contacts
# =============================================================================================
def _check_contacts(contacts: Any) -> str:
    p = PARAMETERS["contacts"]
    return p.validate(contacts)


def contact_weights(contacts: str) -> np.ndarray:
    """Current of each contact per mA of program amplitude [1] (cathodes negative).

    Each of the ``n-`` cathodes carries ``-1/n-``, each of the ``n+`` anodes ``+1/n+``, off
    contacts 0: the weights sum to zero (all current returns through the lead).
    """
    c = _check_contacts(contacts)
    arr = np.array(list(c))
    w = np.zeros(len(c))
    w[arr == "-"] = -1.0 / np.count_nonzero(arr == "-")
    w[arr == "+"] = 1.0 / np.count_nonzero(arr == "+")
    return w


def contact_currents_mA(contacts: str, amplitude_mA: Any) -> np.ndarray:
    """Current of each contact [mA] for a program amplitude (total cathodic current).

    Examples
    --------
    >>> contact_currents_mA("0-+0", 3.0).tolist()
    [0.0, -3.0, 3.0, 0.0]
    """
    amp = float(check_array("amplitude_mA", amplitude_mA, "mA", 0.0, 1e4))
    return contact_weights(contacts) * amp


def lead_contact_z_mm(n_contacts: int, spacing_mm: float = CONTACT_SPACING_MM) -> np.ndarray:
    """Positions of the contact centres along a lead, centred on 0, tip first [mm]."""
    if not isinstance(n_contacts, (int, np.integer)) or not 1 <= n_contacts <= 64:
        raise ParameterError(f"n_contacts={n_contacts!r} must be a whole number in 1..64",
                             name="n_contacts", value=n_contacts)
    s = float(check_array("spacing_mm", spacing_mm, "mm", 0.0, 100.0, include_minimum=False))
    return (np.arange(n_contacts) - (n_contacts - 1) / 2.0) * s


def multipolar_potential_mV(points_mm: Any, contact_positions_mm: Any, currents_mA: Any, *,
                            sigma_S_per_m: Any = 0.2,
                            contact_length_mm: float = 0.0) -> np.ndarray:
    """Superposed potential of several contacts at arbitrary points [mV].

    Parameters
    ----------
    points_mm : array_like, shape (..., 3)
        Field points (x, y, z) [mm].
    contact_positions_mm : array_like, shape (m, 3)
        Contact centres [mm].
    currents_mA : array_like, shape (m,)
        Contact currents [mA] (cathodes negative).
    sigma_S_per_m : float, optional
        Conductivity [S/m].
    contact_length_mm : float, optional
        0: point sources; > 0: line sources of this length along z (lead axis).

    Returns
    -------
    ndarray, shape (...)
        ``V = sum_k V_k``: potentials superpose linearly in a linear medium.
    """
    pts = check_array("points_mm", points_mm, "mm", -1e6, 1e6)
    pos = check_array("contact_positions_mm", contact_positions_mm, "mm", -1e6, 1e6)
    cur = check_array("currents_mA", currents_mA, "mA", -1e4, 1e4)
    if pts.shape[-1] != 3 or pos.ndim != 2 or pos.shape[1] != 3 or cur.shape != (pos.shape[0],):
        raise ParameterError("points_mm must have shape (..., 3), contact_positions_mm (m, 3) "
                             "and currents_mA (m,)", name="points_mm")
    sigma = float(_sigma(sigma_S_per_m))
    diff = pts[..., None, :] - pos
    if contact_length_mm and contact_length_mm > 0:
        rho = np.maximum(np.hypot(diff[..., 0], diff[..., 1]), 1e-6)
        z, half = diff[..., 2], contact_length_mm / 2.0
        g = (np.arcsinh((z + half) / rho) - np.arcsinh((z - half) / rho)) / contact_length_mm
    else:
        dist = np.linalg.norm(diff, axis=-1)
        if (dist <= 0).any():
            raise ParameterError("a field point coincides with a point contact (distance 0 mm)",
                                 name="points_mm")
        g = 1.0 / dist
    return 1000.0 * (g * cur).sum(-1) / (4.0 * math.pi * sigma)


def fiber_nodes_mm(start_mm: Any, direction: Any, internode_mm: float,
                   n_nodes: int) -> np.ndarray:
    """Node positions of a straight fibre [mm], shape (n_nodes, 3).

    Parameters
    ----------
    start_mm : array_like, shape (3,)
        Position of node 0 [mm].
    direction : array_like, shape (3,)
        Fibre direction (normalised here).
    internode_mm : float
        Node spacing [mm] (e.g. :func:`sim.fibers.internode_length_mm`).
    n_nodes : int
        Number of nodes.
    """
    p0 = check_array("start_mm", start_mm, "mm", -1e6, 1e6)
    u = check_array("direction", direction, "", -1e6, 1e6)
    norm = float(np.linalg.norm(u))
    if p0.shape != (3,) or u.shape != (3,) or norm == 0:
        raise ParameterError("start_mm and direction must be 3-vectors, direction non-zero",
                             name="direction")
    step = float(check_array("internode_mm", internode_mm, "mm", 0.0, 1e3,
                             include_minimum=False))
    if not isinstance(n_nodes, (int, np.integer)) or not 1 <= n_nodes <= 100000:
        raise ParameterError(f"n_nodes={n_nodes!r} must be a whole number in 1..100000",
                             name="n_nodes", value=n_nodes)
    return p0 + np.arange(n_nodes)[:, None] * step * (u / norm)


def potential_along_fiber_mV(nodes_mm: Any, contact_positions_mm: Any, currents_mA: Any, *,
                             sigma_S_per_m: Any = 0.2) -> np.ndarray:
    """Extracellular potential at each node of a fibre [mV] (point contacts)."""
    return multipolar_potential_mV(nodes_mm, contact_positions_mm, currents_mA,
                                   sigma_S_per_m=sigma_S_per_m)


def activating_function_mV(potential_mV: Any) -> np.ndarray:
    """Activating function at the nodes: ``V[n-1] - 2 V[n] + V[n+1]`` [mV].

    Parameters
    ----------
    potential_mV : array_like, shape (..., n)
        Potentials at consecutive, equally spaced nodes (last axis) [mV].

    Returns
    -------
    ndarray, shape (..., n)
        Second difference; positive = depolarising (McNeal 1976; Rattay 1986). The two end
        nodes, which have only one neighbour, are set to 0.
    """
    v = check_array("potential_mV", potential_mV, "mV", -1e12, 1e12)
    out = np.zeros_like(v)
    out[..., 1:-1] = v[..., :-2] - 2.0 * v[..., 1:-1] + v[..., 2:]
    return out


def multipolar_polarization_per_mm(transverse_distance_mm: Any, contact_z_mm: Any,
                                   weights: Any, length_constant_mm: Any,
                                   node_z_mm: Any = None) -> np.ndarray:
    """Cable-filtered field of a lead parallel to fibres, per mA of amplitude [1/mm].

    Parameters
    ----------
    transverse_distance_mm : array_like, shape (n,)
        Distance from the lead axis to each fibre axis [mm], > 0 (lead parallel to fibres).
    contact_z_mm : array_like, shape (m,)
        Contact positions along the lead [mm].
    weights : array_like, shape (m,)
        Contact currents per mA (:func:`contact_weights`; cathodes negative).
    length_constant_mm : array_like, shape (n,) or scalar
        Effective length constant of each fibre [mm] (:func:`sim.fibers.length_constant_mm`).
    node_z_mm : array_like, shape (k,), optional
        Candidate excitation sites along the fibres [mm]; default: under each cathode.

    Returns
    -------
    ndarray, shape (n,)
        ``max_j sum_k (-w_k) P(r, z_j - z_k, lambda)``: the largest depolarisation over the
        candidate sites (multiply by ``I / (4 pi sigma)`` for volts).

    Notes
    -----
    P is linear in the source currents, so contacts superpose after cable filtering
    (:func:`sim.fibers.polarization_per_mm`). Assumes a node at each candidate site.
    """
    r = check_array("transverse_distance_mm", transverse_distance_mm, "mm", 0.0, 1e4,
                    include_minimum=False)
    cz = check_array("contact_z_mm", contact_z_mm, "mm", -1e5, 1e5)
    w = check_array("weights", weights, "", -1e4, 1e4)
    lam = check_array("length_constant_mm", length_constant_mm, "mm", 0.0, 1e4,
                      include_minimum=False)
    if node_z_mm is None:
        node_z = cz[w < 0]
    else:
        node_z = check_array("node_z_mm", node_z_mm, "mm", -1e5, 1e5).ravel()
    return multipolar_polarization_unchecked(r, cz, w, lam, node_z)


def multipolar_polarization_unchecked(r: np.ndarray, cz: np.ndarray, w: np.ndarray, lam: np.ndarray,
                             node_z: np.ndarray) -> np.ndarray:
    """Unchecked :func:`multipolar_polarization_per_mm`."""
    active = w != 0
    cz, w = cz[active], w[active]
    r, lam = np.broadcast_arrays(r, lam)
    best = np.full(r.shape, -np.inf)
    for zn in node_z:
        p = np.zeros(r.shape)
        for zk, wk in zip(cz, w, strict=True):
            p = p - wk * polarization_unchecked(r, lam, zn - zk)
        best = np.maximum(best, p)
    return best


# =============================================================================================
# Therapy geometries
# =============================================================================================
@dataclass(frozen=True, eq=False)
class Lead:
    """A lead whose contacts lie on a line parallel to the target fibres.

    Attributes
    ----------
    contact_z_mm : ndarray
        Contact centres along the fibres [mm].
    weights : ndarray
        Contact currents per mA of amplitude [1] (cathodes negative).
    transverse_position_mm : tuple of float
        Position of the lead axis in the transverse plane (x lateral, y dorsal) [mm].
    sigma_S_per_m : float
        Effective homogeneous conductivity for threshold calculations [S/m].
    """

    contact_z_mm: np.ndarray
    weights: np.ndarray
    transverse_position_mm: tuple[float, float]
    sigma_S_per_m: float

    def transverse_distance_mm(self, x_mm: np.ndarray, y_mm: np.ndarray) -> np.ndarray:
        """Distance from the lead axis to fibres at transverse positions (x, y) [mm]."""
        return np.hypot(x_mm - self.transverse_position_mm[0],
                        y_mm - self.transverse_position_mm[1])

    @property
    def cathode_z_mm(self) -> np.ndarray:
        """Positions of the cathodes [mm]."""
        return self.contact_z_mm[self.weights < 0]


def scs_lead(contacts: str, *, csf_thickness_mm: float, lateral_offset_mm: float) -> Lead:
    """Epidural percutaneous lead over the dorsal columns.

    Parameters
    ----------
    contacts : str
        One character per contact, tip to tail: ``-`` cathode, ``+`` anode, ``0`` off.
    csf_thickness_mm : float
        Dorsal CSF thickness at the midline [mm] (patient parameter).
    lateral_offset_mm : float
        Lateral distance of the lead from the physiological midline [mm].

    Returns
    -------
    Lead
        Transverse coordinates with the cord centre at the origin, y dorsal.

    Notes
    -----
    The cord is a cylinder of radius :data:`CORD_RADIUS_MM`; the lead lies on a concentric
    circle of radius ``R_cord + dCSF + 1 mm`` (dura/epidural, :data:`DURA_EPIDURAL_MM`),
    displaced laterally by ``lateral_offset_mm``, so a lateral lead is also farther from the
    midline fibres. Medium: :data:`SCS_EFFECTIVE_SIGMA_S_PER_M`. Contacts at
    :data:`CONTACT_SPACING_MM` centre-to-centre, treated as point sources.
    Thresholds therefore rise with CSF thickness and with lateral offset [P He et al. 1994].
    """
    dcsf = PARAMETERS["csf_thickness_mm"].validate(csf_thickness_mm)
    off = PARAMETERS["lateral_offset_mm"].validate(lateral_offset_mm)
    c = _check_contacts(contacts)
    radius = CORD_RADIUS_MM + dcsf + DURA_EPIDURAL_MM
    pos = (off, math.sqrt(radius * radius - off * off))
    return Lead(lead_contact_z_mm(len(c)), contact_weights(c), pos,
                SCS_EFFECTIVE_SIGMA_S_PER_M)


def pns_lead(lead_distance_mm: float) -> Lead:
    """Percutaneous PNS lead: one contact at a distance from the nerve surface.

    Parameters
    ----------
    lead_distance_mm : float
        Distance from the contact to the surface of the nerve [mm].

    Returns
    -------
    Lead
        Single cathode (return electrode on the skin, far away), nerve centred at the origin
        with radius :data:`NERVE_RADIUS_MM`; medium :data:`PNS_SIGMA_S_PER_M`.

    Notes
    -----
    Coiled fine-wire leads are placed 0.5-3 cm from the nerve with a skin-surface return
    electrode [P Rauck 2014; Gilmore 2019], i.e. monopolar stimulation.
    """
    dist = PARAMETERS["lead_distance_mm"].validate(lead_distance_mm)
    return Lead(np.zeros(1), np.array([-1.0]), (0.0, NERVE_RADIUS_MM + dist), PNS_SIGMA_S_PER_M)


@dataclass(frozen=True)
class TensPad:
    """A round TENS pad on the skin, replaced by a virtual point source.

    Attributes
    ----------
    area_mm2 : float
        Pad area [mm²].
    radius_mm : float
        Radius of the equal-area disc [mm].
    virtual_height_mm : float
        Height of the virtual point source above the skin [mm], ``2 a / pi``.
    sigma_S_per_m : float
        Conductivity to use in infinite-medium formulas [S/m]: half the tissue value because
        no current flows into the air (half-space image).
    """

    area_mm2: float
    radius_mm: float
    virtual_height_mm: float
    sigma_S_per_m: float

    def distance_mm(self, lateral_mm: np.ndarray, depth_mm: np.ndarray) -> np.ndarray:
        """Distance from the virtual source to points at (lateral, depth) under the pad [mm]."""
        return np.hypot(lateral_mm, depth_mm + self.virtual_height_mm)


def tens_pad(contact_area_mm2: float) -> TensPad:
    """Surface pad of a given area as a virtual point source.

    Notes
    -----
    An equipotential disc of radius ``a`` on a half-space has on-axis potential
    ``I / (2 pi sigma a) atan(a / z)`` (:func:`disc_potential_on_axis_mV`). A point source at
    height ``h = 2 a / pi`` above the surface, ``I / (2 pi sigma (z + h))``, has the same value
    at the surface and the same far field [A: reduced model]; it spreads current over many
    cutaneous fibres (large pads: less focal, higher thresholds than PNS).
    """
    area = PARAMETERS["contact_area_mm2"].validate(contact_area_mm2)
    a = math.sqrt(area / math.pi)
    return TensPad(area, a, 2.0 * a / math.pi, 0.5 * TENS_SIGMA_S_PER_M)
