/* The legend beside the map: the sides that hold ground, and how states are drawn. */
/* global el */
/* exported buildLegend */

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
  var sides = data.sideList;
  for (var i = 0; i < sides.length; i++) {
    if (!sides[i].legend) continue;
    var row = el("div", "mg-legend-row");
    var sw = el("span", "mg-swatch");
    sw.style.background = sides[i].color;
    row.appendChild(sw);
    row.appendChild(el("span", null, sides[i].name));
    box.appendChild(row);
  }
  var extra = [
    ["mg-swatch mg-swatch-contested", data.labels.contested],
    ["mg-swatch mg-swatch-besieged", data.labels.besieged],
    ["mg-swatch mg-swatch-inferred", "inferred (no report of its own)"],
    ["mg-swatch mg-swatch-front", "frontline"]
  ];
  for (var j = 0; j < extra.length; j++) {
    var r = el("div", "mg-legend-row");
    r.appendChild(el("span", extra[j][0]));
    r.appendChild(el("span", null, extra[j][1]));
    box.appendChild(r);
  }
}
