{#- Draws a ControlSlider's data on its folium map (mapgen.folium); the map's variable is
    declared by folium's script above this one. -#}
window.mapgen._create(document.getElementById({{ element_id|tojson }}), {
  map: {{ map_name }},
  position: {{ position|tojson }},
  fit: {{ fit|tojson }},
  layerControl: {{ layer_control|tojson }}
});
