/*
 * The public API (docs/html.md): window.mapgen, one entry per map on the page.
 *   mapgen.date()                 selected day of the first map, "YYYY-MM-DD"
 *   mapgen.setDate("2017-11-10")  move the first map to a day (clamped to the range)
 *   mapgen.changeDates()          days on which anything changes, ["YYYY-MM-DD", ...]
 *   mapgen.visible()              {areas, places, frontlines} shown on the selected day
 *   mapgen.controllerOf(p)        controller id shown for a place (id or name), or null
 *   mapgen.drawn()                what the map's canvas draws, bottom up: each area, frontline
 *                                 piece and place marker with its style and page box
 *   mapgen.ready                  true once the first map has drawn
 *   mapgen.maps                   every map on the page, in page order (same methods each)
 *   mapgen.get(id)                the map whose root element has this id
 */
/* global SliderMap */

function mapApi(m) {
  var d = m.data;
  return {
    id: m.id,
    element: m.root,
    get map() { return m.map; },
    get ready() { return m.ready; },
    date: function () { return d.iso(m.day); },
    setDate: function (text) {
      var day = d.dayOf(text);
      if (day === null) throw new Error("mapgen.setDate: expected YYYY-MM-DD, got " + JSON.stringify(text));
      return m.setDay(day);
    },
    changeDates: function () { return d.changes.map(function (c) { return d.iso(c); }); },
    range: function () { return [d.start, d.end]; },
    controllerOf: function (place) { return m.layers.controllerOf(d.placeIndex(place)); },
    visible: function () {
      var out = m.layers.visible();
      return { date: d.iso(m.day), areas: out.areas, places: out.places, frontlines: out.frontlines };
    },
    openPopup: function (place) {
      var i = d.placeIndex(place);
      if (i < 0) throw new Error("mapgen.openPopup: no place " + JSON.stringify(place));
      m.openPopup(i);
    },
    drawn: function () { return m.layers.drawn(); },
    repaint: function () { return m.layers.renderer.lastRepaint || null; },
    onChange: function (fn) { m.listeners.push(fn); },
    play: function () { m.controls.play(); },
    pause: function () { m.controls.stop(); }
  };
}

var registry = {
  version: 1,
  maps: [],
  get: function (id) {
    for (var i = 0; i < registry.maps.length; i++) if (registry.maps[i].id === id) return registry.maps[i];
    return null;
  },
  get ready() { return registry.maps.length > 0 && registry.maps[0].ready; },
  _create: function (root, options) {
    var m = new SliderMap(root, options);
    var api = mapApi(m);
    registry.maps.push(api);
    m.build();
    var isFirst = registry.maps.length === 1;
    var fromHash = null;
    if (isFirst) {
      fromHash = m.linkHash();
      // Keys pressed with nothing focused (e.g. right after opening) go to the first map.
      document.addEventListener("keydown", function (ev) {
        if (ev.target === document.body || ev.target === document.documentElement) m.controls.onKey(ev);
      });
    }
    var hash = m.hash;
    m.hash = null;  // opening does not touch the URL
    m.setDay(fromHash !== null ? fromHash : 0);
    m.hash = hash;  // from now on the hash follows the slider
    m.ready = true;
    root.setAttribute("data-ready", "true");
    return api;
  }
};

["date", "setDate", "changeDates", "visible", "controllerOf", "drawn"].forEach(function (name) {
  registry[name] = function () {
    if (!registry.maps.length) throw new Error("mapgen: no map on this page");
    var m = registry.maps[0];
    return m[name].apply(m, arguments);
  };
});

window.mapgen = registry;
