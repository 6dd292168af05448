/*
 * Reading a map's data from its page. The data (mapgen/render/html_data.py) is JSON,
 * gzip-compressed and base64-encoded in a <script data-encoding="gzip+base64"> element:
 * a year of daily polygons repeats most coordinates (neighbouring pieces share edges, a
 * redrawn piece keeps most of its outline), so the page is about a seventh of the JSON.
 * The browser inflates it with its own DecompressionStream, which is asynchronous: a map
 * is built once its data has arrived (api.js), and `mapgen.ready` says when.
 */
/* exported readPageData */

function readPageData(script) {
  var text = script.textContent;
  if (script.getAttribute("data-encoding") !== "gzip+base64") {
    return Promise.resolve(JSON.parse(text));
  }
  if (typeof DecompressionStream === "undefined") {
    return Promise.reject(new Error(
      "this browser cannot inflate the map's data (it has no DecompressionStream: " +
      "Chrome 80, Firefox 113, Safari 16.4 or later do)"));
  }
  var bin = atob(text.trim());
  var bytes = new Uint8Array(bin.length);
  for (var i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  var stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"));
  return new Response(stream).text().then(JSON.parse);
}
