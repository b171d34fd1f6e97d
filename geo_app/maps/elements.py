"""folium elements of the zone map: runtime, constant-style class layers, legend, ready flag.

The JavaScript runtime (``window.geoApp``, ``runtime.js``) is defined once per page by
:class:`GeoAppRuntime`, the first child of the map. It turns packed features
(:mod:`geo_app.maps.encode`) into Leaflet layers without a GeoJSON detour, binds one
tooltip and one popup per class layer (a function of the clicked feature, so nothing is
generated per feature), keeps the layers in drawing order when they are toggled, and
draws the legend as a Leaflet control.
Scripts go through the map's script block (never ``<script>`` in the header), because
streamlit-folium inserts the header with ``innerHTML``, which does not run scripts.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import folium
from branca.element import Element, Figure, MacroElement
from folium.map import Layer
from folium.template import Template

from geo_app.maps.encode import PackedFeatures
from geo_app.maps.style import BACKGROUND_HEX
from geo_app.textsafe import html_text, script_json

_HERE = Path(__file__).parent


@cache
def _runtime_js() -> str:
    return (_HERE / "runtime.js").read_text(encoding="utf-8")


@cache
def _runtime_css() -> str:
    return (_HERE / "runtime.css").read_text(encoding="utf-8")


class _Raw(Element):
    """Text placed in the page as is.

    branca wraps each rendered macro in ``Element(text)``, which compiles the text as a
    Jinja template: slow for megabytes of features, and wrong if a name contains
    ``{{``. Elements here render through :class:`RawMacroElement` instead.
    """

    def __init__(self, text: str) -> None:
        super().__init__()
        self._text = text

    def render(self, **kwargs: Any) -> str:
        return self._text


class RawMacroElement(MacroElement):
    """A MacroElement whose rendered header/html/script are not re-parsed by Jinja."""

    def render(self, **kwargs: Any) -> None:
        figure = self.get_root()
        if not isinstance(figure, Figure):
            raise TypeError(f"{type(self).__name__} must be inside a folium Figure to render.")
        module = self._template.module.__dict__
        for part in ("header", "html", "script"):
            macro = module.get(part)
            if macro is not None:
                getattr(figure, part).add_child(_Raw(macro(self, kwargs)), name=self.get_name())
        for child in self._children.values():
            child.render(**kwargs)


def _js(value: Any) -> str:
    """JSON for inline scripts (``<``, ``>``, ``&``, U+2028/9 escaped: see geo_app.textsafe)."""
    return script_json(value)


class GeoAppRuntime(RawMacroElement):
    """The shared JS runtime and CSS; add it to the map first."""

    _template = Template(
        """
        {% macro header(this, kwargs) %}
        <style>{{ this.css }}
        {%- if this.background %}
        #{{ this._parent.get_name() }} { background: {{ this.background }}; }
        {%- endif %}
        </style>
        {% endmacro %}
        {% macro script(this, kwargs) %}
        {{ this.runtime }}
        geoApp.init({{ this._parent.get_name() }});
        {% endmacro %}
        """
    )

    def __init__(self, *, background: str | None = BACKGROUND_HEX) -> None:
        super().__init__()
        self._name = "GeoAppRuntime"
        self.css = _runtime_css()
        self.runtime = _runtime_js()
        self.background = background


class ClassLayer(RawMacroElement):
    """One class of one layer: packed features drawn with one constant style.

    Add it to the layer's ``folium.FeatureGroup``. ``meta`` drives the tooltip and popup
    (see ``geoApp.tooltip`` / ``geoApp.popup``).
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = geoApp.features(
            {{ this.payload }}, {{ this.layer_json }}, {{ this.options_json }});
        geoApp.bind({{ this.get_name() }}, {{ this.meta_json }});
        {{ this.get_name() }}.addTo({{ this._parent.get_name() }});
        {% endmacro %}
        """
    )

    def __init__(
        self,
        packed: PackedFeatures,
        *,
        layer: str,
        class_key: str,
        symbol: str,
        options: dict[str, object],
        meta: dict[str, object],
    ) -> None:
        super().__init__()
        self._name = "ClassLayer"
        self.packed = packed
        self.layer = layer
        self.class_key = class_key
        self.symbol = symbol
        self.options = options
        self.meta = meta
        self.payload = packed.to_json()
        self.layer_json = _js(layer)
        self.options_json = _js(options)
        self.meta_json = _js(meta)

    def _get_self_bounds(self) -> list[list[float | None]]:
        minx, miny, maxx, maxy = self.packed.bounds
        return [[miny, minx], [maxy, maxx]]


class Legend(RawMacroElement):
    """The legend, a Leaflet control in the bottom-left corner; sections follow visibility."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        geoApp.legend({{ this._parent.get_name() }}, {{ this.spec_json }});
        {% endmacro %}
        """
    )

    def __init__(self, spec: dict[str, object]) -> None:
        super().__init__()
        self._name = "Legend"
        self.spec = spec
        self.spec_json = _js(spec)

    def set_spec(self, spec: dict[str, object]) -> None:
        """Render with ``spec`` (``self.spec`` keeps the original)."""
        self.spec_json = _js(spec)


class MapTools(RawMacroElement):
    """Label settings, the full-screen button and the offline-basemap watch; add it second."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        geoApp.tools({{ this._parent.get_name() }}, {{ this.spec_json }});
        {% endmacro %}
        """
    )

    def __init__(self, spec: dict[str, object]) -> None:
        super().__init__()
        self._name = "MapTools"
        self.spec = spec
        self.spec_json = _js(spec)


class LabelLayer(RawMacroElement):
    """The name labels of one layer (:class:`geo_app.maps.labels.LabelSet` payload).

    Add it to the layer's ``folium.FeatureGroup``: the labels show while the group is
    on the map. Text goes into the page with ``textContent`` only.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        geoApp.labels({{ this.map_name }}, {{ this._parent.get_name() }}, {{ this.payload }});
        {% endmacro %}
        """
    )

    def __init__(self, map_name: str, payload: dict[str, object]) -> None:
        super().__init__()
        self._name = "LabelLayer"
        self.map_name = map_name
        self.payload_data = payload
        self.payload = _js(payload)


class LayerControl(folium.LayerControl):
    """folium's layer control with every layer name HTML-escaped.

    Leaflet's ``L.control.layers`` puts each name into the page as HTML, so a layer
    named ``y<img src=x onerror=…>`` would run script. Names are escaped when the
    control renders, so a layer added by anyone (the app adds its own groups) is
    covered and ``layer_name`` keeps the plain text.
    """

    def render(self, **kwargs: Any) -> None:
        self.reset()
        for item in self._parent._children.values():
            if not isinstance(item, Layer) or not item.control:
                continue
            target = self.overlays if item.overlay else self.base_layers
            target[html_text(item.layer_name)] = item.get_name()
        # folium.LayerControl.render would collect the raw names again
        MacroElement.render(self, **kwargs)


class ReadyFlag(RawMacroElement):
    """Sets ``window.geoAppReadyMs`` and ``html[data-geo-app-ready]`` after the first paint.

    Add it last: it runs after every layer has been added.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        geoApp.ready({{ this._parent.get_name() }});
        {% endmacro %}
        """
    )

    def __init__(self) -> None:
        super().__init__()
        self._name = "ReadyFlag"
