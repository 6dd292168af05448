/* A place's popup: its history up to the selected day, newest first, with the sources. */
/* global L, el, validOn, STATUS */
/* exported PlacePopup */

function PlacePopup(map, data) {
  this.map = map;
  this.data = data;
  this.place = null;  // index of the place whose popup is open
  this.popup = null;
  var self = this;
  map.on("popupclose", function () { self.place = null; });
}

PlacePopup.prototype.open = function (i, latlng, day) {
  if (!this.popup) this.popup = L.popup({ maxWidth: 360, maxHeight: 320, className: "mg-popup" });
  this.popup.setLatLng(latlng || this.data.places[i].latlon).setContent(el("div")).openOn(this.map);
  this.place = i;
  this.fill(day);
};

/* Show the open popup's place as of `day` (nothing if none is open). */
PlacePopup.prototype.fill = function (day) {
  if (this.place === null || !this.popup) return;
  var d = this.data, p = d.places[this.place];
  var box = el("div", "mg-popup-body");
  box.appendChild(el("div", "mg-popup-title", p.name));
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
  sw.style.background = d.color(s.controller);
  head.appendChild(sw);
  var text = s.date + " \u2014 " + d.sideName(s.controller) + ", " + STATUS[s.status];
  if (s.opponent) text += " by " + d.sideName(s.opponent);
  text += s.inferred ? " (inferred from " + s.inferred_from + ")" : " (reported)";
  head.appendChild(el("span", null, text));
  item.appendChild(head);
  var sources = el("ul", "mg-sources");
  for (var j = 0; j < s.events.length; j++) sources.appendChild(this.source(d.events[s.events[j]]));
  item.appendChild(sources);
  return item;
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
