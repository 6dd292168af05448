/*
 * The legend beside the map: each side that holds ground, its held ground and its zone
 * side by side, then only the marks the map shows on some day of its range.
 */
/* global el */
/* exported buildLegend */

function legendRow(box, swatches, text) {
  var row = el("div", "mg-legend-row");
  for (var i = 0; i < swatches.length; i++) row.appendChild(swatches[i]);
  row.appendChild(el("span", null, text));
  box.appendChild(row);
  return row;
}

function swatch(cls, color) {
  var sw = el("span", cls ? "mg-swatch " + cls : "mg-swatch");
  if (color) sw.style.background = color;
  return sw;
}

function buildLegend(root, data) {
  var box = root.querySelector(".mg-legend");
  var head = el("button", "mg-legend-head", "Legend");
  head.type = "button";
  head.setAttribute("aria-expanded", "true");
  head.title = "Show or hide the legend";
  head.addEventListener("click", function () {
    var hidden = box.classList.toggle("mg-collapsed");
    head.setAttribute("aria-expanded", hidden ? "false" : "true");
  });
  box.appendChild(head);
  if (root.clientWidth < 800) root.classList.add("mg-narrow");
  var marks = data.legend, labels = data.labels;
  if (marks.zone) box.appendChild(el("div", "mg-legend-row mg-legend-key", labels.zone_key));
  var sides = data.sideList;
  for (var i = 0; i < sides.length; i++) {
    if (!sides[i].legend) continue;
    var parts = [swatch("mg-swatch-held", sides[i].color)];
    if (marks.zone) parts.push(swatch("mg-swatch-zone", sides[i].zone_color));
    legendRow(box, parts, sides[i].name).setAttribute("data-side", sides[i].id);
  }
  if (marks.zone) box.appendChild(el("div", "mg-legend-row mg-legend-note", labels.zone));
  var extra = [
    ["uncertain", "mg-swatch-uncertain", labels.uncertain],
    ["contested", "mg-swatch-contested", labels.contested],
    ["besieged", "mg-swatch-besieged", labels.besieged],
    ["inferred", "mg-swatch-inferred", labels.inferred],
    ["unassigned", "mg-swatch-unassigned", labels.unassigned],
    ["frontline", "mg-swatch-front", labels.frontline]
  ];
  for (var j = 0; j < extra.length; j++) {
    if (!marks[extra[j][0]]) continue;
    legendRow(box, [swatch(extra[j][1])], extra[j][2]).setAttribute("data-mark", extra[j][0]);
  }
}
