/*
 * Data decoding: the page's JSON (mapgen/render/html_data.py) back into named records,
 * with the record keys of the shared schema (slider/schema.json, as SCHEMA), and the
 * indexes a step needs: for every day, the records that begin or end on it.
 *
 * Decoded records (days are numbers from the first day; `to` is exclusive, null = open):
 *   areas[i]      {place: place index or -1, polygon: polygon index or -1, controller,
 *                  status: code, opponent, inferred: 0|1, kind: code (held, zone),
 *                  from, to, geometry: index into geoms}
 *   frontlines[i] {side_a, side_b, from, to, pieces: [index into lines]}
 *   lines[i]      one piece of frontline, [[lat, lon], ...], shared by every run along it
 *   places[i]     {id, name, latlon: [lat, lon], population, history: [state, ...]}
 *   polygons[i]   {id, name, place: the place it belongs to (name) or "", history: [state, ...]}
 *                  (an area event's ground; status "ended" where its event ends)
 *   state         {controller, status, opponent, inferred, inferred_from, from, to,
 *                  date: as reported, events: [event index]}
 *   events[i]     {id, date: as reported, source, url, notes}
 *   geoms[i]      polygons [[ring, hole...], ...] or lines [[pt, ...], ...] as [lat, lon]
 */
/* global SCHEMA */
/* exported MapData, validOn, STATUS, KIND */

var DAY_MS = 86400000;
var DATE_RE = /^#?(\d{4}-\d{2}-\d{2})$/;
var STATUS = SCHEMA.status;
var KIND = SCHEMA.kind;

/* The one rule: a record is valid on `day` from its first day to the day before `to`. */
function validOn(rec, day) {
  return rec.from <= day && (rec.to === null || rec.to > day);
}

function decodeRecord(raw, keys) {
  var out = {};
  for (var name in keys) {
    if (Object.prototype.hasOwnProperty.call(keys, name)) out[name] = raw[keys[name]];
  }
  return out;
}

function decodeAll(list, keys) {
  var out = new Array(list.length);
  for (var i = 0; i < list.length; i++) out[i] = decodeRecord(list[i], keys);
  return out;
}

function decodeEvent(row) {
  var out = {};
  for (var k = 0; k < SCHEMA.event.length; k++) out[SCHEMA.event[k]] = row[k];
  return out;
}

/* day -> [index, ...] of the records that begin or end on that day. */
function boundaryIndex(records, owner) {
  var byDay = {};
  function note(day, i) {
    if (day === null) return;
    (byDay[day] = byDay[day] || []).push(i);
  }
  for (var i = 0; i < records.length; i++) {
    var who = owner ? owner(i) : i;
    note(records[i].from, who);
    note(records[i].to, who);
  }
  return byDay;
}

function MapData(raw) {
  this.title = raw.title;
  this.start = raw.start;
  this.end = raw.end;
  this.days = raw.days;
  this.changes = raw.changes;
  this.extent = raw.extent;
  this.labels = raw.labels;
  this.unassignedColor = raw.unassigned_color;
  this.attribution = raw.attribution;
  this.tiles = raw.tiles;
  this.base = raw.base;
  this.stats = raw.stats;
  this.geoms = raw.geoms;
  this.lines = raw.lines;
  this.sideList = raw.sides;
  this.startMs = Date.parse(raw.start + "T00:00:00Z");
  this.milestones = decodeAll(raw.milestones, SCHEMA.milestone);
  this.areas = decodeAll(raw.areas, SCHEMA.area);
  this.frontlines = decodeAll(raw.frontlines, SCHEMA.frontline);
  this.events = raw.events.map(decodeEvent);
  this.places = decodeAll(raw.places, SCHEMA.place);
  this.polygons = decodeAll(raw.polygons, SCHEMA.polygon);
  for (var n = 0; n < this.polygons.length; n++) {
    this.polygons[n].history = decodeAll(this.polygons[n].history, SCHEMA.state);
  }
  this.legend = raw.legend;
  var states = [], stateOwner = [];
  for (var i = 0; i < this.places.length; i++) {
    var history = decodeAll(this.places[i].history, SCHEMA.state);
    this.places[i].history = history;
    for (var k = 0; k < history.length; k++) { states.push(history[k]); stateOwner.push(i); }
  }
  this.sides = {};
  for (var s = 0; s < raw.sides.length; s++) this.sides[raw.sides[s].id] = raw.sides[s];
  this.bounds = {
    areas: boundaryIndex(this.areas),
    frontlines: boundaryIndex(this.frontlines),
    places: boundaryIndex(states, function (j) { return stateOwner[j]; })
  };
}

MapData.prototype.iso = function (day) {
  return new Date(this.startMs + day * DAY_MS).toISOString().slice(0, 10);
};

MapData.prototype.dayOf = function (text) {
  var m = DATE_RE.exec(String(text || ""));
  if (!m) return null;
  var ms = Date.parse(m[1] + "T00:00:00Z");
  if (isNaN(ms)) return null;
  return Math.round((ms - this.startMs) / DAY_MS);
};

MapData.prototype.isDateText = function (text) {
  return DATE_RE.test(text);
};

MapData.prototype.color = function (side) {
  var s = this.sides[side];
  return s ? s.color : this.unassignedColor;
};

MapData.prototype.zoneColor = function (side) {
  var s = this.sides[side];
  return s ? s.zone_color : this.unassignedColor;
};

MapData.prototype.sideName = function (side) {
  var s = this.sides[side];
  return s ? s.name : side;
};

/* The state of place i valid on `day`, or null. */
MapData.prototype.stateOf = function (i, day) {
  var h = this.places[i].history;
  for (var k = h.length - 1; k >= 0; k--) if (validOn(h[k], day)) return h[k];
  return null;
};

/*
 * The records of `kind` (areas, frontlines, places) whose validity may differ between
 * day `a` and day `b`: those beginning or ending on a day in (min, max]. Sorted, unique.
 */
MapData.prototype.touched = function (kind, a, b) {
  var index = this.bounds[kind];
  var lo = Math.min(a, b), hi = Math.max(a, b);
  var seen = {}, out = [];
  for (var day = lo + 1; day <= hi; day++) {
    var list = index[day];
    if (!list) continue;
    for (var k = 0; k < list.length; k++) {
      if (!seen[list[k]]) { seen[list[k]] = true; out.push(list[k]); }
    }
  }
  return out.sort(function (x, y) { return x - y; });
};

MapData.prototype.placeIndex = function (place) {
  var want = String(place).toLowerCase();
  var ps = this.places;
  for (var i = 0; i < ps.length; i++) if (ps[i].id === place) return i;
  for (var j = 0; j < ps.length; j++) if (ps[j].name.toLowerCase() === want) return j;
  return -1;
};
