/*
 * One slider map: given its data (read from the fragment by load.js), builds the Leaflet
 * map and the controls, and moves everything to a day (setDay).
 */
/* global L, MapLayers, Controls, HashLink, AreaChart, PlacePopup, buildLegend,
   escapeText, addTileLayer, mountOnHost, fitOnHost */
/* exported SliderMap */

/*
 * `options.map`: a Leaflet map already on the page (mapgen.folium) to draw on instead of a
 * map of its own; the panel then becomes one of its controls (host.js), with
 * `options.position`, `options.fit` (fit the map to the data) and `options.layerControl`.
 */
function SliderMap(root, options) {
  this.root = root;
  this.options = options || {};
  this.id = root.id;
  this.data = null;  // a MapData, set once the page's data is read (api.js)
  this.day = 0;
  this.drawn = false;
  this.ready = false;
  this.hash = null;  // a HashLink once the hash follows the slider (the page's first map)
  this.listeners = [];
}

SliderMap.prototype.build = function () {
  var d = this.data, self = this;
  var host = this.options.map;
  this.root.querySelector(".mg-title").textContent = d.title;
  if (host) {
    this.map = mountOnHost(this.root, host, this.options);
  } else {
    this.map = L.map(this.root.querySelector(".mg-map"),
      { keyboard: false, zoomSnap: 0.25, attributionControl: true });
    this.map.attributionControl.setPrefix(false);
  }
  var e = d.extent;
  var bounds = [[e[1], e[0]], [e[3], e[2]]];
  // the layers need a view; a host map keeps its own unless asked to fit (at the end)
  if (!host || !this.map._loaded) this.map.fitBounds(bounds);
  this.popup = new PlacePopup(this.map, d);
  this.layers = new MapLayers(this.map, d, this.id,
    function (i, latlng) { self.openPopup(i, latlng); },
    function (i, latlng) { self.popup.open(i, latlng, self.day, true); });
  var overlays = this.layers.build(this.root.querySelector("svg.mg-defs defs"));
  addTileLayer(this.map, d.tiles, overlays);
  if (!host || this.options.layerControl) {
    L.control.layers(null, overlays, { collapsed: true, position: "topright" }).addTo(this.map);
  }
  if (!host) L.control.scale({ imperial: false }).addTo(this.map);
  if (this.map.attributionControl) this.map.attributionControl.addAttribution(escapeText(d.attribution));
  buildLegend(this.root, d);
  this.controls = new Controls(this.root, d, this);
  this.controls.build();
  this.chart = new AreaChart(this.root, d, function (day) { self.setDay(day); });
  this.chart.build();
  if (host && this.options.fit) fitOnHost(this.map, this.root, bounds, this.options.position);
};

SliderMap.prototype.openPopup = function (i, latlng) {
  this.popup.open(i, latlng, this.day);
};

/* Show `day` (clamped to the range); returns it as "YYYY-MM-DD". */
SliderMap.prototype.setDay = function (day) {
  day = Math.max(0, Math.min(this.data.days - 1, Math.round(+day || 0)));
  var from = this.day;
  var changed = day !== from || !this.drawn;
  this.day = day;
  this.controls.show(day);
  this.chart.show(day);
  if (changed) {
    if (this.drawn) this.layers.step(from, day); else this.layers.show(day);
    this.drawn = true;
    this.popup.fill(day);
  }
  if (this.hash) this.hash.schedule();
  var iso = this.data.iso(day);
  if (changed) for (var i = 0; i < this.listeners.length; i++) this.listeners[i](iso);
  return iso;
};

/* Go to the next (dir > 0) or previous change date; the range's end if there is none. */
SliderMap.prototype.jumpChange = function (dir) {
  var c = this.data.changes;
  var target = null;
  for (var i = 0; i < c.length; i++) {
    if (dir > 0 && c[i] > this.day) { target = c[i]; break; }
    if (dir < 0 && c[i] < this.day) target = c[i];
  }
  if (target === null) target = dir > 0 ? this.data.days - 1 : 0;
  this.setDay(target);
};

/* Follow the URL hash: open on the day it names, and write it as the slider moves. */
SliderMap.prototype.linkHash = function () {
  this.hash = new HashLink(this.data, this);
  return this.hash.follow();
};
