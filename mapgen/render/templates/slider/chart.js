/* The area chart under the slider: km² held by each side, a step line per side. */
/* global svg */
/* exported AreaChart */

var CHART_W = 1000, CHART_H = 90, CHART_PAD = 2;

function AreaChart(root, data, onPick) {
  this.el = root.querySelector("svg.mg-chart");
  this.caption = root.querySelector(".mg-chart-max");
  this.data = data;
  this.onPick = onPick;
  this.span = Math.max(1, data.days - 1);
}

AreaChart.prototype.x = function (day) {
  return (CHART_W * day / this.span).toFixed(1);
};

AreaChart.prototype.build = function () {
  var chart = this.el, d = this.data, st = d.stats, self = this;
  chart.setAttribute("viewBox", "0 0 " + CHART_W + " " + CHART_H);
  chart.setAttribute("preserveAspectRatio", "none");
  var max = 1;
  var sides = Object.keys(st.km2);
  sides.forEach(function (s) { st.km2[s].forEach(function (v) { if (v > max) max = v; }); });
  var y = function (v) { return (CHART_H - CHART_PAD - (CHART_H - 2 * CHART_PAD) * v / max).toFixed(1); };
  sides.forEach(function (s) {
    var vals = st.km2[s];
    var pts = [];
    for (var i = 0; i < st.d.length; i++) {
      var x0 = self.x(st.d[i]);
      var x1 = self.x(i + 1 < st.d.length ? st.d[i + 1] : d.days - 1);
      pts.push(x0 + "," + y(vals[i]), x1 + "," + y(vals[i]));
    }
    chart.appendChild(svg("polyline", { points: pts.join(" "), fill: "none",
      stroke: d.color(s), "stroke-width": 2, "vector-effect": "non-scaling-stroke",
      "class": "mg-series", "data-side": s }));
  });
  this.cursor = svg("line", { x1: 0, x2: 0, y1: 0, y2: CHART_H, "class": "mg-cursor",
    "vector-effect": "non-scaling-stroke" });
  chart.appendChild(this.cursor);
  this.caption.textContent = "Area held by each side, km\u00b2 (top of the chart: " +
    Math.round(max).toLocaleString("en") + ")";
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
