/*
 * The control layers: areas, frontlines, place markers (and their labels), drawn on one
 * canvas that repaints only around what changes (canvas.js).
 *
 * show(day) draws a day from scratch; step(from, to) applies only what changes between two
 * days (the records that begin or end in between, from MapData.touched). Frontlines are
 * drawn as their pieces: a piece is shown while any frontline run through it is valid, so a
 * change redraws the few pieces that appear or go, not every run along the front.
 */
/* global L, PatchCanvas, CanvasGroup, LEVELS, validOn, STATUS, KIND, PlaceLabels, buildPatterns, buildBase, patternId */
/* exported MapLayers */

var ZONE_OPACITY = 0.8;  // of the zone tint over the land: the legend's zone swatch is the tint
var FRONT_STYLE = { level: LEVELS.fronts, color: "#000", weight: 4, opacity: 1, lineCap: "round",
  lineJoin: "round", interactive: false };

function MapLayers(map, data, id, onPlaceClick, onPolygonClick) {
  this.map = map;
  this.data = data;
  this.id = id;
  this.onPlaceClick = onPlaceClick;
  this.onPolygonClick = onPolygonClick;
  this.areaLayers = [];
  this.pieceLayers = [];
  this.placeLayers = [];
  this.shownAreas = {};
  this.shownFronts = {};
  this.shownPlaces = {};
  this.pieceCount = new Array(data.lines.length);
  for (var k = 0; k < data.lines.length; k++) this.pieceCount[k] = 0;
  this.placeState = [];
}

/* Panes, base layers and the groups; returns the layer control's overlays. */
MapLayers.prototype.build = function (patternDefs) {
  buildPatterns(patternDefs, this.data, this.id);
  // one canvas: areas, base lines, frontlines and markers (canvas.js)
  this.renderer = new PatchCanvas({ pane: "mgControl" });
  var overlays = buildBase(this.map, this.data.base, this.renderer);
  this.areaGroup = new CanvasGroup().addTo(this.map);
  this.frontGroup = new CanvasGroup().addTo(this.map);
  this.placeGroup = new CanvasGroup().addTo(this.map);
  this.labelGroup = L.layerGroup().addTo(this.map);
  this.labels = new PlaceLabels(this.map, this.data, this.labelGroup);
  overlays["Control areas"] = this.areaGroup;
  overlays.Frontlines = this.frontGroup;
  overlays.Places = this.placeGroup;
  overlays["Place names"] = this.labelGroup;
  var self = this;
  this.map.on("zoomend", function () { self.labels.place(self.shownPlaces); });
  return overlays;
};

/* ---------- styles ---------- */

MapLayers.prototype.areaStyle = function (a) {
  var d = this.data;
  // a tile or imported piece (edge 0) is part of one ground: no outline, or the grid shows
  var base = { weight: a.edge ? 0.6 : 0, color: "#333", opacity: 0.7,
    fillOpacity: a.inferred ? 0.3 : 0.55 };
  var uncertain = STATUS[a.status] === "uncertain";
  if (a.kind === 1) {
    // a zone: ground beyond every place's reach, allotted to the nearest side (a light tint),
    // dotted in the new holder's colour while it may have changed hands
    return L.extend(base, { fillColor: uncertain ? "url(#" + patternId(this.id, a) + ")" :
      d.zoneColor(a.controller), fillOpacity: ZONE_OPACITY, weight: 0, dashArray: null });
  }
  if (a.status === 0) {
    return L.extend(base, { fillColor: d.color(a.controller), dashArray: a.inferred ? "2 3" : null });
  }
  if (uncertain) {
    return L.extend(base, { fillColor: "url(#" + patternId(this.id, a) + ")",
      fillOpacity: a.inferred ? 0.45 : 0.75, color: d.color(a.opponent || a.controller),
      weight: 1.5, opacity: 1, dashArray: "2 3" });
  }
  return L.extend(base, {
    fillColor: "url(#" + patternId(this.id, a) + ")",
    fillOpacity: a.inferred ? 0.45 : 0.75,
    color: d.color(a.controller),
    weight: a.status === 2 ? 2.5 : 1.8,
    opacity: 1,
    dashArray: a.status === 2 ? "1 4" : "6 4"
  });
};

MapLayers.prototype.markerStyle = function (state) {
  // Fill: who holds it. Outline: solid when held, thick dashed (dotted if besieged) when
  // under assault like the area, thin grey dashes and a paler fill when inferred.
  // A solid outline is 1 px: Chromium draws it as a hairline, about half the cost of a wider
  // one when a step repaints thousands of markers.
  var style = { fillColor: this.data.color(state.controller), fillOpacity: 1, color: "#111",
    weight: 1, dashArray: null };
  if (state.status === 1) L.extend(style, { color: "#000", weight: 2.5, dashArray: "3 2" });
  if (state.status === 2) L.extend(style, { color: "#000", weight: 2.5, dashArray: "1 2" });
  if (state.inferred) {
    L.extend(style, { fillOpacity: 0.6, color: "#555", weight: 1,
      dashArray: state.status === 0 ? "2 2" : style.dashArray });
  }
  return style;
};

/* ---------- layers, made when first shown ---------- */

MapLayers.prototype.areaLayer = function (i) {
  var layer = this.areaLayers[i];
  if (layer) return layer;
  var d = this.data;
  var a = d.areas[i];
  var clickable = a.place >= 0 || a.polygon >= 0;
  layer = L.polygon(d.geoms[a.geometry],
    L.extend({ interactive: clickable, renderer: this.renderer, level: LEVELS.areas,
      // tiles and pieces (edge 0), each simplified on its own, would leave gaps between them
      smoothFactor: a.edge ? 1 : 0 }, this.areaStyle(a)));
  layer.mg = { layer: "area", place_id: a.place >= 0 ? d.places[a.place].id : "",
    polygon: a.polygon >= 0 ? d.polygons[a.polygon].id : "", controller: a.controller,
    status: STATUS[a.status], kind: KIND[a.kind] };
  var self = this;
  // a place's ground opens the place's popup, a polygon's the polygon's; a default
  // controller's tile has none
  if (a.place >= 0) layer.on("click", function (ev) { self.onPlaceClick(a.place, ev.latlng); });
  if (a.polygon >= 0) {
    layer.on("click", function (ev) { self.onPolygonClick(a.polygon, ev.latlng); });
  }
  this.areaLayers[i] = layer;
  return layer;
};

MapLayers.prototype.pieceLayer = function (k) {
  var layer = this.pieceLayers[k];
  if (!layer) {
    layer = this.pieceLayers[k] = L.polyline(this.data.lines[k],
      L.extend({ renderer: this.renderer }, FRONT_STYLE));
    layer.mg = { layer: "frontline" };
  }
  return layer;
};

MapLayers.prototype.placeLayer = function (i) {
  var layer = this.placeLayers[i];
  if (layer) return layer;
  var p = this.data.places[i];
  var self = this;
  var r = p.population >= 500000 ? 7 : p.population >= 100000 ? 5.5 : 4.5;
  layer = L.circleMarker(p.latlon, { radius: r, weight: 1, color: "#111", fillOpacity: 1,
    fillColor: "#fff", renderer: this.renderer, level: LEVELS.places });
  layer.mg = { layer: "place", place_id: p.id, controller: null, status: null };
  layer.on("click", function (ev) { self.onPlaceClick(i, ev.latlng); });
  this.placeLayers[i] = layer;
  return layer;
};

/* ---------- drawing a day ---------- */

function range(n) {
  var out = new Array(n);
  for (var i = 0; i < n; i++) out[i] = i;
  return out;
}

/* Draw `day` from scratch (the first time). */
MapLayers.prototype.show = function (day) {
  var d = this.data;
  this.apply(day, range(d.areas.length), range(d.frontlines.length), range(d.places.length));
};

/* Move from day `from` to day `to`, touching only what may have changed. */
MapLayers.prototype.step = function (from, to) {
  var d = this.data;
  this.apply(to, d.touched("areas", from, to), d.touched("frontlines", from, to),
    d.touched("places", from, to));
};

MapLayers.prototype.apply = function (day, areas, fronts, places) {
  this.applyAreas(day, areas);
  this.applyFronts(day, fronts);
  if (this.applyPlaces(day, places)) this.labels.place(this.shownPlaces);
};

MapLayers.prototype.applyAreas = function (day, candidates) {
  var d = this.data;
  for (var n = 0; n < candidates.length; n++) {
    var i = candidates[n];
    var on = validOn(d.areas[i], day);
    if (on && !this.shownAreas[i]) {
      this.areaGroup.addLayer(this.areaLayer(i));
      this.shownAreas[i] = true;
    } else if (!on && this.shownAreas[i]) {
      this.areaGroup.removeLayer(this.areaLayers[i]);
      delete this.shownAreas[i];
    }
  }
};

MapLayers.prototype.applyFronts = function (day, candidates) {
  var d = this.data;
  var delta = {};
  var pieces = [];
  for (var n = 0; n < candidates.length; n++) {
    var i = candidates[n];
    var on = validOn(d.frontlines[i], day);
    var change = 0;
    if (on && !this.shownFronts[i]) { this.shownFronts[i] = true; change = 1; }
    else if (!on && this.shownFronts[i]) { delete this.shownFronts[i]; change = -1; }
    if (!change) continue;
    var own = d.frontlines[i].pieces;
    for (var k = 0; k < own.length; k++) {
      if (!(own[k] in delta)) { delta[own[k]] = 0; pieces.push(own[k]); }
      delta[own[k]] += change;
    }
  }
  pieces.sort(function (x, y) { return x - y; });
  for (var m = 0; m < pieces.length; m++) {
    var p = pieces[m];
    var before = this.pieceCount[p];
    var after = before + delta[p];
    this.pieceCount[p] = after;
    if (before === 0 && after > 0) this.frontGroup.addLayer(this.pieceLayer(p));
    else if (before > 0 && after === 0) this.frontGroup.removeLayer(this.pieceLayers[p]);
  }
};

/* Returns true when the set of shown places changed (labels must be placed again). */
MapLayers.prototype.applyPlaces = function (day, candidates) {
  var d = this.data;
  var shownChanged = false;
  for (var n = 0; n < candidates.length; n++) {
    var i = candidates[n];
    var state = d.stateOf(i, day);
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
      var marker = this.placeLayer(i);
      marker.mg.controller = state.controller;
      marker.mg.status = STATUS[state.status];
      marker.setStyle(this.markerStyle(state));
    }
  }
  return shownChanged;
};

/* ---------- what is shown ---------- */

function shownIndexes(shown) {
  return Object.keys(shown).map(Number).sort(function (a, b) { return a - b; });
}

MapLayers.prototype.visible = function () {
  var d = this.data, self = this;
  var out = { areas: [], places: [], frontlines: [] };
  shownIndexes(this.shownAreas).forEach(function (i) {
    var a = d.areas[i];
    out.areas.push({ place_id: a.place >= 0 ? d.places[a.place].id : "",
      polygon: a.polygon >= 0 ? d.polygons[a.polygon].id : "",
      controller: a.controller, status: STATUS[a.status], opponent: a.opponent,
      basis: a.inferred ? "inferred" : "reported", kind: KIND[a.kind] });
  });
  d.places.forEach(function (p, i) {
    var s = self.placeState[i];
    if (s) {
      out.places.push({ place_id: p.id, name: p.name, controller: s.controller,
        status: STATUS[s.status], basis: s.inferred ? "inferred" : "reported" });
    }
  });
  shownIndexes(this.shownFronts).forEach(function (i) {
    out.frontlines.push({ side_a: d.frontlines[i].side_a, side_b: d.frontlines[i].side_b });
  });
  return out;
};

/* What the canvas draws, bottom up: each control layer's record and its style, and its box
   on the page (drawn(); docs/html.md). */
MapLayers.prototype.drawn = function () {
  var out = [], map = this.map, page = map.getContainer().getBoundingClientRect();
  for (var order = this.renderer._drawFirst; order; order = order.next) {
    var layer = order.layer, o = layer.options, b = layer._pxBounds, box = null;
    if (!layer.mg) continue;
    if (b) {  // none for an empty geometry
      var lo = map.layerPointToContainerPoint(b.min), hi = map.layerPointToContainerPoint(b.max);
      box = { x: page.left + lo.x, y: page.top + lo.y, width: hi.x - lo.x, height: hi.y - lo.y };
    }
    out.push(L.extend({ fill: o.fill ? o.fillColor : null, fillOpacity: o.fillOpacity,
      stroke: o.color, weight: o.weight, dashArray: o.dashArray || null,
      interactive: !!o.interactive, box: box }, layer.mg));
  }
  return out;
};

MapLayers.prototype.controllerOf = function (i) {
  var s = i >= 0 ? this.placeState[i] : null;
  return s ? s.controller : null;
};
