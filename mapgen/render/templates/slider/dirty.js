/*
 * Where a partial repaint of the control layers' canvas (canvas.js) draws: the boxes that
 * changed in a frame, gathered on a grid of small cells, and the layers whose box holds one.
 */
/* exported DirtyGrid */

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
   (each row's runs, merged with the same run in the row above), and a summed-area table of
   them, which tells at once whether a box holds any (touching()). */
var CELL = 4;
function DirtyGrid(bounds, patches) {
  gridOver(this, bounds, CELL);
  var w = this.w, h = this.h, on = new window.Uint8Array(w * h), c = [], x, y, i;
  for (i = 0; i < patches.length; i++) {
    var p = patches[i];
    if (!cellsOf(this, p[0], p[1], p[2], p[3], c)) continue;
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

/* The layers from `first` on, in drawing order, whose box holds a changed cell. */
DirtyGrid.prototype.touching = function (first) {
  var found = [], sum = this.sum, w1 = this.w + 1, x0 = this.x0, y0 = this.y0;
  var xMax = this.w - 1, yMax = this.h - 1;
  for (var order = first; order; order = order.next) {
    var k = order.cells;
    if (k === undefined) k = order.cells = boxCells(order.layer._pxBounds);
    if (k === null) continue;
    var cx0 = k[0] - x0, cy0 = k[1] - y0, cx1 = k[2] - x0, cy1 = k[3] - y0;
    if (cx1 < 0 || cy1 < 0 || cx0 > xMax || cy0 > yMax) continue;
    if (cx0 < 0) cx0 = 0;
    if (cy0 < 0) cy0 = 0;
    if (cx1 > xMax) cx1 = xMax;
    if (cy1 > yMax) cy1 = yMax;
    if (sum[(cy1 + 1) * w1 + cx1 + 1] - sum[cy0 * w1 + cx1 + 1] - sum[(cy1 + 1) * w1 + cx0] + sum[cy0 * w1 + cx0] > 0) {
      found.push(order);
    }
  }
  return found;
};

/* A layer's box in CELL cells of the layer pane, or null if it has none. A layer's drawing
   order keeps it (`cells`) until the layer changes (PatchCanvas._redraw) or everything is
   drawn again. */
function boxCells(b) {
  return b ? [Math.floor(b.min.x / CELL), Math.floor(b.min.y / CELL), Math.floor(b.max.x / CELL),
    Math.floor(b.max.y / CELL)] : null;
}
