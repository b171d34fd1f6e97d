"""Suizhou High-tech Zone planning app: ``streamlit run app.py``."""

from geo_app.ui.app import main

main()
