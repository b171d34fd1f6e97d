"""The Streamlit main script of an installed geo_app: ``geo-app serve`` runs this file.

It sits at the package root so that Streamlit's static serving (the ``static`` folder beside
the main script) finds the vendored map assets in ``geo_app/static`` inside the installed
package, from any working directory. ``app.py`` in a checkout does the same.
"""

from geo_app.ui.app import main

main()
