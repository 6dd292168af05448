/*
 * The control layers' renderer: one canvas for areas, base lines, frontlines and markers. It
 * marks each change's box on a grid of small cells, clears and clips to those cells and redraws
 * only the layers that touch one (found in buckets of the layers' boxes, LayerIndex), not the
 * box around all of a frame's changes as Leaflet's canvas does. A level's layers of one style
 * are one path (one fill, one stroke): few draw calls, no seam where pieces of one ground meet
 * (rings oriented so a nonzero fill of many polygons is their union). Markers are sprites. A
 * layer's `level` (LEVELS) keeps the order of the panes it replaces; "url(#id)" fills are the
 * page's SVG patterns. */
/* global L */
/* exported PatchCanvas, LEVELS */

var LEVELS = { areas: 0, baseLines: 1, fronts: 2, places: 3 };
var MAX_PATCHES = 1000;  // more changed boxes in a frame than this: repaint everything

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
    if (this._index) this._index.rank(order);
  },
  _removePath: function (layer) {
    var order = layer._order, lasts = this._lasts;
    if (this._index && order) this._index.drop(order);
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
    if (patches.length > MAX_PATCHES) { this._index = null; this._paint(null); return; }
    var index = this._index, old = !index || !index.ok || index.bounds !== this._bounds || index.stale > index.live;
    if (old) index = this._index = new LayerIndex(this._bounds, this._drawFirst);
    for (var i = 0; i < changed.length; i++) index.update(changed[i]._order);
    var grid = new DirtyGrid(this._bounds, patches);
    this._paint(grid, index.find(grid));
  },
  _draw: function () { this._paint(null); },
  /* Clear the changed cells' rectangles (or all), clip to them and redraw the layers `found`
     touching one (or all), level by level: a level's fills as one path per style, then its
     outlines likewise; markers as sprites, in order. */
  _paint: function (grid, found) {
    var ctx = this._ctx, drawn = 0, level = -1, n = 0;
    this._redrawBounds = null; if (!grid) this._clear();
    ctx.save(); ctx.beginPath();
    for (var i = 0; grid && i < grid.rects.length; i++) {
      var r = grid.rects[i];
      ctx.clearRect(r[0], r[1], r[2] - r[0], r[3] - r[1]);
      ctx.rect(r[0], r[1], r[2] - r[0], r[3] - r[1]);
    }
    if (grid) ctx.clip();
    this._drawing = true; this._groups = {};
    for (var order = found ? found[0] : this._drawFirst; order; order = found ? found[++n] : order.next) {
      if (order.level !== level) { this._flush(); level = order.level; }
      order.layer._updatePath(); drawn++;
    }
    this._flush();
    this._drawing = false; ctx.restore();
    // what the last repaint did: rectangles repainted (null: all), layers drawn (repaint())
    this.lastRepaint = { boxes: grid ? grid.rects.length : null, drawn: drawn };
  },
  /* Everything again, after a move or zoom. */
  _updatePaths: function () {
    this._index = null;
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
    for (k = 0; k < keys.length; k++) this._fill(this._ctx, groups[keys[k]].options, groups[keys[k]].path);
    for (k = 0; k < keys.length; k++) stroke(this._ctx, groups[keys[k]].options, groups[keys[k]].path);
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

/* A grid of `size` px cells over the canvas box `bounds`, and the cells a box covers,
   clamped to the grid (into `c`: x0, y0, x1, y1; false if none). */
function gridOver(grid, bounds, size) {
  grid.size = size;
  grid.x0 = Math.floor(bounds.min.x / size); grid.y0 = Math.floor(bounds.min.y / size);
  grid.w = Math.floor(bounds.max.x / size) - grid.x0 + 1; grid.h = Math.floor(bounds.max.y / size) - grid.y0 + 1;
}
function cellsOf(grid, minX, minY, maxX, maxY, c) {
  var s = grid.size, x0 = Math.floor(minX / s) - grid.x0, x1 = Math.floor(maxX / s) - grid.x0;
  var y0 = Math.floor(minY / s) - grid.y0, y1 = Math.floor(maxY / s) - grid.y0;
  if (x1 < 0 || y1 < 0 || x0 >= grid.w || y0 >= grid.h) return false;
  c[0] = Math.max(x0, 0); c[1] = Math.max(y0, 0); c[2] = Math.min(x1, grid.w - 1); c[3] = Math.min(y1, grid.h - 1);
  return true;
}

/* The changed boxes gathered on a grid of CELL px cells: the changed cells as rectangles
   (each row's runs, merged with the same run in the row above). */
var CELL = 4;
function DirtyGrid(bounds, patches) {
  gridOver(this, bounds, CELL);
  var w = this.w, on = new window.Uint8Array(w * this.h), c = [], open = {}, next, x, y, i;
  for (i = 0; i < patches.length; i++) {
    var p = patches[i];
    if (!cellsOf(this, p[0], p[1], p[2], p[3], c)) continue;
    for (y = c[1]; y <= c[3]; y++) for (x = c[0]; x <= c[2]; x++) on[y * w + x] = 1;
  }
  this.rects = [];
  for (y = 0; y < this.h; y++, open = next) {
    next = {};
    for (x = 0; x < w; x++) {
      if (!on[y * w + x] || (x > 0 && on[y * w + x - 1])) continue;
      var end = x, top = (this.y0 + y) * CELL;
      while (end < w && on[y * w + end]) end++;
      var r = open[x * 65536 + end];
      if (r) r[3] = top + CELL;
      else this.rects.push(r = [(this.x0 + x) * CELL, top, (this.x0 + end) * CELL, top + CELL]);
      next[x * 65536 + end] = r;
    }
  }
}

/* The layers' boxes filed in buckets of BUCKET px over the canvas, and their drawing order
   as a `rank`: a range per level; a new layer goes after the last of its level (rank()).
   Built again when a rank finds no room or most bucket entries are stale (removed layers). */
var BUCKET = 64, LEVEL_RANKS = Math.pow(2, 40), RANK_STEP = Math.pow(2, 20), finds = 0;  // finds: for `seen`
function LayerIndex(bounds, first) {
  gridOver(this, bounds, BUCKET);
  this.bounds = bounds; this.ok = true; this.live = this.stale = 0; this.buckets = [];
  for (var k = 0; k < this.w * this.h; k++) this.buckets.push([]);
  for (var order = first, i = 0; order; order = order.next, i++) {
    order.rank = order.level * LEVEL_RANKS + i * RANK_STEP; order.entry = null; this.update(order);
  }
}
LayerIndex.prototype.rank = function (order) {
  var p = order.prev, n = order.next, r = order.level * LEVEL_RANKS;
  if (p) r = Math.max(r, p.rank + RANK_STEP);
  if (n && r >= n.rank) r = p ? (p.rank + n.rank) / 2 : n.rank - RANK_STEP;
  if ((p && !(r > p.rank)) || (n && !(r < n.rank))) this.ok = false;
  order.rank = r;
};
LayerIndex.prototype.drop = function (order) {
  if (order.entry) { this.live -= order.entry.n; this.stale += order.entry.n; order.entry = null; }
};
/* File a layer under its box (again, if its box changed), with the box in CELL cells. */
LayerIndex.prototype.update = function (order) {
  var b = order && order.layer._pxBounds, c = [];
  if (!order || (order.entry && order.entry.box === b)) return;
  this.drop(order);
  var e = order.entry = { order: order, box: b, n: 0, x0: 0, y0: 0, x1: -1, y1: -1 };
  if (!b || !cellsOf(this, b.min.x, b.min.y, b.max.x, b.max.y, c)) return;
  e.x0 = Math.floor(b.min.x / CELL); e.y0 = Math.floor(b.min.y / CELL);
  e.x1 = Math.floor(b.max.x / CELL); e.y1 = Math.floor(b.max.y / CELL);
  for (var y = c[1]; y <= c[3]; y++) for (var x = c[0]; x <= c[2]; x++) this.buckets[y * this.w + x].push(e);
  this.live += e.n = (c[3] - c[1] + 1) * (c[2] - c[0] + 1);
};
/* The layers whose box touches one of the grid's changed cells, in drawing order: every cell
   of a rectangle is a changed one, so that is a box meeting a rectangle (both in cells). */
LayerIndex.prototype.find = function (grid) {
  var seen = ++finds, found = [], c = [], i, x, y;
  for (i = 0; i < grid.rects.length; i++) {
    var r = grid.rects[i], x0 = r[0] / CELL, y0 = r[1] / CELL, x1 = r[2] / CELL - 1, y1 = r[3] / CELL - 1;
    if (!cellsOf(this, r[0], r[1], r[2] - 1, r[3] - 1, c)) continue;
    for (y = c[1]; y <= c[3]; y++) for (x = c[0]; x <= c[2]; x++) {
      for (var bucket = this.buckets[y * this.w + x], j = 0; j < bucket.length; j++) {
        var e = bucket[j], o = e.order;
        if (e.x0 > x1 || e.x1 < x0 || e.y0 > y1 || e.y1 < y0 || o.seen === seen) continue;
        if (o.entry === e && o.layer._order === o) found.push(o);
        if (o.entry === e) o.seen = seen;
      }
    }
  }
  return found.sort(function (a, z) { return a.rank - z.rank; });
};

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
