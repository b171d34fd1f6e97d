"""Suizhou High-tech Zone planning app from a checkout: ``streamlit run app.py``.

``make run`` and servers use ``geo-app serve`` instead (``geo_app/webapp.py``, with the server
settings). Streamlit serves ``./static`` beside this file: a link to ``geo_app/static``, where
the vendored map assets are committed.
"""

from geo_app.ui.app import main

main()
