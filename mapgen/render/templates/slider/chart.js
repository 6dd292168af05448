/*
 * The area chart under the slider, two strips sharing the time axis, each stacked per side
 * as a step per period: on top the ground each side holds (its own scale), below the whole
 * study area as each side's held ground (its colour) and zone (its light tint). Uncertain
 * ground (a change known only to the month) is dotted and outlined.
 */
/* global svg, chartDotsId */
/* exported AreaChart */

var CHART_W = 1000, CHART_H = 120, CHART_PAD = 2;
var STRIPS = [
  { name: "held", top: 0, height: 56 },
  { name: "all", top: 62, height: 58 }
];

function AreaChart(root, data, onPick) {
  this.el = root.querySelector("svg.mg-chart");
  this.caption = root.querySelector(".mg-chart-max");
  this.data = data;
  this.onPick = onPick;
  this.mapId = root.id;
  this.span = Math.max(1, data.days - 1);
}

AreaChart.prototype.x = function (day) {
  return (CHART_W * day / this.span).toFixed(1);
};

/* The bands of a strip, bottom up: [side, part, fill, uncertain]. */
AreaChart.prototype.bands = function (strip) {
  var d = this.data, out = [];
  Object.keys(d.stats.km2).forEach(function (s) {
    out.push([s, "held", d.color(s), false], [s, "held_uncertain", d.color(s), true]);
    if (strip === "all") {
      out.push([s, "zone", d.zoneColor(s), false], [s, "zone_uncertain", d.zoneColor(s), true]);
    }
  });
  return out;
};

/* Stack the bands of one strip; returns the largest total. */
AreaChart.prototype.stack = function (strip, max) {
  var d = this.data, st = d.stats, self = this, n = st.d.length;
  var bottom = new Array(n);
  for (var i = 0; i < n; i++) bottom[i] = 0;
  var y = function (v) {
    return (strip.top + strip.height - CHART_PAD - (strip.height - 2 * CHART_PAD) * v / max).toFixed(1);
  };
  var xs = [];
  for (var k = 0; k < n; k++) xs.push([self.x(st.d[k]), self.x(k + 1 < n ? st.d[k + 1] : d.days - 1)]);
  this.bands(strip.name).forEach(function (band) {
    var vals = st.km2[band[0]][band[1]];
    var top = bottom.map(function (b, j) { return b + vals[j]; });
    if (!vals.some(function (v) { return v > 0; })) return;
    var pts = [];
    for (var j = 0; j < n; j++) pts.push(xs[j][0] + "," + y(top[j]), xs[j][1] + "," + y(top[j]));
    for (var m = n - 1; m >= 0; m--) pts.push(xs[m][1] + "," + y(bottom[m]), xs[m][0] + "," + y(bottom[m]));
    var attrs = { points: pts.join(" "), fill: band[2], stroke: "none", "class": "mg-series",
      "data-side": band[0], "data-part": band[1], "data-strip": strip.name };
    self.el.appendChild(svg("polygon", attrs));
    if (band[3]) {
      self.el.appendChild(svg("polygon", { points: attrs.points, fill: "url(#" + chartDotsId(self.mapId) + ")",
        stroke: "#222", "stroke-width": 1, "vector-effect": "non-scaling-stroke",
        "class": "mg-series mg-uncertain", "data-side": band[0], "data-part": band[1],
        "data-strip": strip.name }));
    }
    bottom = top;
  });
};

AreaChart.prototype.build = function () {
  var chart = this.el, d = this.data, st = d.stats, self = this;
  chart.setAttribute("viewBox", "0 0 " + CHART_W + " " + CHART_H);
  chart.setAttribute("preserveAspectRatio", "none");
  var maxHeld = 1;
  for (var i = 0; i < st.d.length; i++) {
    var sum = 0;
    for (var s in st.km2) {
      if (Object.prototype.hasOwnProperty.call(st.km2, s)) sum += st.km2[s].held[i] + st.km2[s].held_uncertain[i];
    }
    if (sum > maxHeld) maxHeld = sum;
  }
  this.stack(STRIPS[0], maxHeld);
  this.stack(STRIPS[1], Math.max(1, st.total));
  chart.appendChild(svg("line", { x1: 0, x2: CHART_W, y1: STRIPS[1].top - 3, y2: STRIPS[1].top - 3,
    "class": "mg-strip-gap", "vector-effect": "non-scaling-stroke" }));
  this.cursor = svg("line", { x1: 0, x2: 0, y1: 0, y2: CHART_H, "class": "mg-cursor",
    "vector-effect": "non-scaling-stroke" });
  chart.appendChild(this.cursor);
  var km = function (v) { return Math.round(v).toLocaleString("en"); };
  this.caption.textContent = "Ground by side, km\u00b2 \u2014 top: held (up to " + km(maxHeld) +
    "); bottom: held and zone (light) of the whole area (" + km(st.total) + ")" +
    (d.legend.uncertain ? "; dotted: uncertain" : "");
  chart.addEventListener("click", function (ev) {
    var box = chart.getBoundingClientRect();
    self.onPick(Math.round(self.span * (ev.clientX - box.left) / box.width));
  });
};

/* Move the cursor to `day`. */
AreaChart.prototype.show = function (day) {
  var cx = this.x(day);
  this.cursor.setAttribute("x1", cx);
  this.cursor.setAttribute("x2", cx);
};
