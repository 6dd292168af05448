/* DOM helpers. All text is set with textContent, never parsed as HTML. */
/* exported el, svg, escapeText */

var SVG_NS = "http://www.w3.org/2000/svg";

function el(tag, cls, text) {
  var node = document.createElement(tag);
  if (cls) node.className = cls;
  if (text !== undefined && text !== null) node.textContent = String(text);
  return node;
}

function svg(tag, attrs) {
  var node = document.createElementNS(SVG_NS, tag);
  for (var k in attrs) {
    if (Object.prototype.hasOwnProperty.call(attrs, k)) node.setAttribute(k, attrs[k]);
  }
  return node;
}

function escapeText(text) {
  // For the few places where Leaflet inserts a string as HTML (attribution).
  return el("div", null, text).innerHTML;
}
