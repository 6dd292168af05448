<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>
<!-- Written by mapgen for the base layer "$layer", drawn as the static maps draw it. -->
<qgis version="3.22.0" styleCategories="Symbology|Rendering" hasScaleBasedVisibilityFlag="0" minScale="100000000" maxScale="0">
$body</qgis>
