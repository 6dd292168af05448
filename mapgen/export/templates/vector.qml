<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>
<!-- Written by mapgen for the layer "$layer". Colours: the controllers table. -->
<qgis version="3.22.0" styleCategories="Symbology|Labeling|Rendering|Temporal|MapTips" labelsEnabled="$labels_enabled" hasScaleBasedVisibilityFlag="0" minScale="100000000" maxScale="0">
$body</qgis>
