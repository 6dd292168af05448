{#- The credits of Territory.explore (base data and sources) in its map's attribution. -#}
if ({{ map_name }}.attributionControl) {
  {{ map_name }}.attributionControl.addAttribution({{ credits|tojson }});
}
