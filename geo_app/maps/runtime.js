/* geo_app map runtime: packed features, tooltips, popups, drawing order, legend. */
(function () {
  if (window.geoApp) { return; }
  var G = window.geoApp = {};

  /* Packed features (geo_app/maps/encode.py) → one Leaflet layer per feature, in a
     FeatureGroup. Coordinates are integer steps of d.q degrees from d.o, delta-encoded;
     d.n holds the ragged counts (coords per ring/line, rings per polygon, polygons per
     multipolygon); polygon rings come without their closing vertex. Each layer gets a
     GeoJSON-like `feature` so that toGeoJSON() carries the properties. */
  G.features = function (d, layerName, options) {
    var c = d.c, q = d.q, ox = d.o[0], oy = d.o[1], npts = c.length / 2;
    var xs = new Float64Array(npts), ys = new Float64Array(npts), x = 0, y = 0, i;
    for (i = 0; i < npts; i++) {
      x += c[2 * i]; y += c[2 * i + 1];
      xs[i] = ox + x * q; ys[i] = oy + y * q;
    }
    var offs = d.n.map(function (counts) {
      var o = new Int32Array(counts.length + 1);
      for (var j = 0; j < counts.length; j++) { o[j + 1] = o[j] + counts[j]; }
      return o;
    });
    var LL = L.LatLng;
    function line(s, e) {
      var out = new Array(e - s);
      for (var k = s; k < e; k++) { out[k - s] = new LL(ys[k], xs[k]); }
      return out;
    }
    function parts(s, e, o0) {
      var out = new Array(e - s);
      for (var r = s; r < e; r++) { out[r - s] = line(o0[r], o0[r + 1]); }
      return out;
    }
    function points(s, e) {
      var out = [];
      for (var k = s; k < e; k++) { out.push(L.circleMarker(new LL(ys[k], xs[k]), options)); }
      return L.featureGroup(out);
    }
    var t = d.t, rows = d.v, keys = d.k, n = rows.length, layers = new Array(n);
    for (var f = 0; f < n; f++) {
      var layer;
      if (t === "Point") { layer = L.circleMarker(new LL(ys[f], xs[f]), options); }
      else if (t === "MultiPoint") { layer = points(offs[0][f], offs[0][f + 1]); }
      else if (t === "LineString") { layer = L.polyline(line(offs[0][f], offs[0][f + 1]), options); }
      else if (t === "MultiLineString") {
        layer = L.polyline(parts(offs[1][f], offs[1][f + 1], offs[0]), options);
      } else if (t === "Polygon") {
        layer = L.polygon(parts(offs[1][f], offs[1][f + 1], offs[0]), options);
      } else {
        var polys = [];
        for (var p = offs[2][f]; p < offs[2][f + 1]; p++) {
          polys.push(parts(offs[1][p], offs[1][p + 1], offs[0]));
        }
        layer = L.polygon(polys, options);
      }
      var props = {layer: layerName}, row = rows[f];
      for (var k = 0; k < keys.length; k++) { props[keys[k]] = row[k]; }
      layer.feature = {type: "Feature", properties: props};
      layers[f] = layer;
    }
    var group = L.featureGroup(layers);
    if (t === "Point" || t === "MultiPoint") { group.geoAppRadius = options.radius; }
    return group;
  };

  /* Point markers shrink when zoomed out (to 60 % at zoom 10.5, full size from zoom 13),
     so a cluster of projects does not hide the parcels under it at the zone-wide view. */
  G.pointScale = function (zoom) {
    return Math.min(1, Math.max(0.6, 0.6 + 0.4 * (zoom - 10.5) / 2.5));
  };
  G.scalePoints = function (map) {
    var scale = G.pointScale(map.getZoom());
    map.geoApp.groups.forEach(function (group) {
      group.eachLayer(function (classLayer) {
        if (!classLayer.geoAppRadius) { return; }
        var radius = classLayer.geoAppRadius * scale;
        classLayer.eachLayer(function (marker) {
          if (marker.setRadius) { marker.setRadius(radius); }
          else if (marker.eachLayer) {  // a MultiPoint: a group of markers
            marker.eachLayer(function (m) { if (m.setRadius) { m.setRadius(radius); } });
          }
        });
      });
    });
  };

  G.el = function (tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) { e.className = cls; }
    if (text !== undefined && text !== null) { e.textContent = String(text); }
    return e;
  };
  G.number = function (v, digits) {
    return Number(v).toLocaleString("en-US", {minimumFractionDigits: digits, maximumFractionDigits: digits});
  };
  G.format = function (v, field) {
    if (v === null || v === undefined || v === "") { return null; }
    if (field.kind === "area") { return G.number(v, 2); }
    if (field.kind === "enum") { return (field.labels && field.labels[v]) || String(v); }
    if (field.kind === "number") { return Number(v).toLocaleString("en-US", {maximumFractionDigits: 2}); }
    return String(v);
  };
  G.title = function (p, meta) {
    for (var i = 0; i < meta.title_keys.length; i++) {
      var v = p[meta.title_keys[i]];
      if (v !== null && v !== undefined && v !== "") { return String(v); }
    }
    return p.id === undefined ? "" : String(p.id);
  };
  G.tooltip = function (meta) {
    return function (layer) {
      var p = layer.feature.properties, box = G.el("div", "geo-tip");
      box.appendChild(G.el("div", "geo-tip-title", G.title(p, meta)));
      box.appendChild(document.createTextNode("\n"));
      var sub = meta.class_label || "";
      if (meta.area) {
        var a = p[meta.area.key];
        if (a !== null && a !== undefined) {
          sub += (sub ? " · " : "") + G.number(a, 2) + " " + meta.area.unit;
        }
      }
      if (sub) { box.appendChild(G.el("div", "geo-tip-sub", sub)); }
      return box;
    };
  };
  G.popup = function (meta) {
    return function (layer) {
      var p = layer.feature.properties, box = G.el("div", "geo-popup");
      box.appendChild(G.el("div", "geo-popup-title", G.title(p, meta)));
      box.appendChild(G.el("div", "geo-popup-layer", meta.layer_label + (meta.class_label ? " · " + meta.class_label : "")));
      var table = G.el("table");
      meta.fields.forEach(function (field) {
        var v = G.format(p[field.key], field);
        if (v === null) { return; }
        var tr = G.el("tr");
        tr.appendChild(G.el("th", null, field.label));
        tr.appendChild(G.el("td", null, v));
        table.appendChild(tr);
      });
      box.appendChild(table);
      return box;
    };
  };
  G.bind = function (layer, meta) {
    if (meta.interactive === false) { return; }
    layer.bindTooltip(G.tooltip(meta), {sticky: true, direction: "top", opacity: 0.96, className: "geo-tooltip"});
    layer.bindPopup(G.popup(meta), {maxWidth: 380, className: "geo-popup-wrap"});
  };

  /* Leaflet's default prefix carries a flag and a link out; credit Leaflet in plain text
     (the page links nothing outside: it must work offline). */
  G.ATTRIBUTION_PREFIX = "Leaflet";
  G.init = function (map) {
    map.geoApp = {groups: [], legend: null};
    if (map.attributionControl) { map.attributionControl.setPrefix(G.ATTRIBUTION_PREFIX); }
    L.control.scale({imperial: false, position: "bottomleft"}).addTo(map);
    map.on("overlayadd", function (e) {
      var groups = map.geoApp.groups, at = groups.indexOf(e.layer);
      if (at >= 0) {
        for (var i = at + 1; i < groups.length; i++) {
          if (map.hasLayer(groups[i])) { groups[i].bringToFront(); }
        }
      }
      G.syncLegend(map);
    });
    map.on("overlayremove", function () { G.syncLegend(map); });
    map.on("zoomend", function () { G.scalePoints(map); });
  };
  G.register = function (map, group, layerName, z) {
    if (group.geoAppLayer) { return; }
    group.geoAppLayer = layerName;
    group.geoAppZ = z;
    var groups = map.geoApp.groups;
    groups.push(group);
    groups.sort(function (a, b) { return a.geoAppZ - b.geoAppZ; });
  };

  /* Which legend sections the user opened or closed, kept across reruns of the app
     (a rerun rebuilds the map). Storage may be unavailable (file: pages, privacy modes). */
  G.LEGEND_STORE = "geoApp.legend.open";
  G.legendMemory = function () {
    try { return JSON.parse(window.sessionStorage.getItem(G.LEGEND_STORE) || "{}") || {}; }
    catch (e) { return {}; }
  };
  G.rememberLegend = function (layerName, open) {
    try {
      var memory = G.legendMemory();
      memory[layerName] = open;
      window.sessionStorage.setItem(G.LEGEND_STORE, JSON.stringify(memory));
    } catch (e) { /* not remembered: the default applies next time */ }
  };
  /* The legend: a title that folds it all, then one section per layer whose title
     opens or closes its entries (only the spec's `open` sections at first). Its height
     stays clear of the zoom buttons; it scrolls only if every section is opened. */
  G.legend = function (map, spec) {
    var control = L.control({position: "bottomleft"});
    control.onAdd = function () {
      var div = L.DomUtil.create("div", "geo-legend leaflet-control");
      L.DomEvent.disableClickPropagation(div);
      L.DomEvent.disableScrollPropagation(div);
      var head = G.el("div", "geo-legend-head", spec.title);
      head.title = spec.toggle_hint;
      head.addEventListener("click", function () { div.classList.toggle("geo-collapsed"); });
      div.appendChild(head);
      if (spec.collapsed) { div.classList.add("geo-collapsed"); }
      var body = G.el("div", "geo-legend-body");
      var memory = spec.remember === false ? {} : G.legendMemory();
      spec.sections.forEach(function (sec) {
        var s = G.el("div", "geo-legend-section");
        s.setAttribute("data-layer", sec.layer);
        var open = memory.hasOwnProperty(sec.layer) ? !!memory[sec.layer] : !!sec.open;
        if (!open) { s.classList.add("geo-closed"); }
        var title = G.el("div", "geo-legend-title", sec.title);
        title.title = spec.section_hint;
        title.setAttribute("role", "button");
        title.addEventListener("click", function () {
          var nowOpen = s.classList.toggle("geo-closed") === false;
          G.rememberLegend(sec.layer, nowOpen);
        });
        s.appendChild(title);
        var rows = G.el("div", "geo-legend-rows");
        sec.entries.forEach(function (entry) {
          var row = G.el("div", "geo-legend-row");
          var sw = G.el("span", "geo-sw geo-sw-" + sec.symbol);
          sw.setAttribute("data-color", entry.hex);
          sw.style.cssText = entry.css;
          row.appendChild(sw);
          row.appendChild(G.el("span", "geo-legend-label", entry.label));
          rows.appendChild(row);
        });
        s.appendChild(rows);
        body.appendChild(s);
      });
      div.appendChild(body);
      return div;
    };
    control.addTo(map);
    map.geoApp.legend = control;
    if (map.geoApp.resizeWatch) { map.geoApp.resizeWatch.observe(control.getContainer()); }
    G.fitLegend(map);
    map.on("resize", function () { G.fitLegend(map); });
    G.syncLegend(map);
  };
  /* Room for the legend: the map's height less the zoom buttons above it and the
     scale bar below it. */
  G.LEGEND_CLEARANCE_PX = 130;
  /* At most this share of the map's height and width: at 150 % browser zoom the legend
     scrolls instead of covering the map. */
  G.LEGEND_MAX_SHARE = 0.5;
  G.fitLegend = function (map) {
    var control = map.geoApp.legend;
    if (!control || !control.getContainer()) { return; }
    var size = map.getSize();
    var room = Math.min(size.y - G.LEGEND_CLEARANCE_PX, size.y * G.LEGEND_MAX_SHARE);
    var style = control.getContainer().style;
    style.maxHeight = Math.max(room, 80) + "px";
    style.maxWidth = Math.max(Math.min(260, size.x * 0.3), 140) + "px";
  };
  G.syncLegend = function (map) {
    var control = map.geoApp.legend;
    if (!control || !control.getContainer()) { return; }
    var shown = {};
    map.geoApp.groups.forEach(function (g) { if (map.hasLayer(g)) { shown[g.geoAppLayer] = true; } });
    var sections = control.getContainer().querySelectorAll(".geo-legend-section"), any = false;
    for (var i = 0; i < sections.length; i++) {
      var on = !!shown[sections[i].getAttribute("data-layer")];
      sections[i].style.display = on ? "" : "none";
      any = any || on;
    }
    control.getContainer().style.display = any ? "" : "none";
  };

  /* --- tools: labels, full screen, offline basemap ---------------------------------- */

  G.tools = function (map, spec) {
    map.geoApp.tools = spec;
    map.geoApp.labelSets = [];
    var pane = map.createPane("geoLabels");
    pane.classList.add("geo-labels");
    pane.style.fontSize = spec.label_px + "px";
    var relayout = function () { G.layoutLabels(map); };
    map.on("zoomstart", function () { pane.style.visibility = "hidden"; });
    map.on("zoomend moveend resize overlayadd overlayremove layeradd layerremove", function () {
      pane.style.visibility = "";
      G.scheduleLabels(map);
    });
    map.whenReady(relayout);
    G.fullscreenControl(map, spec);
    if (window.ResizeObserver) {  // a control that grows (legend opened) pushes labels away
      map.geoApp.resizeWatch = new ResizeObserver(function () { G.scheduleLabels(map); });
    }
  };

  /* Labels of one layer: columns x, y (lon/lat), t (text), p (priority, or one number for
     all), already sorted by priority. Elements are made when first needed; text goes in with textContent. */
  G.labels = function (map, group, d) {
    var items = new Array(d.t.length), each = Array.isArray(d.p);
    for (var i = 0; i < d.t.length; i++) {
      items[i] = {ll: L.latLng(d.y[i], d.x[i]), text: d.t[i], p: each ? d.p[i] : d.p, el: null,
                  w: 0, h: 0, kind: d.kind, layer: d.layer};
    }
    map.geoApp.labelSets.push({group: group, layer: d.layer, kind: d.kind, items: items});
  };
  G.scheduleLabels = function (map) {
    if (map.geoApp.labelFrame) { return; }
    map.geoApp.labelFrame = requestAnimationFrame(function () {
      map.geoApp.labelFrame = null;
      G.layoutLabels(map);
    });
  };
  /* Candidates measured per layout at most (in priority order, inside the view). */
  G.LABEL_MAX_CANDIDATES = 600;
  G.LABEL_PAD_PX = 3;
  G.LABEL_POINT_GAP_PX = 4;
  G.layoutLabels = function (map) {
    var sets = map.geoApp.labelSets, pane = map.getPane("geoLabels");
    if (!sets || !pane) { return; }
    var size = map.getSize(), candidates = [], order = 0;
    sets.forEach(function (set) {
      var on = map.hasLayer(set.group);
      set.items.forEach(function (it) {
        it.placed = false;
        it.order = order++;
        if (on) { candidates.push(it); }
      });
    });
    candidates.sort(function (a, b) { return (b.p - a.p) || (a.order - b.order); });
    var inView = [];
    for (var i = 0; i < candidates.length && inView.length < G.LABEL_MAX_CANDIDATES; i++) {
      var it = candidates[i], pt = map.latLngToContainerPoint(it.ll);
      if (pt.x < 0 || pt.y < 0 || pt.x > size.x || pt.y > size.y) { continue; }
      it.pt = pt;
      if (!it.el) {
        it.el = G.el("div", "geo-label geo-label-" + it.kind + " geo-label-l-" + it.layer,
                     it.text);
        it.el.setAttribute("data-layer", it.layer);
        pane.appendChild(it.el);
      }
      inView.push(it);
    }
    inView.forEach(function (it) {  // one layout pass: read every new size
      if (!it.w) { it.w = it.el.offsetWidth; it.h = it.el.offsetHeight; }
    });
    var boxes = G.controlBoxes(map), pad = G.LABEL_PAD_PX;
    inView.forEach(function (it) {
      var x = it.kind === "point" ? it.pt.x + G.LABEL_POINT_GAP_PX + 6 : it.pt.x - it.w / 2;
      var y = it.pt.y - it.h / 2;
      var box = {l: x - pad, t: y - pad, r: x + it.w + pad, b: y + it.h + pad};
      if (box.l < 0 || box.t < 0 || box.r > size.x || box.b > size.y) { return; }
      for (var k = 0; k < boxes.length; k++) {
        var o = boxes[k];
        if (box.l < o.r && o.l < box.r && box.t < o.b && o.t < box.b) { return; }
      }
      boxes.push(box);
      it.placed = true;
      L.DomUtil.setPosition(it.el, map.containerPointToLayerPoint([x, y]));
    });
    sets.forEach(function (set) {
      set.items.forEach(function (it) {
        if (it.el) { it.el.style.display = it.placed ? "" : "none"; }
      });
    });
  };
  /* The map's controls (zoom, legend, scale, notices) as boxes labels keep clear of. */
  G.controlBoxes = function (map) {
    var box = map.getContainer().getBoundingClientRect(), out = [];
    var controls = map.getContainer().querySelectorAll(".leaflet-control, .geo-notice");
    for (var i = 0; i < controls.length; i++) {
      var r = controls[i].getBoundingClientRect();
      if (!r.width || !r.height) { continue; }
      out.push({l: r.left - box.left, t: r.top - box.top, r: r.right - box.left,
                b: r.bottom - box.top});
    }
    return out;
  };

  G.fullscreenControl = function (map, spec) {
    var el = map.getContainer();
    if (!document.fullscreenEnabled || !el.requestFullscreen) { return; }
    var control = L.control({position: "topleft"});
    control.onAdd = function () {
      var div = L.DomUtil.create("div", "leaflet-bar leaflet-control geo-fullscreen");
      var a = G.el("a", "geo-fullscreen-button");
      a.appendChild(G.el("span", "geo-fullscreen-icon"));  // four corners, drawn in CSS
      a.href = "#";
      a.setAttribute("role", "button");
      a.title = spec.fullscreen;
      a.setAttribute("aria-label", spec.fullscreen);
      L.DomEvent.disableClickPropagation(div);
      L.DomEvent.on(a, "click", function (e) {
        L.DomEvent.preventDefault(e);
        if (document.fullscreenElement) { document.exitFullscreen(); }
        else { el.requestFullscreen().catch(function () { /* refused: nothing to do */ }); }
      });
      document.addEventListener("fullscreenchange", function () {
        var on = document.fullscreenElement === el;
        a.title = on ? spec.exit_fullscreen : spec.fullscreen;
        a.setAttribute("aria-label", a.title);
        div.classList.toggle("geo-fullscreen-on", on);
        map.invalidateSize();
        G.scheduleLabels(map);
      });
      div.appendChild(a);
      return div;
    };
    control.addTo(map);
  };

  /* An online basemap that loads no tile (offline, blocked, wrong key): say so on the
     map and fall back to no basemap, instead of a grey map with no word. */
  G.OFFLINE_WAIT_MS = 10000;
  G.watchTiles = function (map) {
    var spec = map.geoApp.tools || {}, tiles = [];
    map.eachLayer(function (l) { if (l instanceof L.TileLayer) { tiles.push(l); } });
    if (!tiles.length) { return; }
    var loaded = 0, failed = 0, done = false;
    function giveUp() {
      if (done || loaded > 0) { return; }
      done = true;
      // after Leaflet has finished the event that got here (it still uses the layer)
      setTimeout(function () { tiles.forEach(function (l) { map.removeLayer(l); }); }, 0);
      if (spec.background) { map.getContainer().style.background = spec.background; }
      G.notice(map, spec.offline, spec.dismiss);
      map.geoApp.basemapOffline = true;
    }
    tiles.forEach(function (l) {
      l.on("tileload", function () { loaded += 1; });
      l.on("tileerror", function () { failed += 1; });
      l.on("load", function () { if (!loaded && failed) { giveUp(); } });
    });
    setTimeout(giveUp, G.OFFLINE_WAIT_MS);
  };
  G.notice = function (map, text, dismiss) {
    var box = G.el("div", "geo-notice");
    box.setAttribute("role", "alert");
    box.appendChild(G.el("span", "geo-notice-text", text));
    var close = G.el("button", "geo-notice-close", "×");
    close.type = "button";
    close.title = dismiss || "";
    close.setAttribute("aria-label", dismiss || "close");
    close.addEventListener("click", function () { box.remove(); G.scheduleLabels(map); });
    box.appendChild(close);
    L.DomEvent.disableClickPropagation(box);
    map.getContainer().appendChild(box);
    G.scheduleLabels(map);
  };

  G.ready = function (map) {
    map.whenReady(function () {
      G.scalePoints(map);
      G.watchTiles(map);
      G.layoutLabels(map);
      requestAnimationFrame(function () {
        requestAnimationFrame(function () {
          window.geoAppReadyMs = performance.now();
          document.documentElement.setAttribute("data-geo-app-ready", "1");
        });
      });
    });
  };
})();
