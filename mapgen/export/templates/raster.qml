<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>
<!-- Written by mapgen for the control raster: one band per date; pick the band to see. -->
<qgis version="3.22.0" styleCategories="Symbology" hasScaleBasedVisibilityFlag="0" minScale="100000000" maxScale="0">
$body</qgis>
