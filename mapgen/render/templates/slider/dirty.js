/*
 * Where a partial repaint of the control layers' canvas (canvas.js) draws: the boxes that
 * changed in a frame, gathered on a grid of small cells, and the layers whose box holds one.
 */
/* exported DirtyGrid */

/* The changed boxes gathered on a grid of CELL px cells over the canvas box `bounds`: the
   changed cells as rectangles (each row's runs, merged with the same run in the row above),
   and a summed-area table of them, which tells at once whether a box holds any (touching()). */
var CELL = 4;
function DirtyGrid(bounds, patches) {
  this.x0 = Math.floor(bounds.min.x / CELL); this.y0 = Math.floor(bounds.min.y / CELL);
  this.w = Math.floor(bounds.max.x / CELL) - this.x0 + 1; this.h = Math.floor(bounds.max.y / CELL) - this.y0 + 1;
  var w = this.w, h = this.h, on = new window.Uint8Array(w * h), c = [], x, y, i;
  for (i = 0; i < patches.length; i++) {
    var p = patches[i];
    if (!this.clamp(boxCells(p[0], p[1], p[2], p[3]), c)) continue;
    for (y = c[1]; y <= c[3]; y++) on.fill(1, y * w + c[0], y * w + c[2] + 1);
  }
  var sum = this.sum = new window.Int32Array((w + 1) * (h + 1));
  var above = [], runs, rects = this.rects = [];
  for (y = 0; y < h; y++, above = runs) {
    runs = [];
    var row = y * w, line = 0, top = (this.y0 + y) * CELL, k = 0;
    for (x = 0; x < w; x++) {
      line += on[row + x];
      sum[(y + 1) * (w + 1) + x + 1] = sum[y * (w + 1) + x + 1] + line;
      if (!on[row + x] || (x > 0 && on[row + x - 1])) continue;
      var end = x + 1;
      while (end < w && on[row + end]) end++;
      // the same run in the row above (runs are in order): its rectangle grows a row
      while (k < above.length && above[k][0] < x) k++;
      var r = k < above.length && above[k][0] === x && above[k][1] === end ? above[k][2] : null;
      if (r) r[3] = top + CELL;
      else rects.push(r = [(this.x0 + x) * CELL, top, (this.x0 + end) * CELL, top + CELL]);
      runs.push([x, end, r]);
    }
  }
}

/* Cells `k` of the layer pane (boxCells) as this grid's own, clamped to it, into `c`
   (x0, y0, x1, y1); false if they miss the grid. */
DirtyGrid.prototype.clamp = function (k, c) {
  var x0 = k[0] - this.x0, y0 = k[1] - this.y0, x1 = k[2] - this.x0, y1 = k[3] - this.y0;
  if (x1 < 0 || y1 < 0 || x0 >= this.w || y0 >= this.h) return false;
  c[0] = x0 < 0 ? 0 : x0; c[1] = y0 < 0 ? 0 : y0; c[2] = x1 >= this.w ? this.w - 1 : x1; c[3] = y1 >= this.h ? this.h - 1 : y1;
  return true;
};

/* The layers from `first` on, in drawing order, whose box holds a changed cell. */
DirtyGrid.prototype.touching = function (first) {
  var found = [], sum = this.sum, w1 = this.w + 1, c = [];
  for (var order = first; order; order = order.next) {
    var k = order.cells, b;
    if (k === undefined) {
      b = order.layer._pxBounds;
      k = order.cells = b ? boxCells(b.min.x, b.min.y, b.max.x, b.max.y) : null;
    }
    if (k === null || !this.clamp(k, c)) continue;
    if (sum[(c[3] + 1) * w1 + c[2] + 1] - sum[c[1] * w1 + c[2] + 1] - sum[(c[3] + 1) * w1 + c[0]] + sum[c[1] * w1 + c[0]] > 0) {
      found.push(order);
    }
  }
  return found;
};

/* A box in CELL cells of the layer pane: [x0, y0, x1, y1]. A layer's drawing order keeps its
   own (`cells`) until the layer changes (PatchCanvas._redraw) or everything is drawn again. */
function boxCells(minX, minY, maxX, maxY) {
  return [Math.floor(minX / CELL), Math.floor(minY / CELL), Math.floor(maxX / CELL), Math.floor(maxY / CELL)];
}
