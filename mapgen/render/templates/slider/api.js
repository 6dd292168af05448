/*
 * The public API (docs/html.md): window.mapgen, one entry per map on the page.
 *   mapgen.date()                 selected day of the first map, "YYYY-MM-DD"
 *   mapgen.setDate("2017-11-10")  move the first map to a day (clamped to the range)
 *   mapgen.changeDates()          days on which anything changes, ["YYYY-MM-DD", ...]
 *   mapgen.visible()              {areas, places, frontlines} shown on the selected day
 *   mapgen.controllerOf(p)        controller id shown for a place (id or name), or null
 *   mapgen.drawn()                what the map's canvas draws, bottom up: each area, frontline
 *                                 piece and place marker with its style and page box
 *   mapgen.ready                  true once the first map has drawn (its data is read
 *                                 asynchronously: wait for it before calling the others)
 *   mapgen.whenReady()            a Promise of the first map, resolved once it has drawn
 *   mapgen.maps                   every map on the page, in page order (same methods each)
 *   mapgen.get(id)                the map whose root element has this id
 */
/* global SliderMap, MapData, readPageData */

/* A map's data; it is read asynchronously, so the API's methods wait for `ready`. */
function dataOf(m) {
  if (!m.data) throw new Error("mapgen: the map's data is still being read; wait for mapgen.ready or mapgen.whenReady()");
  return m.data;
}

function mapApi(m) {
  return {
    id: m.id,
    element: m.root,
    get map() { return m.map; },
    get ready() { return m.ready; },
    whenReady: function () { return m.whenDrawn; },
    date: function () { return dataOf(m).iso(m.day); },
    setDate: function (text) {
      var day = dataOf(m).dayOf(text);
      if (day === null) throw new Error("mapgen.setDate: expected YYYY-MM-DD, got " + JSON.stringify(text));
      return m.setDay(day);
    },
    changeDates: function () {
      var d = dataOf(m);
      return d.changes.map(function (c) { return d.iso(c); });
    },
    range: function () { return [dataOf(m).start, dataOf(m).end]; },
    controllerOf: function (place) { return m.layers.controllerOf(dataOf(m).placeIndex(place)); },
    visible: function () {
      var out = m.layers.visible();
      return { date: dataOf(m).iso(m.day), areas: out.areas, places: out.places, frontlines: out.frontlines };
    },
    openPopup: function (place) {
      var i = dataOf(m).placeIndex(place);
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
  whenReady: function () {
    if (!registry.maps.length) return Promise.reject(new Error("mapgen: no map on this page"));
    return registry.maps[0].whenReady();
  },
  /* Create the map of `root` (a fragment); it draws once its data is read. */
  _create: function (root, options) {
    var m = new SliderMap(root, options);
    var isFirst = registry.maps.length === 0;
    m.whenDrawn = readPageData(root.querySelector("script.mg-data")).then(function (raw) {
      m.data = new MapData(raw);
      start(m, isFirst);
      return api;
    });
    m.whenDrawn.catch(function (err) {
      root.setAttribute("data-error", String(err && err.message || err));
      root.querySelector(".mg-title").textContent = "This map cannot be shown: " + (err && err.message || err);
    });
    var api = mapApi(m);
    registry.maps.push(api);
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

/* Build a map whose data has been read and show its first day (or the URL's). */
function start(m, isFirst) {
  m.build();
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
  m.root.setAttribute("data-ready", "true");
}

window.mapgen = registry;
