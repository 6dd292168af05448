/*
 * The popup of a place, or of an area event's polygon: its history up to the selected day,
 * newest first, with the sources. (The default controller's tiles have none.)
 */
/* global L, el, validOn, STATUS */
/* exported PlacePopup */

function PlacePopup(map, data) {
  this.map = map;
  this.data = data;
  this.place = null;  // index of the place (or polygon) whose popup is open
  this.polygon = false;  // whether it is a polygon's
  this.popup = null;
  var self = this;
  map.on("popupclose", function () { self.place = null; });
}

/* Open the popup of place `i` (of polygon `i` if `polygon`) at `latlng`, as of `day`. */
PlacePopup.prototype.open = function (i, latlng, day, polygon) {
  if (!this.popup) this.popup = L.popup({ maxWidth: 360, maxHeight: 320, className: "mg-popup" });
  var at = latlng || (polygon ? null : this.data.places[i].latlon);
  this.popup.setLatLng(at).setContent(el("div")).openOn(this.map);
  this.place = i;
  this.polygon = !!polygon;
  this.fill(day);
};

/* Show the open popup's place or polygon as of `day` (nothing if none is open). */
PlacePopup.prototype.fill = function (day) {
  if (this.place === null || !this.popup) return;
  var d = this.data, p = this.polygon ? d.polygons[this.place] : d.places[this.place];
  var box = el("div", "mg-popup-body");
  box.appendChild(el("div", "mg-popup-title", p.name));
  if (this.polygon) {
    var what = "Area reported as a whole (an area event's polygon)";
    if (p.place) what += ", part of " + p.place;
    box.appendChild(el("div", "mg-popup-kind", what));
  }
  var list = el("ul", "mg-history");  // newest first: the current state on top
  for (var k = p.history.length - 1; k >= 0; k--) {
    var s = p.history[k];
    if (s.from > day) continue;
    list.appendChild(this.entry(s, validOn(s, day)));
  }
  if (!list.firstChild) box.appendChild(el("div", null, "No reported state by " + d.iso(day) + "."));
  box.appendChild(list);
  this.popup.setContent(box);
};

PlacePopup.prototype.entry = function (s, current) {
  var d = this.data;
  var item = el("li", current ? "mg-current" : "");
  var head = el("div", "mg-entry");
  var sw = el("span", "mg-swatch");
  sw.style.background = s.controller ? d.color(s.controller) : "transparent";
  head.appendChild(sw);
  head.appendChild(el("span", null, s.date + " \u2014 " + this.describe(s)));
  item.appendChild(head);
  var sources = el("ul", "mg-sources");
  for (var j = 0; j < s.events.length; j++) sources.appendChild(this.source(d.events[s.events[j]]));
  item.appendChild(sources);
  return item;
};

/* A state in words: who holds it and how. */
PlacePopup.prototype.describe = function (s) {
  var d = this.data, status = STATUS[s.status];
  if (status === "ended") return "area event ended: its places decide again";
  var text = d.sideName(s.controller);
  if (status === "uncertain") {
    text += s.opponent ? ", may have passed to " + d.sideName(s.opponent) +
      " (date known only to the month)" : ", uncertain (date known only to the month)";
  } else {
    text += ", " + status;
    if (s.opponent) text += " by " + d.sideName(s.opponent);
  }
  return text + (s.inferred ? " (inferred from " + s.inferred_from + ")" : " (reported)");
};

PlacePopup.prototype.source = function (ev) {
  var li = el("li");
  li.appendChild(el("b", null, ev.id + " (" + ev.date + "): "));
  if (ev.url) {
    var a = el("a", null, ev.source);
    a.href = ev.url;
    a.target = "_blank";
    a.rel = "noopener noreferrer";
    li.appendChild(a);
  } else {
    li.appendChild(el("span", null, ev.source));
  }
  if (ev.notes) li.appendChild(el("div", "mg-note", ev.notes));
  return li;
};
