"""Use cases that join storage and analysis: one function per question a user asks.

Sits above :mod:`geo_app.analysis` and :mod:`geo_app.storage` (which sit beside each other
and never import one another) and below the CLI and the app, as :mod:`geo_app.transfer`
does for moving data in and out.
"""
