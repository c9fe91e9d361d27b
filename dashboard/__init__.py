"""The neuromod-sim dashboard: a thin Dash shell around the :mod:`sim` core.

Modules
-------
``app``        builds the Dash app (``server`` is the WSGI entry point).
``layout``     the components, generated from the parameter declarations.
``figures``    pure ``(result, options) -> go.Figure`` builders, also used by notebooks.
``diagnosis_figures``  the same for the conduction study, the bedside exam and the course.
``diagnosis``  the Diagnosis tab's layout and callbacks.
``callbacks``  glue between the components, :mod:`dashboard.state` and the figure builders.
``state``      the browser-held state: form values, URL and uploaded JSON <-> ``Session``.
``results``    memoised calls into the core and the one hook for the parts still being built.
``cli``        the ``neuromod dashboard`` command.
``notebook``   the lessons' figures as offline HTML; ``setup-jupyterlab``.

Importing this package is cheap: nothing here imports dash or plotly until a submodule asks;
the figure modules import plotly, never dash.
"""
