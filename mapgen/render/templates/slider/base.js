/* The base map: panes, the offline base layers, the optional tile layer, hatch patterns. */
/* global L, svg, escapeText, STATUS, KIND, LEVELS */
/* exported buildBase, buildPatterns, patternId, chartDotsId, addTileLayer */

var BASE_STYLES = {
  countries: { color: "#555", weight: 1.2, fill: true, fillColor: "#f4f1ea", fillOpacity: 1,
    interactive: false },
  governorate_lines: { color: "#888", weight: 0.7, dashArray: "3 3", interactive: false },
  rivers: { color: "#5b8fc9", weight: 1.6, interactive: false },
  lakes: { color: "#5b8fc9", weight: 0.8, fillColor: "#a9c8ea", fillOpacity: 1, interactive: false }
};
var BASE_NAMES = { countries: "Countries", governorate_lines: "Governorates", rivers: "Rivers",
  lakes: "Lakes" };
var BASE_ORDER = ["countries", "lakes", "governorate_lines", "rivers"];

/* The id of the fill pattern of an area that is not plainly held (contested, besieged or
   uncertain): one per kind, status, holder and opponent. */
function patternId(mapId, a) {
  return mapId + "-fill-" + KIND[a.kind] + "-" + STATUS[a.status] + "-" + a.controller + "-" +
    (a.opponent || "none");
}

function chartDotsId(mapId) {
  return mapId + "-chart-dots";
}

/* Dots of `dots` (a colour) on `ground` (a colour, or none): uncertain ground. */
function dotPattern(id, ground, dots) {
  var p = svg("pattern", { id: id, width: 7, height: 7, patternUnits: "userSpaceOnUse" });
  if (ground) p.appendChild(svg("rect", { width: 7, height: 7, fill: ground }));
  p.appendChild(svg("circle", { cx: 3.5, cy: 3.5, r: 1.9, fill: dots, stroke: "#fff",
    "stroke-width": 0.6, "class": "mg-dot" }));
  return p;
}

/* Contested and besieged ground: stripes of the holder's colour over the attacker's (or
   white); uncertain ground: dots of the new holder's colour over the holder's (or its zone
   tint). */
function buildPatterns(defs, d, mapId) {
  var seen = {};
  for (var i = 0; i < d.areas.length; i++) {
    var a = d.areas[i];
    if (a.status === 0) continue;
    var id = patternId(mapId, a);
    if (seen[id] || document.getElementById(id)) continue;
    seen[id] = 1;
    if (STATUS[a.status] === "uncertain") {
      var ground = a.kind === 1 ? d.zoneColor(a.controller) : d.color(a.controller);
      defs.appendChild(dotPattern(id, ground, a.opponent ? d.color(a.opponent) : "#000"));
      continue;
    }
    var p = svg("pattern", { id: id, width: 8, height: 8, patternUnits: "userSpaceOnUse",
      patternTransform: "rotate(45)" });
    p.appendChild(svg("rect", { width: 8, height: 8,
      fill: a.opponent ? d.color(a.opponent) : "#ffffff" }));
    p.appendChild(svg("rect", { width: 4, height: 8, fill: d.color(a.controller),
      "class": "mg-stripe" }));
    defs.appendChild(p);
  }
  if (!document.getElementById(chartDotsId(mapId))) {
    defs.appendChild(dotPattern(chartDotsId(mapId), null, "#222"));
  }
}

/* The panes, and the offline base layers; returns them by name for the layer control. The
   base lines (rivers, lakes, divisions) are drawn by `renderer`, the control layers' canvas,
   under its frontlines and markers and over its areas. */
function buildBase(map, b, renderer) {
  var layers = {};
  map.createPane("mgBase").style.zIndex = 250;
  // the control layers' canvas, above Leaflet's overlay pane (400)
  map.createPane("mgControl").style.zIndex = 440;
  for (var n = 0; n < BASE_ORDER.length; n++) {
    var key = BASE_ORDER[n];
    if (!b[key]) continue;
    var group = L.layerGroup();
    var o = L.extend(key === "countries" ? { pane: "mgBase" } :
      { renderer: renderer, level: LEVELS.baseLines }, BASE_STYLES[key]);
    var filled = key === "countries" || key === "lakes";
    for (var i = 0; i < b[key].length; i++) {
      var coords = b[key][i][1];
      group.addLayer(filled ? L.polygon(coords, o) : L.polyline(coords, o));
    }
    group.addTo(map);
    layers[BASE_NAMES[key]] = group;
  }
  return layers;
}

/* The tile layer, if the page has one; the offline land fill turns transparent under it. */
function addTileLayer(map, t, overlays) {
  if (!t) return;
  var tiles = L.tileLayer(t.url, { maxZoom: t.maxZoom, attribution: escapeText(t.attribution) });
  overlays[t.name] = tiles;
  var land = overlays.Countries;
  map.on("overlayadd overlayremove", function (ev) {
    if (ev.layer !== tiles || !land) return;
    var on = ev.type === "overlayadd";
    land.eachLayer(function (l) { l.setStyle({ fillOpacity: on ? 0 : 1 }); });
  });
}
