"""Moving land data in and out: import a file into the store (with a report) and export a layer.

Sits above :mod:`geo_app.io`, :mod:`geo_app.analysis` and :mod:`geo_app.storage`, and below
the CLI and the app: each user action (import a file, export a layer) is one function here.
"""
