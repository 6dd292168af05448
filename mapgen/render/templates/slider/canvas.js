/*
 * The control layers' renderer: one canvas for areas, base lines, frontlines and place
 * markers, repainted only where something changed.
 *
 * Drawn as SVG, a slider step with changes all over the map made Chromium restyle, repaint
 * and rasterise every one of thousands of paths (about 75 ms on the synthetic 2,000-place
 * map). Leaflet's own canvas renderer repaints the box around all of a frame's changes,
 * which is again the whole map; this one marks each change's box on a grid of small cells,
 * clears and clips to those cells and redraws only the layers that touch one of them.
 *
 * A repaint draws each level's layers of one style as one path (one fill, one stroke per
 * style, not one per layer): fewer draw calls to record and play back, and no seam where
 * pieces of one ground meet (filled one by one, two anti-aliased edges let the land show
 * through). Outer rings are turned one way and holes the other, so a nonzero fill of many
 * polygons is their union. Markers are sprites: one small canvas per style, copied.
 *
 * One canvas for every level keeps the frame's work to one bitmap; a layer's `level` option
 * (LEVELS) keeps the drawing order of the panes it replaces, whatever order layers are added
 * in. Fills "url(#id)" are the page's SVG <pattern> of that id, drawn as a canvas pattern.
 */
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
    var level = layer.options.level || 0;
    var lasts = this._lasts || (this._lasts = []);
    var after = null;
    for (var k = level; k >= 0 && !after; k--) after = lasts[k] || null;
    var order = layer._order = { layer: layer, level: level, prev: after,
      next: after ? after.next : this._drawFirst };
    if (order.prev) order.prev.next = order; else this._drawFirst = order;
    if (order.next) order.next.prev = order; else this._drawLast = order;
    lasts[level] = order;
  },

  _removePath: function (layer) {
    var order = layer._order;
    if (order && this._lasts[order.level] === order) {
      this._lasts[order.level] = order.prev && order.prev.level === order.level ? order.prev : null;
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
    if (!b) return;
    var pad = (layer.options.weight || 0) + 1;
    (this._patches = this._patches || []).push([Math.floor(b.min.x - pad), Math.floor(b.min.y - pad),
      Math.ceil(b.max.x + pad), Math.ceil(b.max.y + pad)]);
  },

  /* Repaint the changed boxes (everything when there are too many, e.g. on the first day). */
  _redraw: function () {
    this._redrawRequest = null;
    var patches = this._patches || [];
    this._patches = [];
    if (!patches.length || !this._ctx) return;
    this._paint(patches.length > MAX_PATCHES ? null : new DirtyGrid(this._bounds, patches));
  },

  _draw: function () { this._paint(null); },

  /* Clear the changed cells' rectangles (or all), clip to them and redraw the layers that
     touch one, level by level: a level's fills as one path per style, then its outlines
     likewise; markers as sprites, in order. One fill over adjacent pieces leaves no seam. */
  _paint: function (grid) {
    var ctx = this._ctx, drawn = 0, level = -1;
    this._redrawBounds = null;
    if (!grid) this._clear();
    ctx.save();
    if (grid) {
      ctx.beginPath();
      for (var i = 0; i < grid.rects.length; i++) {
        var r = grid.rects[i];
        ctx.clearRect(r[0], r[1], r[2] - r[0], r[3] - r[1]);
        ctx.rect(r[0], r[1], r[2] - r[0], r[3] - r[1]);
      }
      ctx.clip();
    }
    this._drawing = true;
    this._groups = {};
    for (var order = this._drawFirst; order; order = order.next) {
      var b = order.layer._pxBounds;
      if (grid && !(b && grid.touches(b))) continue;
      if (order.level !== level) { this._flush(); level = order.level; }
      order.layer._updatePath();
      drawn++;
    }
    this._flush();
    this._drawing = false;
    ctx.restore();
    // what the last repaint did: rectangles repainted (null: all), layers drawn (repaint())
    this.lastRepaint = { boxes: grid ? grid.rects.length : null, drawn: drawn };
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
    var group = this._groups[key] || (this._groups[key] = { options: layer.options, path: new window.Path2D() });
    var path = group.path;
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
    var fill = o.fillColor || o.color;
    ctx.globalAlpha = o.fillOpacity;
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
    var tile = document.createElement("canvas");
    tile.width = tile.height = 2 * half * m;
    var ctx = tile.getContext("2d"), path = new window.Path2D();
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
  ctx.globalAlpha = o.opacity;
  ctx.lineWidth = o.weight;
  ctx.strokeStyle = o.color;
  ctx.lineCap = o.lineCap;
  ctx.lineJoin = o.lineJoin;
  ctx.stroke(path);
}

/* Outer rings counter-clockwise (as lon, lat), holes clockwise: a nonzero fill of many
   polygons is then their union. Rings are [outer, hole...], nested in lists for parts. */
function orient(latlngs) {
  if (!latlngs.length) return true;
  if (latlngs[0] instanceof L.LatLng) return orientRing(latlngs, true);
  if (latlngs[0][0] instanceof L.LatLng) {
    for (var i = 0; i < latlngs.length; i++) orientRing(latlngs[i], i === 0);
  } else {
    for (var k = 0; k < latlngs.length; k++) orient(latlngs[k]);
  }
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

/* The changed boxes gathered on a grid of CELL px cells over the canvas (`bounds`): the cells
   as rectangles (each row's runs, merged with the same run in the row above) and a summed-area
   table, which tells in constant time whether a layer's box touches a changed cell. */
var CELL = 4;

function DirtyGrid(bounds, patches) {
  var x0 = this.x0 = Math.floor(bounds.min.x / CELL), y0 = this.y0 = Math.floor(bounds.min.y / CELL);
  var w = this.w = Math.floor(bounds.max.x / CELL) - x0 + 1;
  var h = this.h = Math.floor(bounds.max.y / CELL) - y0 + 1;
  var on = new window.Uint8Array(w * h), x, y, i;
  for (i = 0; i < patches.length; i++) {
    var c = SPAN, p = patches[i];
    if (!this.cells(p[0], p[1], p[2], p[3], c)) continue;
    for (y = c[1]; y <= c[3]; y++) for (x = c[0]; x <= c[2]; x++) on[y * w + x] = 1;
  }
  var sat = this.sat = new window.Int32Array((w + 1) * (h + 1)), open = {}, next;
  this.rects = [];
  for (y = 0; y < h; y++, open = next) {
    next = {};
    for (x = 0, i = 0; x < w; x++) {
      sat[(y + 1) * (w + 1) + x + 1] = sat[y * (w + 1) + x + 1] + (i += on[y * w + x]);
      if (!on[y * w + x] || (x > 0 && on[y * w + x - 1])) continue;
      var end = x;
      while (end < w && on[y * w + end]) end++;
      var r = open[x * 65536 + end];
      if (r) r[3] = (y0 + y + 1) * CELL;
      else this.rects.push(r = [(x0 + x) * CELL, (y0 + y) * CELL, (x0 + end) * CELL, (y0 + y + 1) * CELL]);
      next[x * 65536 + end] = r;
    }
  }
}

/* The grid cells a box covers, clamped to the grid (into `c`: x0, y0, x1, y1); false if none. */
DirtyGrid.prototype.cells = function (minX, minY, maxX, maxY, c) {
  var x0 = Math.floor(minX / CELL) - this.x0, x1 = Math.floor(maxX / CELL) - this.x0;
  var y0 = Math.floor(minY / CELL) - this.y0, y1 = Math.floor(maxY / CELL) - this.y0;
  if (x1 < 0 || y1 < 0 || x0 >= this.w || y0 >= this.h) return false;
  c[0] = Math.max(x0, 0); c[1] = Math.max(y0, 0);
  c[2] = Math.min(x1, this.w - 1); c[3] = Math.min(y1, this.h - 1);
  return true;
};

var SPAN = [0, 0, 0, 0];

DirtyGrid.prototype.touches = function (b) {
  var c = SPAN, s = this.sat, W = this.w + 1;
  return this.cells(b.min.x, b.min.y, b.max.x, b.max.y, c) && s[(c[3] + 1) * W + c[2] + 1] -
    s[c[1] * W + c[2] + 1] - s[(c[3] + 1) * W + c[0]] + s[c[1] * W + c[0]] > 0;
};

/* A canvas pattern drawn from an SVG <pattern> of rects and circles (base.js makes them). */
function canvasPattern(ctx, def) {
  if (!def) return null;
  var num = function (node, name) { return +(node.getAttribute(name) || 0); };
  var tile = document.createElement("canvas");
  tile.width = num(def, "width");
  tile.height = num(def, "height");
  var c = tile.getContext("2d");
  for (var node = def.firstElementChild; node; node = node.nextElementSibling) {
    c.beginPath();
    if (node.tagName === "rect") c.rect(num(node, "x"), num(node, "y"), num(node, "width"), num(node, "height"));
    else if (node.tagName === "circle") c.arc(num(node, "cx"), num(node, "cy"), num(node, "r"), 0, 2 * Math.PI);
    else continue;
    c.fillStyle = node.getAttribute("fill") || "#000";
    c.fill();
    if (node.getAttribute("stroke")) {
      c.strokeStyle = node.getAttribute("stroke");
      c.lineWidth = num(node, "stroke-width") || 1;
      c.stroke();
    }
  }
  var pattern = ctx.createPattern(tile, "repeat");
  var turn = /rotate\(([-\d.]+)\)/.exec(def.getAttribute("patternTransform") || "");
  if (turn && pattern.setTransform) pattern.setTransform(new window.DOMMatrix().rotate(+turn[1]));
  return pattern;
}
