/*
 * The control layers' renderer: one canvas for areas, base lines, frontlines and place
 * markers, repainted only where something changed.
 *
 * Drawn as SVG, a slider step with changes all over the map made Chromium restyle, repaint
 * and rasterise every one of thousands of paths (about 75 ms on the synthetic 2,000-place
 * map). Leaflet's own canvas renderer repaints the box around all of a frame's changes,
 * which is again the whole map; this one keeps each change's box apart, clears and clips to
 * those boxes and redraws only the layers that touch one of them.
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

  _extendRedrawBounds: function (layer) {
    var b = layer._pxBounds;
    if (!b) return;
    var pad = (layer.options.weight || 0) + 1;
    (this._patches = this._patches || []).push([Math.floor(b.min.x - pad), Math.floor(b.min.y - pad),
      Math.ceil(b.max.x + pad), Math.ceil(b.max.y + pad)]);
  },

  /* Repaint the changed boxes: clear them, clip to them, redraw what touches them. */
  _redraw: function () {
    this._redrawRequest = null;
    var patches = this._patches || [];
    this._patches = [];
    if (!patches.length || !this._ctx) return;
    if (patches.length > MAX_PATCHES) {  // e.g. the first day, or a layer group switched
      this._redrawBounds = null;
      this._clear();
      this._draw();
      this.lastRepaint = { boxes: null, drawn: Object.keys(this._layers).length };
      return;
    }
    patches = outermost(patches);
    var ctx = this._ctx;
    ctx.save();
    ctx.beginPath();
    for (var i = 0; i < patches.length; i++) {
      var p = patches[i];
      ctx.clearRect(p[0], p[1], p[2] - p[0], p[3] - p[1]);
      ctx.rect(p[0], p[1], p[2] - p[0], p[3] - p[1]);
    }
    ctx.clip();
    var index = new PatchIndex(patches), drawn = 0;
    this._drawing = true;
    for (var order = this._drawFirst; order; order = order.next) {
      var b = order.layer._pxBounds;
      if (b && index.touches(b)) { order.layer._updatePath(); drawn++; }
    }
    this._drawing = false;
    // what the last repaint did: boxes repainted, layers drawn (mapgen.maps[i].repaint())
    this.lastRepaint = { boxes: patches.length, drawn: drawn };
    ctx.restore();
  },

  /* Everything again, after a move or zoom. */
  _updatePaths: function () {
    if (this._postponeUpdatePaths) return;
    for (var id in this._layers) this._layers[id]._update();
    this._patches = [];
    this._redrawBounds = null;
    this._clear();
    this._draw();
  },

  // the marker's radius as given (Leaflet's canvas rounds it: 4.5 px would draw as 5)
  _updateCircle: function (layer) {
    if (!this._drawing || layer._empty()) return;
    var p = layer._point;
    this._ctx.beginPath();
    this._ctx.arc(p.x, p.y, Math.max(layer._radius, 1), 0, Math.PI * 2, false);
    this._fillStroke(this._ctx, layer);
  },

  _fillStroke: function (ctx, layer) {
    var fill = layer.options.fillColor;
    if (typeof fill !== "string" || fill.indexOf("url(#") !== 0) {
      L.Canvas.prototype._fillStroke.call(this, ctx, layer);
      return;
    }
    var options = L.extend({}, layer.options, { fillColor: this._pattern(fill.slice(5, -1)) });
    L.Canvas.prototype._fillStroke.call(this, ctx, { options: options });
  },

  _pattern: function (id) {
    var cache = this._patterns || (this._patterns = {});
    if (!(id in cache)) cache[id] = canvasPattern(this._ctx, document.getElementById(id));
    return cache[id] || "#999";
  }
});

/* The boxes that no other box contains (a layer removed and one added in its place). */
function outermost(patches) {
  patches.sort(function (a, b) { return (b[2] - b[0]) * (b[3] - b[1]) - (a[2] - a[0]) * (a[3] - a[1]); });
  var out = [];
  for (var i = 0; i < patches.length; i++) {
    var p = patches[i], inside = false;
    for (var k = 0; k < out.length && !inside; k++) {
      var o = out[k];
      inside = p[0] >= o[0] && p[1] >= o[1] && p[2] <= o[2] && p[3] <= o[3];
    }
    if (!inside) out.push(p);
  }
  return out;
}

/* Which layers touch a changed box: the boxes by the grid cells they cover. */
var CELL = 32;

function PatchIndex(patches) {
  this.patches = patches;
  this.cells = {};
  for (var i = 0; i < patches.length; i++) {
    var p = patches[i];
    for (var gx = Math.floor(p[0] / CELL); gx <= Math.floor(p[2] / CELL); gx++) {
      for (var gy = Math.floor(p[1] / CELL); gy <= Math.floor(p[3] / CELL); gy++) {
        var key = gx * 65536 + gy;
        (this.cells[key] || (this.cells[key] = [])).push(p);
      }
    }
  }
}

PatchIndex.prototype.touches = function (b) {
  var x0 = Math.floor(b.min.x / CELL), x1 = Math.floor(b.max.x / CELL);
  var y0 = Math.floor(b.min.y / CELL), y1 = Math.floor(b.max.y / CELL);
  if ((x1 - x0 + 1) * (y1 - y0 + 1) > this.patches.length) return overlaps(this.patches, b);
  for (var gx = x0; gx <= x1; gx++) {
    for (var gy = y0; gy <= y1; gy++) {
      var list = this.cells[gx * 65536 + gy];
      if (list && overlaps(list, b)) return true;
    }
  }
  return false;
};

function overlaps(patches, b) {
  var x0 = b.min.x, y0 = b.min.y, x1 = b.max.x, y1 = b.max.y;
  for (var i = 0; i < patches.length; i++) {
    var p = patches[i];
    if (x0 <= p[2] && x1 >= p[0] && y0 <= p[3] && y1 >= p[1]) return true;
  }
  return false;
}

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
