/*
 * Place names on the map: placed greedily, biggest places first; each label goes to the
 * first position (right, left, above, below the marker) that overlaps no other label and no
 * marker, or is left out. Placed again when the shown places or the zoom change.
 */
/* global L, el */
/* exported PlaceLabels */

var LABEL_POSITIONS = [
  { cls: "mg-pos-r", box: function (x, y, w, h) { return [x + 7, y - h / 2, x + 7 + w, y + h / 2]; } },
  { cls: "mg-pos-l", box: function (x, y, w, h) { return [x - 7 - w, y - h / 2, x - 7, y + h / 2]; } },
  { cls: "mg-pos-t", box: function (x, y, w, h) { return [x - w / 2, y - 6 - h, x + w / 2, y - 6]; } },
  { cls: "mg-pos-b", box: function (x, y, w, h) { return [x - w / 2, y + 6, x + w / 2, y + 6 + h]; } }
];
var GRID = 64;
var CHAR_W = 6.6;
var LABEL_H = 14;

/* Boxes already taken, in a grid of GRID-pixel cells. */
function Occupied() { this.cells = {}; }

Occupied.prototype.keys = function (b) {
  var out = [];
  for (var gx = Math.floor(b[0] / GRID); gx <= Math.floor(b[2] / GRID); gx++) {
    for (var gy = Math.floor(b[1] / GRID); gy <= Math.floor(b[3] / GRID); gy++) out.push(gx + ":" + gy);
  }
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

function PlaceLabels(map, data, group) {
  this.map = map;
  this.data = data;
  this.group = group;
  var places = data.places;
  this.order = places.map(function (_, i) { return i; });
  this.order.sort(function (a, b) { return places[b].population - places[a].population || a - b; });
  this.layers = [];
  this.positions = [];
}

/* Place the labels of the places in `shown` (place index -> true). */
PlaceLabels.prototype.place = function (shown) {
  var places = this.data.places;
  var taken = new Occupied();
  var pts = [];
  for (var m = 0; m < places.length; m++) {
    if (!shown[m]) continue;
    pts[m] = this.map.latLngToLayerPoint(places[m].latlon);
    taken.add([pts[m].x - 5, pts[m].y - 5, pts[m].x + 5, pts[m].y + 5]);
  }
  for (var n = 0; n < this.order.length; n++) {
    var i = this.order[n];
    var pos = null;
    if (shown[i]) {
      var w = CHAR_W * places[i].name.length + 4;
      for (var k = 0; k < LABEL_POSITIONS.length && !pos; k++) {
        var b = LABEL_POSITIONS[k].box(pts[i].x, pts[i].y, w, LABEL_H);
        if (taken.free(b)) { pos = LABEL_POSITIONS[k].cls; taken.add(b); }
      }
    }
    this.show(i, pos);
  }
};

PlaceLabels.prototype.show = function (i, pos) {
  var lab = this.layers[i];
  if (!pos) {
    if (lab && this.group.hasLayer(lab)) this.group.removeLayer(lab);
    return;
  }
  var place = this.data.places[i];
  if (!lab) {
    var span = el("span", "mg-label", place.name);
    lab = L.marker(place.latlon, { icon: L.divIcon({ className: "mg-label-icon", html: span,
      iconSize: [0, 0], iconAnchor: [0, 0] }), interactive: false, keyboard: false });
    this.layers[i] = lab;
  }
  if (!this.group.hasLayer(lab)) this.group.addLayer(lab);
  if (this.positions[i] !== pos) {
    lab.getElement().firstChild.className = "mg-label " + pos;
    this.positions[i] = pos;
  }
};
