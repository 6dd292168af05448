/*
 * mapgen slider map runtime. Loaded once per page; each map fragment calls
 * mapgen._create(rootElement) with its own data.
 *
 * Public API (see docs/html.md):
 *   mapgen.date()              selected day of the first map, "YYYY-MM-DD"
 *   mapgen.setDate("2017-11-10")  move the first map to a day (clamped to the range)
 *   mapgen.changeDates()       days on which anything changes, ["YYYY-MM-DD", ...]
 *   mapgen.visible()           {areas, places, frontlines} shown on the selected day
 *   mapgen.controllerOf(p)     controller id shown for a place (id or name), or null
 *   mapgen.ready               true once the first map has drawn
 *   mapgen.maps                every map on the page, in page order (same methods each)
 *   mapgen.get(id)             the map whose root element has this id
 *
 * Data records (built by mapgen/render/html_data.py), days are numbers from the first day:
 *   areas[i]      {p: place index or -1 (an area event's polygon), c: controller, s: status
 *                  code, o: opponent, b: 1 if inferred, k: 1 if a zone (not held), f: first
 *                  day, t: end day (exclusive) or null, g: geometry}
 *   frontlines[i] {a, b: side ids, f, t, l: [line piece]}
 *   lines[i]      one piece of frontline, [[lat, lon], ...], shared by every run along it
 *   places[i]     {id, name, ll: [lat, lon], pop, h: [{c, s, o, b, i, f, t, d, e: [event]}]}
 *   events[i]     [id, date as reported, source, url, notes]
 *   tiles         {name, url, attribution, maxZoom} of the optional tile layer, or null
 *   geoms[i]      polygons [[ring, hole...], ...] or lines [[pt, ...], ...] as [lat, lon]
 * All text is set with textContent, never parsed as HTML.
 */
(function () {
  "use strict";
  var DAY_MS = 86400000;
  var STATUS = ["controlled", "contested", "besieged", "uncertain"];
  var SPEEDS = [1, 2, 5, 10, 30];
  var SVG_NS = "http://www.w3.org/2000/svg";
  var DATE_RE = /^#?(\d{4}-\d{2}-\d{2})$/;

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function svg(tag, attrs) {
    var node = document.createElementNS(SVG_NS, tag);
    for (var k in attrs) if (Object.prototype.hasOwnProperty.call(attrs, k)) node.setAttribute(k, attrs[k]);
    return node;
  }

  function valid(rec, day) {
    return rec.f <= day && (rec.t === null || rec.t > day);
  }

  function SliderMap(root) {
    this.root = root;
    this.id = root.id;
    this.data = JSON.parse(root.querySelector("script.mg-data").textContent);
    this.startMs = Date.parse(this.data.start + "T00:00:00Z");
    this.day = 0;
    this.ready = false;
    this.playing = null;
    this.speed = 5;
    this.listeners = [];
    this.sides = {};
    for (var i = 0; i < this.data.sides.length; i++) this.sides[this.data.sides[i].id] = this.data.sides[i];
    this.areaLayers = [];
    this.frontLayers = [];
    this.placeLayers = [];
    this.shownAreas = {};
    this.shownFronts = {};
    this.shownPlaces = {};
    this.placeState = [];
    this.openPlace = null;
  }

  SliderMap.prototype.iso = function (day) {
    return new Date(this.startMs + day * DAY_MS).toISOString().slice(0, 10);
  };

  SliderMap.prototype.dayOf = function (text) {
    var m = DATE_RE.exec(String(text || ""));
    if (!m) return null;
    var ms = Date.parse(m[1] + "T00:00:00Z");
    if (isNaN(ms)) return null;
    return Math.round((ms - this.startMs) / DAY_MS);
  };

  SliderMap.prototype.color = function (side) {
    var s = this.sides[side];
    return s ? s.color : this.data.unassigned_color;
  };

  SliderMap.prototype.sideName = function (side) {
    var s = this.sides[side];
    return s ? s.name : side;
  };

  /* ---------- building ---------- */

  SliderMap.prototype.build = function () {
    var d = this.data;
    var title = this.root.querySelector(".mg-title");
    title.textContent = d.title;
    this.buildPatterns();
    var mapEl = this.root.querySelector(".mg-map");
    this.map = L.map(mapEl, { keyboard: false, zoomSnap: 0.25, attributionControl: true });
    this.map.attributionControl.setPrefix(false);
    var e = d.extent;
    this.map.fitBounds([[e[1], e[0]], [e[3], e[2]]]);
    var overlays = this.buildBase();
    this.areaGroup = L.layerGroup().addTo(this.map);
    this.frontGroup = L.layerGroup().addTo(this.map);
    this.placeGroup = L.layerGroup().addTo(this.map);
    this.labelGroup = L.layerGroup().addTo(this.map);
    overlays["Control areas"] = this.areaGroup;
    overlays["Frontlines"] = this.frontGroup;
    overlays["Places"] = this.placeGroup;
    overlays["Place names"] = this.labelGroup;
    if (d.tiles) {
      var tiles = L.tileLayer(d.tiles.url, { maxZoom: d.tiles.maxZoom,
        attribution: this.escape(d.tiles.attribution) });
      overlays[d.tiles.name] = tiles;
      // The offline land fill would hide the tiles: make it transparent while they are on.
      var land = overlays["Countries"];
      this.map.on("overlayadd overlayremove", function (ev) {
        if (ev.layer !== tiles || !land) return;
        var on = ev.type === "overlayadd";
        land.eachLayer(function (l) { l.setStyle({ fillOpacity: on ? 0 : 1 }); });
      });
    }
    L.control.layers(null, overlays, { collapsed: true, position: "topright" }).addTo(this.map);
    L.control.scale({ imperial: false }).addTo(this.map);
    this.map.attributionControl.addAttribution(this.attributionText());
    this.buildLegend();
    this.buildControls();
    this.buildChart();
    var self = this;
    this.map.on("zoomend", function () { self.placeLabels(); });
    this.map.on("popupclose", function () { self.openPlace = null; });
  };

  SliderMap.prototype.attributionText = function () {
    return this.escape(this.data.attribution);
  };

  SliderMap.prototype.escape = function (text) {
    // Leaflet inserts attribution as HTML: hand it escaped text.
    return el("div", null, text).innerHTML;
  };

  SliderMap.prototype.patternId = function (side, opponent) {
    return this.id + "-hatch-" + side + "-" + (opponent || "none");
  };

  SliderMap.prototype.buildPatterns = function () {
    // Contested ground: stripes of the holder's colour over the attacker's (or white).
    var defs = this.root.querySelector("svg.mg-defs defs");
    var seen = {};
    var pairs = [];
    var d = this.data;
    for (var i = 0; i < d.areas.length; i++) {
      var a = d.areas[i];
      if (a.s === 0) continue;
      var key = a.c + "|" + a.o;
      if (!seen[key]) { seen[key] = 1; pairs.push([a.c, a.o]); }
    }
    for (var s in this.sides) pairs.push([s, ""]);
    for (var j = 0; j < pairs.length; j++) {
      var id = this.patternId(pairs[j][0], pairs[j][1]);
      if (document.getElementById(id)) continue;
      var p = svg("pattern", { id: id, width: 8, height: 8, patternUnits: "userSpaceOnUse",
        patternTransform: "rotate(45)" });
      p.appendChild(svg("rect", { width: 8, height: 8,
        fill: pairs[j][1] ? this.color(pairs[j][1]) : "#ffffff" }));
      p.appendChild(svg("rect", { width: 4, height: 8, fill: this.color(pairs[j][0]),
        "class": "mg-stripe" }));
      defs.appendChild(p);
    }
  };

  SliderMap.prototype.buildBase = function () {
    var b = this.data.base;
    var layers = {};
    var opts = {
      countries: { color: "#555", weight: 1.2, fill: true, fillColor: "#f4f1ea", fillOpacity: 1, interactive: false },
      governorate_lines: { color: "#888", weight: 0.7, dashArray: "3 3", interactive: false },
      rivers: { color: "#5b8fc9", weight: 1.6, interactive: false },
      lakes: { color: "#5b8fc9", weight: 0.8, fillColor: "#a9c8ea", fillOpacity: 1, interactive: false }
    };
    var names = { countries: "Countries", governorate_lines: "Governorates", rivers: "Rivers", lakes: "Lakes" };
    var panes = { countries: "mgBase", governorate_lines: "mgBaseLines", rivers: "mgBaseLines", lakes: "mgBaseLines" };
    this.map.createPane("mgBase").style.zIndex = 250;
    this.map.createPane("mgBaseLines").style.zIndex = 420;
    this.map.getPane("mgBaseLines").style.pointerEvents = "none";
    // Areas in the overlay pane (400); frontlines and place markers above them, whatever
    // order they are added in as the day changes.
    this.map.createPane("mgFront").style.zIndex = 440;
    this.map.getPane("mgFront").style.pointerEvents = "none";
    this.map.createPane("mgPlaces").style.zIndex = 450;
    var order = ["countries", "lakes", "governorate_lines", "rivers"];
    for (var n = 0; n < order.length; n++) {
      var key = order[n];
      if (!b[key]) continue;
      var group = L.layerGroup();
      var o = L.extend({ pane: panes[key] }, opts[key]);
      for (var i = 0; i < b[key].length; i++) {
        var coords = b[key][i][1];
        var layer = (key === "countries" || key === "lakes") ? L.polygon(coords, o) : L.polyline(coords, o);
        group.addLayer(layer);
      }
      group.addTo(this.map);
      layers[names[key]] = group;
    }
    return layers;
  };

  SliderMap.prototype.buildLegend = function () {
    var box = this.root.querySelector(".mg-legend");
    var d = this.data;
    var head = el("button", "mg-legend-head", "Legend");
    head.type = "button";
    head.setAttribute("aria-expanded", "true");
    head.title = "Show or hide the legend";
    head.addEventListener("click", function () {
      var hidden = box.classList.toggle("mg-collapsed");
      head.setAttribute("aria-expanded", hidden ? "false" : "true");
    });
    box.appendChild(head);
    if (this.root.clientWidth < 800) this.root.classList.add("mg-narrow");
    for (var i = 0; i < d.sides.length; i++) {
      if (!d.sides[i].legend) continue;
      var row = el("div", "mg-legend-row");
      var sw = el("span", "mg-swatch");
      sw.style.background = d.sides[i].color;
      row.appendChild(sw);
      row.appendChild(el("span", null, d.sides[i].name));
      box.appendChild(row);
    }
    var extra = [
      ["mg-swatch mg-swatch-contested", d.labels.contested],
      ["mg-swatch mg-swatch-besieged", d.labels.besieged],
      ["mg-swatch mg-swatch-inferred", "inferred (no report of its own)"],
      ["mg-swatch mg-swatch-front", "frontline"]
    ];
    for (var j = 0; j < extra.length; j++) {
      var r = el("div", "mg-legend-row");
      r.appendChild(el("span", extra[j][0]));
      r.appendChild(el("span", null, extra[j][1]));
      box.appendChild(r);
    }
  };

  SliderMap.prototype.buildControls = function () {
    var self = this;
    var r = this.root;
    this.dateEl = r.querySelector(".mg-date");
    this.range = r.querySelector(".mg-range");
    this.range.min = 0;
    this.range.max = this.data.days - 1;
    this.range.step = 1;
    this.range.value = 0;
    this.range.addEventListener("input", function () { self.setDay(+self.range.value); });
    var buttons = {
      "mg-prev-change": function () { self.jumpChange(-1); },
      "mg-back": function () { self.setDay(self.day - 1); },
      "mg-play": function () { self.togglePlay(); },
      "mg-forward": function () { self.setDay(self.day + 1); },
      "mg-next-change": function () { self.jumpChange(1); }
    };
    Object.keys(buttons).forEach(function (cls) {
      r.querySelector("." + cls).addEventListener("click", buttons[cls]);
    });
    this.playBtn = r.querySelector(".mg-play");
    var speed = r.querySelector(".mg-speed");
    SPEEDS.forEach(function (s) {
      var opt = el("option", null, s + " day" + (s > 1 ? "s" : "") + "/s");
      opt.value = s;
      if (s === self.speed) opt.selected = true;
      speed.appendChild(opt);
    });
    speed.addEventListener("change", function () {
      self.speed = +speed.value;
      if (self.playing) { self.stop(); self.play(); }
    });
    var ticks = r.querySelector(".mg-ticks");
    if (this.data.changes.length > 150) ticks.className += " mg-dense";
    var span = Math.max(1, this.data.days - 1);
    this.data.changes.forEach(function (day) {
      var t = el("span", "mg-tick");
      t.style.left = (100 * day / span) + "%";
      t.title = self.iso(day);
      ticks.appendChild(t);
    });
    this.data.milestones.forEach(function (m) {
      var t = el("span", "mg-milestone");
      t.style.left = (100 * m.d / span) + "%";
      t.title = self.iso(m.d) + ": " + m.label;
      ticks.appendChild(t);
    });
    r.querySelector(".mg-range-start").textContent = this.data.start;
    r.querySelector(".mg-range-end").textContent = this.data.end;
    r.addEventListener("keydown", function (ev) { self.onKey(ev); });
  };

  SliderMap.prototype.onKey = function (ev) {
    var t = ev.target;
    var tag = t && t.tagName ? t.tagName.toLowerCase() : "";
    if (tag === "select" || tag === "textarea" || (tag === "input" && t.type !== "range")) return;
    var step = { ArrowLeft: -1, ArrowRight: 1, ArrowDown: -1, ArrowUp: 1 }[ev.key];
    if (ev.key === "PageUp") { this.jumpChange(-1); ev.preventDefault(); return; }
    if (ev.key === "PageDown") { this.jumpChange(1); ev.preventDefault(); return; }
    if (ev.key === "Home") { this.setDay(0); ev.preventDefault(); return; }
    if (ev.key === "End") { this.setDay(this.data.days - 1); ev.preventDefault(); return; }
    if (ev.key === " " && tag !== "button") { this.togglePlay(); ev.preventDefault(); return; }
    if (!step) return;
    ev.preventDefault();  // the range input would move too: one step only
    if (ev.shiftKey) this.jumpChange(step); else this.setDay(this.day + step);
  };

  SliderMap.prototype.buildChart = function () {
    var chart = this.root.querySelector("svg.mg-chart");
    var st = this.data.stats;
    var W = 1000, H = 90, PAD = 2;
    chart.setAttribute("viewBox", "0 0 " + W + " " + H);
    chart.setAttribute("preserveAspectRatio", "none");
    var span = Math.max(1, this.data.days - 1);
    var max = 1;
    var sides = Object.keys(st.km2);
    sides.forEach(function (s) { st.km2[s].forEach(function (v) { if (v > max) max = v; }); });
    var self = this;
    var x = function (day) { return (W * day / span).toFixed(1); };
    var y = function (v) { return (H - PAD - (H - 2 * PAD) * v / max).toFixed(1); };
    sides.forEach(function (s) {
      var vals = st.km2[s];
      var pts = [];
      for (var i = 0; i < st.d.length; i++) {
        var x0 = x(st.d[i]);
        var x1 = x(i + 1 < st.d.length ? st.d[i + 1] : self.data.days - 1);
        pts.push(x0 + "," + y(vals[i]), x1 + "," + y(vals[i]));
      }
      chart.appendChild(svg("polyline", { points: pts.join(" "), fill: "none",
        stroke: self.color(s), "stroke-width": 2, "vector-effect": "non-scaling-stroke",
        "class": "mg-series", "data-side": s }));
    });
    this.cursor = svg("line", { x1: 0, x2: 0, y1: 0, y2: H, "class": "mg-cursor",
      "vector-effect": "non-scaling-stroke" });
    chart.appendChild(this.cursor);
    this.chartX = x;
    this.root.querySelector(".mg-chart-max").textContent =
      "Area held by each side, km\u00b2 (top of the chart: " +
      Math.round(max).toLocaleString("en") + ")";
    chart.addEventListener("click", function (ev) {
      var box = chart.getBoundingClientRect();
      self.setDay(Math.round(span * (ev.clientX - box.left) / box.width));
    });
  };

  /* ---------- drawing ---------- */

  SliderMap.prototype.areaStyle = function (a) {
    var base = { weight: 0.6, color: "#333", opacity: 0.7, fillOpacity: a.b ? 0.3 : 0.55 };
    if (a.k) return L.extend(base, { fillColor: this.color(a.c), fillOpacity: 0.2, weight: 0,
      dashArray: a.s === 3 ? "2 3" : null });
    if (a.s === 0) return L.extend(base, { fillColor: this.color(a.c), dashArray: a.b ? "2 3" : null });
    return L.extend(base, {
      fillColor: "url(#" + this.patternId(a.c, a.o) + ")",
      fillOpacity: a.b ? 0.45 : 0.75,
      color: this.color(a.c),
      weight: a.s === 2 ? 2.5 : 1.8,
      opacity: 1,
      dashArray: a.s === 2 ? "1 4" : "6 4"
    });
  };

  SliderMap.prototype.areaLayer = function (i) {
    var layer = this.areaLayers[i];
    if (layer) return layer;
    var a = this.data.areas[i];
    layer = L.polygon(this.data.geoms[a.g], L.extend({ className: "mg-area" }, this.areaStyle(a)));
    var self = this;
    if (a.p >= 0) layer.on("click", function (ev) { self.openPopup(a.p, ev.latlng); });
    layer.on("add", function () {
      var path = layer.getElement();
      path.setAttribute("data-place", a.p >= 0 ? self.data.places[a.p].id : "");
      path.setAttribute("data-controller", a.c);
      path.setAttribute("data-status", STATUS[a.s]);
      path.setAttribute("data-kind", a.k ? "zone" : "held");
    });
    this.areaLayers[i] = layer;
    return layer;
  };

  SliderMap.prototype.frontLayer = function (i) {
    var layer = this.frontLayers[i];
    if (layer) return layer;
    var f = this.data.frontlines[i];
    var lines = this.data.lines;
    var coords = f.l.map(function (k) { return lines[k]; });
    layer = L.polyline(coords, { className: "mg-front", pane: "mgFront", color: "#000", weight: 4,
      opacity: 1, lineCap: "round", lineJoin: "round", interactive: false });
    this.frontLayers[i] = layer;
    return layer;
  };

  SliderMap.prototype.placeLayer = function (i) {
    var layer = this.placeLayers[i];
    if (layer) return layer;
    var p = this.data.places[i];
    var self = this;
    var r = p.pop >= 500000 ? 7 : p.pop >= 100000 ? 5.5 : 4.5;
    layer = L.circleMarker(p.ll, { className: "mg-marker", pane: "mgPlaces", radius: r, weight: 1.5, color: "#222",
      fillOpacity: 1, fillColor: "#fff" });
    layer.on("click", function (ev) { self.openPopup(i, ev.latlng); });
    layer.on("add", function () { self.markPlace(i); });
    this.placeLayers[i] = layer;
    return layer;
  };

  SliderMap.prototype.markerStyle = function (state) {
    // Fill: who holds it. Outline: solid when held, thick dashed (dotted if besieged) when
    // under assault like the area, thin grey dashes and a paler fill when inferred.
    var style = { fillColor: this.color(state.c), fillOpacity: 1, color: "#222", weight: 1.5,
      dashArray: null };
    if (state.s === 1) L.extend(style, { color: "#000", weight: 2.5, dashArray: "3 2" });
    if (state.s === 2) L.extend(style, { color: "#000", weight: 2.5, dashArray: "1 2" });
    if (state.b) L.extend(style, { fillOpacity: 0.6, color: "#555", weight: 1.2,
      dashArray: state.s === 0 ? "2 2" : style.dashArray });
    return style;
  };

  SliderMap.prototype.markPlace = function (i) {
    var layer = this.placeLayers[i];
    var s = this.placeState[i];
    var path = layer && layer.getElement();
    if (!path || !s) return;
    path.setAttribute("data-place", this.data.places[i].id);
    path.setAttribute("data-controller", s.c);
    path.setAttribute("data-status", STATUS[s.s]);
  };

  SliderMap.prototype.sync = function (records, shown, group, layers, make, day) {
    for (var i = 0; i < records.length; i++) {
      var on = valid(records[i], day);
      if (on && !shown[i]) { group.addLayer(make.call(this, i)); shown[i] = true; }
      else if (!on && shown[i]) { group.removeLayer(layers[i]); delete shown[i]; }
    }
  };

  SliderMap.prototype.draw = function () {
    var d = this.data, day = this.day;
    this.sync(d.areas, this.shownAreas, this.areaGroup, this.areaLayers, this.areaLayer, day);
    this.sync(d.frontlines, this.shownFronts, this.frontGroup, this.frontLayers, this.frontLayer, day);
    var shownChanged = false;
    for (var i = 0; i < d.places.length; i++) {
      var state = this.stateOf(i, day);
      var before = this.placeState[i];
      this.placeState[i] = state;
      if (state && !this.shownPlaces[i]) {
        this.placeGroup.addLayer(this.placeLayer(i));
        this.shownPlaces[i] = true;
        shownChanged = true;
      } else if (!state && this.shownPlaces[i]) {
        this.placeGroup.removeLayer(this.placeLayers[i]);
        delete this.shownPlaces[i];
        shownChanged = true;
      }
      if (state && state !== before) {
        var layer = this.placeLayer(i);
        layer.setStyle(this.markerStyle(state));
        this.markPlace(i);
      }
    }
    // Labels depend only on which places are shown (and the zoom): redo them when that changes.
    if (shownChanged) this.placeLabels();
    if (this.openPlace !== null) this.fillPopup(this.openPlace);
  };

  SliderMap.prototype.stateOf = function (i, day) {
    var h = this.data.places[i].h;
    for (var k = h.length - 1; k >= 0; k--) if (valid(h[k], day)) return h[k];
    return null;
  };

  // Label positions tried in turn: right, left, above, below the marker.
  var LABEL_POSITIONS = [
    { cls: "mg-pos-r", box: function (x, y, w, h) { return [x + 7, y - h / 2, x + 7 + w, y + h / 2]; } },
    { cls: "mg-pos-l", box: function (x, y, w, h) { return [x - 7 - w, y - h / 2, x - 7, y + h / 2]; } },
    { cls: "mg-pos-t", box: function (x, y, w, h) { return [x - w / 2, y - 6 - h, x + w / 2, y - 6]; } },
    { cls: "mg-pos-b", box: function (x, y, w, h) { return [x - w / 2, y + 6, x + w / 2, y + 6 + h]; } }
  ];
  var GRID = 64;

  function Occupied() { this.cells = {}; }
  Occupied.prototype.keys = function (b) {
    var out = [];
    for (var gx = Math.floor(b[0] / GRID); gx <= Math.floor(b[2] / GRID); gx++)
      for (var gy = Math.floor(b[1] / GRID); gy <= Math.floor(b[3] / GRID); gy++) out.push(gx + ":" + gy);
    return out;
  };
  Occupied.prototype.free = function (b) {
    var keys = this.keys(b);
    for (var i = 0; i < keys.length; i++) {
      var list = this.cells[keys[i]] || [];
      for (var k = 0; k < list.length; k++) {
        var o = list[k];
        if (b[0] < o[2] && b[2] > o[0] && b[1] < o[3] && b[3] > o[1]) return false;
      }
    }
    return true;
  };
  Occupied.prototype.add = function (b) {
    var keys = this.keys(b);
    for (var i = 0; i < keys.length; i++) (this.cells[keys[i]] = this.cells[keys[i]] || []).push(b);
  };

  SliderMap.prototype.placeLabels = function () {
    // Greedy: biggest places first; each label goes to the first position that overlaps
    // no other label and no marker, or is left out.
    if (!this.map) return;
    var d = this.data;
    if (!this.labelOrder) {
      this.labelOrder = d.places.map(function (_, i) { return i; });
      this.labelOrder.sort(function (a, b) { return d.places[b].pop - d.places[a].pop || a - b; });
      this.labelLayers = [];
      this.labelPos = [];
    }
    var taken = new Occupied();
    var pts = [];
    for (var m = 0; m < d.places.length; m++) {
      if (!this.shownPlaces[m]) continue;
      pts[m] = this.map.latLngToLayerPoint(d.places[m].ll);
      taken.add([pts[m].x - 5, pts[m].y - 5, pts[m].x + 5, pts[m].y + 5]);
    }
    for (var n = 0; n < this.labelOrder.length; n++) {
      var i = this.labelOrder[n];
      var pos = null;
      if (this.shownPlaces[i]) {
        var w = 6.6 * d.places[i].name.length + 4, h = 14;
        for (var k = 0; k < LABEL_POSITIONS.length && !pos; k++) {
          var b = LABEL_POSITIONS[k].box(pts[i].x, pts[i].y, w, h);
          if (taken.free(b)) { pos = LABEL_POSITIONS[k].cls; taken.add(b); }
        }
      }
      this.showLabel(i, pos);
    }
  };

  SliderMap.prototype.showLabel = function (i, pos) {
    var lab = this.labelLayers[i];
    if (!pos) {
      if (lab && this.labelGroup.hasLayer(lab)) this.labelGroup.removeLayer(lab);
      return;
    }
    if (!lab) {
      var span = el("span", "mg-label", this.data.places[i].name);
      lab = L.marker(this.data.places[i].ll, { icon: L.divIcon({ className: "mg-label-icon", html: span,
        iconSize: [0, 0], iconAnchor: [0, 0] }), interactive: false, keyboard: false });
      this.labelLayers[i] = lab;
    }
    if (!this.labelGroup.hasLayer(lab)) this.labelGroup.addLayer(lab);
    if (this.labelPos[i] !== pos) {
      lab.getElement().firstChild.className = "mg-label " + pos;
      this.labelPos[i] = pos;
    }
  };

  /* ---------- popups ---------- */

  SliderMap.prototype.openPopup = function (i, latlng) {
    this.openPlace = i;
    if (!this.popup) this.popup = L.popup({ maxWidth: 360, maxHeight: 320, className: "mg-popup" });
    this.popup.setLatLng(latlng || this.data.places[i].ll).setContent(el("div")).openOn(this.map);
    this.openPlace = i;
    this.fillPopup(i);
  };

  SliderMap.prototype.fillPopup = function (i) {
    var p = this.data.places[i], d = this.data, day = this.day;
    var box = el("div", "mg-popup-body");
    box.appendChild(el("div", "mg-popup-title", p.name));
    var list = el("ul", "mg-history");  // newest first: the current state on top
    for (var k = p.h.length - 1; k >= 0; k--) {
      var s = p.h[k];
      if (s.f > day) continue;
      var item = el("li", valid(s, day) ? "mg-current" : "");
      var head = el("div", "mg-entry");
      var sw = el("span", "mg-swatch");
      sw.style.background = this.color(s.c);
      head.appendChild(sw);
      var text = s.d + " \u2014 " + this.sideName(s.c) + ", " + STATUS[s.s];
      if (s.o) text += " by " + this.sideName(s.o);
      text += s.b ? " (inferred from " + s.i + ")" : " (reported)";
      head.appendChild(el("span", null, text));
      item.appendChild(head);
      var srcs = el("ul", "mg-sources");
      for (var j = 0; j < s.e.length; j++) {
        var ev = d.events[s.e[j]];
        var li = el("li");
        li.appendChild(el("b", null, ev[0] + " (" + ev[1] + "): "));
        if (ev[3]) {
          var a = el("a", null, ev[2]);
          a.href = ev[3];
          a.target = "_blank";
          a.rel = "noopener noreferrer";
          li.appendChild(a);
        } else {
          li.appendChild(el("span", null, ev[2]));
        }
        if (ev[4]) li.appendChild(el("div", "mg-note", ev[4]));
        srcs.appendChild(li);
      }
      item.appendChild(srcs);
      list.appendChild(item);
    }
    if (!list.firstChild) box.appendChild(el("div", null, "No reported state by " + this.iso(day) + "."));
    box.appendChild(list);
    if (this.popup) this.popup.setContent(box);
  };

  /* ---------- time ---------- */

  SliderMap.prototype.setDay = function (day) {
    day = Math.max(0, Math.min(this.data.days - 1, Math.round(+day || 0)));
    var changed = day !== this.day || !this.ready;
    this.day = day;
    this.range.value = day;
    this.dateEl.textContent = this.iso(day);
    var pct = 100 * day / Math.max(1, this.data.days - 1);
    this.range.style.setProperty("--mg-pct", pct + "%");
    var cx = this.chartX(day);
    this.cursor.setAttribute("x1", cx);
    this.cursor.setAttribute("x2", cx);
    if (changed) this.draw();
    if (this.hash) this.writeHash();
    if (changed) for (var i = 0; i < this.listeners.length; i++) this.listeners[i](this.iso(day));
    return this.iso(day);
  };

  SliderMap.prototype.jumpChange = function (dir) {
    var c = this.data.changes;
    var target = null;
    for (var i = 0; i < c.length; i++) {
      if (dir > 0 && c[i] > this.day) { target = c[i]; break; }
      if (dir < 0 && c[i] < this.day) target = c[i];
    }
    if (target === null) target = dir > 0 ? this.data.days - 1 : 0;
    this.setDay(target);
  };

  SliderMap.prototype.play = function () {
    var self = this;
    if (this.day >= this.data.days - 1) this.setDay(0);
    this.playing = setInterval(function () {
      if (self.day >= self.data.days - 1) { self.stop(); return; }
      self.setDay(self.day + 1);
    }, 1000 / this.speed);
    this.playBtn.textContent = "\u23f8 Pause";
    this.playBtn.setAttribute("aria-label", "Pause");
    this.playBtn.title = "Pause (space)";
  };

  SliderMap.prototype.stop = function () {
    clearInterval(this.playing);
    this.playing = null;
    this.playBtn.textContent = "\u25b6 Play";
    this.playBtn.setAttribute("aria-label", "Play");
    this.playBtn.title = "Play (space)";
  };

  SliderMap.prototype.togglePlay = function () {
    if (this.playing) this.stop(); else this.play();
  };

  SliderMap.prototype.writeHash = function () {
    var want = "#" + this.iso(this.day);
    var now = window.location.hash;
    if (now === want || (now && now !== "#" && !DATE_RE.test(now))) return;
    try { history.replaceState(null, "", want); } catch (e) { /* about:srcdoc */ }
  };

  SliderMap.prototype.followHash = function () {
    var self = this;
    window.addEventListener("hashchange", function () {
      var day = self.dayOf(window.location.hash);
      if (day !== null) self.setDay(day);
    });
    return this.dayOf(window.location.hash);
  };

  /* ---------- API ---------- */

  SliderMap.prototype.placeIndex = function (place) {
    var want = String(place).toLowerCase();
    var ps = this.data.places;
    for (var i = 0; i < ps.length; i++) if (ps[i].id === place) return i;
    for (var j = 0; j < ps.length; j++) if (ps[j].name.toLowerCase() === want) return j;
    return -1;
  };

  SliderMap.prototype.api = function () {
    var self = this;
    return {
      id: self.id,
      element: self.root,
      get map() { return self.map; },
      get ready() { return self.ready; },
      date: function () { return self.iso(self.day); },
      setDate: function (text) {
        var day = self.dayOf(text);
        if (day === null) throw new Error("mapgen.setDate: expected YYYY-MM-DD, got " + JSON.stringify(text));
        return self.setDay(day);
      },
      changeDates: function () { return self.data.changes.map(function (d) { return self.iso(d); }); },
      range: function () { return [self.data.start, self.data.end]; },
      controllerOf: function (place) {
        var i = self.placeIndex(place);
        var s = i >= 0 ? self.placeState[i] : null;
        return s ? s.c : null;
      },
      visible: function () {
        var d = self.data;
        var out = { date: self.iso(self.day), areas: [], places: [], frontlines: [] };
        Object.keys(self.shownAreas).map(Number).sort(function (a, b) { return a - b; }).forEach(function (i) {
          var a = d.areas[i];
          out.areas.push({ place_id: a.p >= 0 ? d.places[a.p].id : "", controller: a.c,
            status: STATUS[a.s], opponent: a.o, basis: a.b ? "inferred" : "reported",
            kind: a.k ? "zone" : "held" });
        });
        d.places.forEach(function (p, i) {
          var s = self.placeState[i];
          if (s) out.places.push({ place_id: p.id, name: p.name, controller: s.c, status: STATUS[s.s],
            basis: s.b ? "inferred" : "reported" });
        });
        Object.keys(self.shownFronts).map(Number).sort(function (a, b) { return a - b; }).forEach(function (i) {
          out.frontlines.push({ side_a: d.frontlines[i].a, side_b: d.frontlines[i].b });
        });
        return out;
      },
      openPopup: function (place) {
        var i = self.placeIndex(place);
        if (i < 0) throw new Error("mapgen.openPopup: no place " + JSON.stringify(place));
        self.openPopup(i);
      },
      onChange: function (fn) { self.listeners.push(fn); },
      play: function () { self.play(); },
      pause: function () { self.stop(); }
    };
  };

  function first(name) {
    return function () {
      if (!registry.maps.length) throw new Error("mapgen: no map on this page");
      var m = registry.maps[0];
      return m[name].apply(m, arguments);
    };
  }

  var registry = {
    version: 1,
    maps: [],
    get: function (id) {
      for (var i = 0; i < registry.maps.length; i++) if (registry.maps[i].id === id) return registry.maps[i];
      return null;
    },
    get ready() { return registry.maps.length > 0 && registry.maps[0].ready; },
    date: first("date"),
    setDate: first("setDate"),
    changeDates: first("changeDates"),
    visible: first("visible"),
    controllerOf: first("controllerOf"),
    _create: function (root) {
      var m = new SliderMap(root);
      var api = m.api();
      registry.maps.push(api);
      m.build();
      var isFirst = registry.maps.length === 1;
      var fromHash = isFirst ? m.followHash() : null;
      if (isFirst) {
        // Keys pressed with nothing focused (e.g. right after opening) go to the first map.
        document.addEventListener("keydown", function (ev) {
          if (ev.target === document.body || ev.target === document.documentElement) m.onKey(ev);
        });
      }
      m.setDay(fromHash !== null ? fromHash : 0);
      m.hash = isFirst;  // from now on the hash follows the slider (not on opening)
      m.ready = true;
      root.setAttribute("data-ready", "true");
      return api;
    }
  };
  window.mapgen = registry;
})();
