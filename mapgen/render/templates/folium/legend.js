{#- Moves the legend of Territory.explore into a control of its map. -#}
(function () {
  var box = document.getElementById({{ element_id|tojson }});
  var Legend = L.Control.extend({ onAdd: function () { return box; } });
  new Legend({ position: {{ position|tojson }} }).addTo({{ map_name }});
})();
