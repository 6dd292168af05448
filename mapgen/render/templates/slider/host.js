/*
 * A slider map on a Leaflet map that is not its own (a folium map: mapgen.folium): the
 * panel (title, legend, controls, chart) becomes one of the map's controls, and the map's
 * container is marked so that the slider's styles reach the labels and popups drawn in it.
 */
/* global L */
/* exported mountOnHost, fitOnHost */

function mountOnHost(root, map, options) {
  var Panel = L.Control.extend({ onAdd: function () { return root; } });
  new Panel({ position: options.position || "bottomleft" }).addTo(map);
  map.getContainer().classList.add("mg-host");
  // Using the panel must not pan or zoom the map: clicks, drags, wheel and keys stay in it.
  L.DomEvent.disableClickPropagation(root);
  L.DomEvent.disableScrollPropagation(root);
  L.DomEvent.on(root, "keydown", L.DomEvent.stopPropagation);
  return map;
}

// Fit the host map to the data, keeping it clear of the panel when the map is tall enough.
function fitOnHost(map, root, bounds, position) {
  var panel = root.offsetHeight + 10, size = map.getSize();
  var pad = panel < size.y * 0.6 ? panel : 0;
  var top = /^top/.test(position || "");
  map.fitBounds(bounds, {
    paddingTopLeft: [0, top ? pad : 0],
    paddingBottomRight: [0, top ? 0 : pad]
  });
}
