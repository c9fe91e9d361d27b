"""neuromod-sim numerical core: programs, waveforms, safety, fibres, gate, sessions.

Pure numpy/scipy; nothing here imports plotly or dash.
"""
from sim.params import ParameterError

__all__ = ["ParameterError"]
__version__ = "0.2.0"
