/*
 * The slider, its buttons and keys, play/pause, and the URL hash that follows the day.
 * `target` is the SliderMap: setDay(day), jumpChange(dir) and `day`.
 */
/* global el */
/* exported Controls, HashLink */

var SPEEDS = [1, 2, 5, 10, 30];
var STEP_KEYS = { ArrowLeft: -1, ArrowRight: 1, ArrowDown: -1, ArrowUp: 1 };

function Controls(root, data, target) {
  this.root = root;
  this.data = data;
  this.target = target;
  this.playing = null;
  this.speed = 5;
}

Controls.prototype.build = function () {
  var self = this, r = this.root, d = this.data, target = this.target;
  this.dateEl = r.querySelector(".mg-date");
  this.range = r.querySelector(".mg-range");
  this.range.min = 0;
  this.range.max = d.days - 1;
  this.range.step = 1;
  this.range.value = 0;
  this.range.addEventListener("input", function () { target.setDay(+self.range.value); });
  var buttons = {
    "mg-prev-change": function () { target.jumpChange(-1); },
    "mg-back": function () { target.setDay(target.day - 1); },
    "mg-play": function () { self.togglePlay(); },
    "mg-forward": function () { target.setDay(target.day + 1); },
    "mg-next-change": function () { target.jumpChange(1); }
  };
  Object.keys(buttons).forEach(function (cls) {
    r.querySelector("." + cls).addEventListener("click", buttons[cls]);
  });
  this.playBtn = r.querySelector(".mg-play");
  this.buildSpeeds(r.querySelector(".mg-speed"));
  this.buildTicks(r.querySelector(".mg-ticks"));
  r.querySelector(".mg-range-start").textContent = d.start;
  r.querySelector(".mg-range-end").textContent = d.end;
  r.addEventListener("keydown", function (ev) { self.onKey(ev); });
};

Controls.prototype.buildSpeeds = function (speed) {
  var self = this;
  SPEEDS.forEach(function (s) {
    var opt = el("option", null, s + " day" + (s > 1 ? "s" : "") + "/s");
    opt.value = s;
    if (s === self.speed) opt.selected = true;
    speed.appendChild(opt);
  });
  speed.addEventListener("change", function () {
    self.speed = +speed.value;
    if (self.playing) { self.stop(); self.play(); }
  });
};

Controls.prototype.buildTicks = function (ticks) {
  var d = this.data;
  if (d.changes.length > 150) ticks.className += " mg-dense";
  var span = Math.max(1, d.days - 1);
  d.changes.forEach(function (day) {
    var t = el("span", "mg-tick");
    t.style.left = (100 * day / span) + "%";
    t.title = d.iso(day);
    ticks.appendChild(t);
  });
  d.milestones.forEach(function (m) {
    var t = el("span", "mg-milestone");
    t.style.left = (100 * m.day / span) + "%";
    t.title = d.iso(m.day) + ": " + m.label;
    ticks.appendChild(t);
  });
};

/* Show `day` in the date field and on the slider. */
Controls.prototype.show = function (day) {
  // not when the slider itself was moved: it is there already
  if (+this.range.value !== day) this.range.value = day;
  this.dateEl.textContent = this.data.iso(day);
};

Controls.prototype.onKey = function (ev) {
  var t = ev.target, target = this.target;
  var tag = t && t.tagName ? t.tagName.toLowerCase() : "";
  if (tag === "select" || tag === "textarea" || (tag === "input" && t.type !== "range")) return;
  var jumps = { PageUp: -1, PageDown: 1 };
  if (ev.key in jumps) { target.jumpChange(jumps[ev.key]); ev.preventDefault(); return; }
  if (ev.key === "Home") { target.setDay(0); ev.preventDefault(); return; }
  if (ev.key === "End") { target.setDay(this.data.days - 1); ev.preventDefault(); return; }
  if (ev.key === " " && tag !== "button") { this.togglePlay(); ev.preventDefault(); return; }
  var step = STEP_KEYS[ev.key];
  if (!step) return;
  ev.preventDefault();  // the range input would move too: one step only
  if (ev.shiftKey) target.jumpChange(step); else target.setDay(target.day + step);
};

Controls.prototype.play = function () {
  var self = this, target = this.target, last = this.data.days - 1;
  if (target.day >= last) target.setDay(0);
  this.playing = setInterval(function () {
    if (target.day >= last) { self.stop(); return; }
    target.setDay(target.day + 1);
  }, 1000 / this.speed);
  this.setPlayButton("\u23f8 Pause", "Pause");
};

Controls.prototype.stop = function () {
  clearInterval(this.playing);
  this.playing = null;
  this.setPlayButton("\u25b6 Play", "Play");
};

Controls.prototype.setPlayButton = function (text, label) {
  this.playBtn.textContent = text;
  this.playBtn.setAttribute("aria-label", label);
  this.playBtn.title = label + " (space)";
};

Controls.prototype.togglePlay = function () {
  if (this.playing) this.stop(); else this.play();
};

/*
 * The URL hash names the day of the page's first map ("map.html#2017-11-03"). Writing it
 * makes the browser save the scroll position, which forces a layout: it is written once the
 * slider rests (HASH_DELAY_MS), not on every step.
 */
var HASH_DELAY_MS = 120;

function HashLink(data, target) {
  this.data = data;
  this.target = target;
  this.timer = null;
}

/* The day the hash names when the page opens (null if none), and follow later changes. */
HashLink.prototype.follow = function () {
  var self = this;
  window.addEventListener("hashchange", function () {
    var day = self.data.dayOf(window.location.hash);
    if (day !== null) self.target.setDay(day);
  });
  return this.data.dayOf(window.location.hash);
};

HashLink.prototype.schedule = function () {
  var self = this;
  if (this.timer !== null) clearTimeout(this.timer);
  this.timer = setTimeout(function () { self.timer = null; self.write(); }, HASH_DELAY_MS);
};

HashLink.prototype.write = function () {
  var want = "#" + this.data.iso(this.target.day);
  var now = window.location.hash;
  if (now === want || (now && now !== "#" && !this.data.isDateText(now))) return;
  try { history.replaceState(null, "", want); } catch (e) { /* about:srcdoc */ }
};
