/*
 * The control layers' renderer: one canvas for areas, base lines, frontlines and markers. It
 * marks each change's box on a grid of small cells, clears and clips to those cells and redraws
 * only the layers whose box holds one (a summed-area table of the cells answers each box at
 * once, DirtyGrid), not the box around all of a frame's changes as Leaflet's canvas does. The
 * base lines, which never change with the day, are copied from a picture of their own. A
 * level's layers of one style are one path (one fill, one stroke): few draw calls, no seam
 * where pieces of one ground meet (rings oriented so a nonzero fill of many polygons is their
 * union). Markers are sprites. A layer's `level` (LEVELS) keeps the order of the panes it
 * replaces; "url(#id)" fills are the page's SVG patterns. */
/* global L, DirtyGrid */
/* exported PatchCanvas, LEVELS, CanvasGroup */

var LEVELS = { areas: 0, baseLines: 1, fronts: 2, places: 3 };
var MAX_PATCHES = 1000;  // more changed boxes in a frame than this: repaint everything
// The base lines do not change with the day: a full repaint also draws them into a picture of
// their own, and a partial one copies the picture into the changed rectangles instead of
// drawing them again (rivers are long: stroking them was a fifth of a busy step).
var STILL = LEVELS.baseLines;
function isStill(layer) { return (layer.options.level || 0) === STILL; }

var PatchCanvas = L.Canvas.extend({
  options: { padding: 0.1 },

  /* Insert the layer after the last one of its level (or of the levels below it). */
  _initPath: function (layer) {
    if (layer instanceof L.Polygon && !layer._oriented) layer._oriented = orient(layer._latlngs);
    this._updateDashArray(layer);
    this._layers[L.stamp(layer)] = layer;
    var level = layer.options.level || 0, lasts = this._lasts || (this._lasts = []), after = null;
    for (var k = level; k >= 0 && !after; k--) after = lasts[k] || null;
    var order = layer._order = { layer: layer, level: level, prev: after, next: after ? after.next : this._drawFirst };
    if (order.prev) order.prev.next = order; else this._drawFirst = order;
    if (order.next) order.next.prev = order; else this._drawLast = order;
    lasts[level] = order;
  },
  _removePath: function (layer) {
    var order = layer._order, lasts = this._lasts;
    if (order && lasts[order.level] === order) {
      lasts[order.level] = order.prev && order.prev.level === order.level ? order.prev : null;
    }
    L.Canvas.prototype._removePath.call(this, layer);
  },
  // the style a layer is drawn with, as a key: layers with one key are drawn as one path
  _updateDashArray: function (layer) {
    L.Canvas.prototype._updateDashArray.call(this, layer);
    var o = layer.options;
    o._key = [o.fill && (o.fillColor || o.color), o.fillOpacity, o.fillRule, o.stroke && o.weight,
      o.color, o.opacity, o._dashArray, o.lineCap, o.lineJoin].join("|");
  },
  _extendRedrawBounds: function (layer) {
    var b = layer._pxBounds;
    (this._changed = this._changed || []).push(layer);
    if (!b) return;
    var pad = (layer.options.weight || 0) + 1;
    (this._patches = this._patches || []).push([Math.floor(b.min.x - pad), Math.floor(b.min.y - pad),
      Math.ceil(b.max.x + pad), Math.ceil(b.max.y + pad)]);
  },
  /* Repaint the changed boxes (everything when there are too many, e.g. on the first day). */
  _redraw: function () {
    this._redrawRequest = null;
    var patches = this._patches || [], changed = this._changed || [];
    this._patches = []; this._changed = [];
    if (!patches.length || !this._ctx) return;
    if (patches.length > MAX_PATCHES || changed.some(isStill)) { this._paint(null); return; }
    for (var i = 0; i < changed.length; i++) if (changed[i]._order) changed[i]._order.cells = undefined;
    var grid = new DirtyGrid(this._bounds, patches);
    this._paint(grid, grid.touching(this._drawFirst));
  },
  _draw: function () { this._paint(null); },
  /* Clear the changed cells' rectangles (or all), clip to them and redraw the layers `found`
     touching one (or all), level by level: a level's fills as one path per style, then its
     outlines likewise; markers as sprites, in order. */
  _paint: function (grid, found) {
    var ctx = this._ctx, drawn = 0, level = -1, n = 0, copied = false;
    this._redrawBounds = null;
    if (!grid) { this._clear(); this._hasStill = false; }
    ctx.save(); ctx.beginPath();
    for (var i = 0; grid && i < grid.rects.length; i++) {
      var r = grid.rects[i];
      ctx.clearRect(r[0], r[1], r[2] - r[0], r[3] - r[1]);
      ctx.rect(r[0], r[1], r[2] - r[0], r[3] - r[1]);
    }
    if (grid) ctx.clip();
    this._drawing = true; this._groups = {}; this._target = ctx;
    for (var order = found ? found[0] : this._drawFirst; order; order = found ? found[++n] : order.next) {
      if (order.level !== level) {
        this._flush(); level = order.level;
        if (level > STILL && !copied) { this._copyStill(); copied = true; }
        this._target = level === STILL && !grid ? this._stillContext() : ctx;
      }
      if (grid && level === STILL) continue;  // in the picture
      if (!grid) order.cells = undefined;
      order.layer._updatePath(); drawn++;
    }
    this._flush();
    if (!copied) this._copyStill();
    this._drawing = false; ctx.restore();
    // what the last repaint did: rectangles repainted (null: all), layers drawn (repaint())
    this.lastRepaint = { boxes: grid ? grid.rects.length : null, drawn: drawn };
  },
  /* The still level's picture, cleared, with the canvas's size and transform. */
  _stillContext: function () {
    var main = this._container, pic = this._still || (this._still = document.createElement("canvas"));
    pic.width = main.width; pic.height = main.height;  // which also clears it
    var c = pic.getContext("2d");
    c.setTransform(this._ctx.getTransform());
    this._hasStill = true;
    return c;
  },
  /* The still level's picture over what is drawn so far (within the clip: the changed
     rectangles). */
  _copyStill: function () {
    var ctx = this._ctx;
    if (!this._hasStill) return;
    ctx.save(); ctx.setTransform(1, 0, 0, 1, 0, 0); ctx.globalAlpha = 1;
    ctx.drawImage(this._still, 0, 0);
    ctx.restore();
  },
  /* Everything again, after a move or zoom. */
  _updatePaths: function () {
    if (this._postponeUpdatePaths) return;
    for (var id in this._layers) this._layers[id]._update();
    this._patches = [];
    this._paint(null);
  },
  _updatePoly: function (layer, closed) {
    var parts = layer._parts, key = layer.options._key;
    if (!this._drawing || !parts.length) return;
    var path = (this._groups[key] || (this._groups[key] = { options: layer.options, path: new window.Path2D() })).path;
    for (var i = 0; i < parts.length; i++) {
      var part = parts[i];
      if (!closed && !long(part)) continue;  // in one path, Chromium would draw a dot for it
      path.moveTo(part[0].x, part[0].y);
      for (var j = 1; j < part.length; j++) path.lineTo(part[j].x, part[j].y);
      // back to the start, not closePath(): that costs in proportion to the path so far
      if (closed) path.lineTo(part[0].x, part[0].y);
    }
  },
  /* The fills, then the outlines, of the layers collected since the last flush. */
  _flush: function () {
    var keys = Object.keys(this._groups).sort(), groups = this._groups, k;
    for (k = 0; k < keys.length; k++) this._fill(this._target, groups[keys[k]].options, groups[keys[k]].path);
    for (k = 0; k < keys.length; k++) stroke(this._target, groups[keys[k]].options, groups[keys[k]].path);
    this._groups = {};
  },
  _fill: function (ctx, o, path) {
    if (!o.fill) return;
    var fill = o.fillColor || o.color; ctx.globalAlpha = o.fillOpacity;
    ctx.fillStyle = fill.indexOf("url(#") === 0 ? this._pattern(fill.slice(5, -1)) : fill;
    ctx.fill(path, o.fillRule || "nonzero");
  },
  /* A marker: its sprite, drawn at the nearest whole pixel. */
  _updateCircle: function (layer) {
    if (!this._drawing || layer._empty()) return;
    var s = this._sprite(layer), p = layer._point, m = s.scale;
    this._ctx.drawImage(s.canvas, Math.round(p.x * m) / m - s.half, Math.round(p.y * m) / m - s.half,
      2 * s.half, 2 * s.half);
  },
  // the marker's radius as given (Leaflet's canvas rounds it: 4.5 px would draw as 5)
  _sprite: function (layer) {
    var o = layer.options, r = Math.max(layer._radius, 1), key = o._key + "|" + r;
    var cache = this._sprites || (this._sprites = {});
    if (cache[key]) return cache[key];
    var m = L.Browser.retina ? 2 : 1, half = Math.ceil(r + (o.weight || 0) / 2 + 1);
    var tile = document.createElement("canvas"), ctx = tile.getContext("2d"), path = new window.Path2D();
    tile.width = tile.height = 2 * half * m;
    ctx.scale(m, m);
    path.arc(half, half, r, 0, Math.PI * 2, false);
    this._fill(ctx, o, path);
    stroke(ctx, o, path);
    return (cache[key] = { canvas: tile, half: half, scale: m });
  },
  _pattern: function (id) {
    var cache = this._patterns || (this._patterns = {});
    if (!(id in cache)) cache[id] = canvasPattern(this._ctx, document.getElementById(id));
    return cache[id] || "#999";
  }
});

/* A layer group for layers the canvas draws: a step shows and hides hundreds of them, so they
   go straight to their renderer (the canvas), without the map's layer bookkeeping and events
   (nothing listens to them). The group itself is a map layer as usual (the layer control). */
var CanvasGroup = L.LayerGroup.extend({
  addLayer: function (layer) {
    this._layers[L.stamp(layer)] = layer;
    if (this._map) showOn(this._map, layer);
    return this;
  },
  removeLayer: function (layer) {
    var id = L.stamp(layer);
    if (this._map && this._layers[id]) hideFrom(layer);
    delete this._layers[id];
    return this;
  },
  onAdd: function (map) {
    this.eachLayer(function (layer) { showOn(map, layer); });
  },
  onRemove: function () {
    this.eachLayer(hideFrom);
  }
});

function showOn(map, layer) {
  layer._map = layer._mapToAdd = map;
  layer._renderer = layer.options.renderer;
  layer._zoomAnimated = map._zoomAnimated;
  layer.onAdd(map);
}

function hideFrom(layer) {
  layer.onRemove(layer._map);
  layer._map = layer._mapToAdd = null;
}

/* Whether a line has any length (a piece shorter than a pixel projects to one point). */
function long(part) {
  for (var i = 1; i < part.length; i++) if (part[i].x !== part[0].x || part[i].y !== part[0].y) return true;
  return false;
}

function stroke(ctx, o, path) {
  if (!o.stroke || !o.weight) return;
  ctx.setLineDash(o._dashArray || []);
  ctx.globalAlpha = o.opacity; ctx.lineWidth = o.weight; ctx.strokeStyle = o.color;
  ctx.lineCap = o.lineCap; ctx.lineJoin = o.lineJoin;
  ctx.stroke(path);
}

/* Outer rings counter-clockwise (as lon, lat), holes clockwise: a nonzero fill of many
   polygons is then their union. Rings are [outer, hole...], nested in lists for parts. */
function orient(latlngs) {
  if (!latlngs.length) return true;
  if (latlngs[0] instanceof L.LatLng) return orientRing(latlngs, true);
  var rings = latlngs[0][0] instanceof L.LatLng;
  for (var i = 0; i < latlngs.length; i++) if (rings) orientRing(latlngs[i], i === 0); else orient(latlngs[i]);
  return true;
}

function orientRing(ring, outer) {
  var area = 0;
  for (var i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    area += ring[j].lng * ring[i].lat - ring[i].lng * ring[j].lat;
  }
  if ((area > 0) !== outer) ring.reverse();
  return true;
}

/* A canvas pattern drawn from an SVG <pattern> of rects and circles (base.js makes them). */
function canvasPattern(ctx, def) {
  if (!def) return null;
  var num = function (node, name) { return +(node.getAttribute(name) || 0); };
  var tile = document.createElement("canvas"), c = tile.getContext("2d");
  tile.width = num(def, "width"); tile.height = num(def, "height");
  for (var node = def.firstElementChild; node; node = node.nextElementSibling) {
    c.beginPath();
    if (node.tagName === "rect") c.rect(num(node, "x"), num(node, "y"), num(node, "width"), num(node, "height"));
    else if (node.tagName === "circle") c.arc(num(node, "cx"), num(node, "cy"), num(node, "r"), 0, 2 * Math.PI);
    else continue;
    c.fillStyle = node.getAttribute("fill") || "#000"; c.fill();
    if (!node.getAttribute("stroke")) continue;
    c.strokeStyle = node.getAttribute("stroke"); c.lineWidth = num(node, "stroke-width") || 1; c.stroke();
  }
  var pattern = ctx.createPattern(tile, "repeat");
  var turn = /rotate\(([-\d.]+)\)/.exec(def.getAttribute("patternTransform") || "");
  if (turn && pattern.setTransform) pattern.setTransform(new window.DOMMatrix().rotate(+turn[1]));
  return pattern;
}
