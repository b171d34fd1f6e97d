"""Presentations: storyboards (TOML), the figures they name, slide maps, the HTML deck.

A storyboard (``geo_app/storyboards/README.md``) lists slides; each names its map view,
figures and table by registry key, so every number on a slide is computed from the
layers by the analysis functions the dashboard uses. The Present page shows one slide at
a time; :func:`export_deck_html` writes the whole deck as one offline HTML file.
"""

from __future__ import annotations

from geo_app.present.data import bundled_storyboards, load_story_data, story_data_from
from geo_app.present.export import SlideContent, export_deck_html, slide_content
from geo_app.present.figures import (
    FIGURES,
    TABLES,
    Figure,
    StoryData,
    compute_figure,
    compute_table,
    figure_keys,
)
from geo_app.present.model import Animation, MapView, Slide, Storyboard
from geo_app.present.parse import check_storyboard, load_storyboard, parse_storyboard
from geo_app.present.view import build_slide_map

__all__ = [
    "FIGURES",
    "TABLES",
    "Animation",
    "Figure",
    "MapView",
    "Slide",
    "SlideContent",
    "StoryData",
    "Storyboard",
    "build_slide_map",
    "bundled_storyboards",
    "check_storyboard",
    "compute_figure",
    "compute_table",
    "export_deck_html",
    "figure_keys",
    "load_story_data",
    "load_storyboard",
    "parse_storyboard",
    "slide_content",
    "story_data_from",
]
