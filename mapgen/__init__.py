"""mapgen: dated territorial-control events into maps and GIS layers."""

from mapgen.dataset import Dataset, DatasetFiles, DatasetInfo, check_dataset, load_dataset
from mapgen.errors import DateRangeError, InputFileError, MapgenError, ValidationError
from mapgen.timeline import Timeline, build_timeline

__version__ = "0.1.0"

__all__ = [
    "Dataset",
    "DatasetFiles",
    "DatasetInfo",
    "DateRangeError",
    "InputFileError",
    "MapgenError",
    "Timeline",
    "ValidationError",
    "__version__",
    "build_timeline",
    "check_dataset",
    "load_dataset",
]
