"""Where a dataset's bytes come from, found and read at plan time with the standard library only.

A dataset names a file or folder in the project, data inside an installed distribution
(``pkg:DIST/PATH``), or one of the datasets scikit-learn ships (``sklearn:iris``). Planning must
hash the content and may read a header, but must not import scikit-learn or pandas: the files
shipped with scikit-learn are located with :func:`importlib.util.find_spec` and turned into a
plain CSV with named columns here, byte for byte the same on every plan.
"""

from __future__ import annotations

import csv
import functools
import gzip
import importlib.util
import io
import json
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from engine.providers.paths import MissingPathError, SpecPathError, resolve_spec_path
from providers.ml.errors import SourceError
from specs.ml import DataFormat

__all__ = [
    "SKLEARN_DATASETS",
    "DataSource",
    "resolve_path",
    "resolve_sklearn",
]

_SUFFIXES: dict[str, DataFormat] = {
    ".csv": DataFormat.CSV,
    ".tsv": DataFormat.TSV,
    ".parquet": DataFormat.PARQUET,
    ".pq": DataFormat.PARQUET,
    ".jsonl": DataFormat.JSONL,
    ".ndjson": DataFormat.JSONL,
}


@dataclass(frozen=True)
class _Builtin:
    files: tuple[str, ...]  # data file, then (diabetes) a separate target file
    columns: tuple[str, ...]  # feature columns; the label column `target` comes last
    header_rows: int  # scikit-learn's first line holds counts and class names
    delimiter: str = ","


_CANCER = [
    "radius",
    "texture",
    "perimeter",
    "area",
    "smoothness",
    "compactness",
    "concavity",
    "concave_points",
    "symmetry",
    "fractal_dimension",
]

SKLEARN_DATASETS: dict[str, _Builtin] = {
    "iris": _Builtin(
        ("iris.csv",),
        ("sepal_length_cm", "sepal_width_cm", "petal_length_cm", "petal_width_cm"),
        1,
    ),
    "breast_cancer": _Builtin(
        ("breast_cancer.csv",),
        tuple(
            [f"mean_{c}" for c in _CANCER]
            + [f"{c}_error" for c in _CANCER]
            + [f"worst_{c}" for c in _CANCER]
        ),
        1,
    ),
    "wine": _Builtin(
        ("wine_data.csv",),
        tuple(
            [
                "alcohol",
                "malic_acid",
                "ash",
                "alcalinity_of_ash",
                "magnesium",
                "total_phenols",
                "flavanoids",
                "nonflavanoid_phenols",
                "proanthocyanins",
                "color_intensity",
                "hue",
                "od280_od315_of_diluted_wines",
                "proline",
            ]
        ),
        1,
    ),
    "digits": _Builtin(
        ("digits.csv.gz",), tuple(f"pixel_{r}_{c}" for r in range(8) for c in range(8)), 0
    ),
    "diabetes": _Builtin(
        ("diabetes_data_raw.csv.gz", "diabetes_target.csv.gz"),
        ("age", "sex", "bmi", "bp", "s1", "s2", "s3", "s4", "s5", "s6"),
        0,
        " ",
    ),
}


@dataclass(frozen=True)
class DataSource:
    """A located dataset: its files (relative name -> absolute path) and how to read them."""

    format: DataFormat
    files: dict[str, Path]  # snapshot-relative name ("data.csv", "part-0.parquet") -> file
    compression: str | None  # "gzip" or None
    inline: bytes | None = None  # the CSV built from scikit-learn's files (one file)

    def read_bytes(self, name: str) -> bytes:
        if self.inline is not None:
            return self.inline
        return self.files[name].read_bytes()


def _open_text(path: Path, compression: str | None) -> io.TextIOBase:
    if compression == "gzip":
        return io.TextIOWrapper(gzip.open(path, "rb"), encoding="utf-8", newline="")
    return path.open("r", encoding="utf-8", newline="")


def _format_of(path: Path, declared: DataFormat | None) -> tuple[DataFormat, str | None]:
    suffixes = [s.lower() for s in path.suffixes]
    compression = "gzip" if suffixes and suffixes[-1] == ".gz" else None
    if compression:
        suffixes = suffixes[:-1]
    if declared is not None:
        if compression and declared is DataFormat.PARQUET:
            raise SourceError("format", "a gzip-compressed file cannot be read as parquet")
        return declared, compression
    fmt = _SUFFIXES.get(suffixes[-1]) if suffixes else None
    if fmt is None:
        raise SourceError(
            "format",
            f"cannot infer the format of {path.name}: set `format` "
            f"({', '.join(f.value for f in DataFormat)})",
        )
    if compression and fmt is DataFormat.PARQUET:
        raise SourceError("path", "a gzip-compressed file cannot be read as parquet")
    return fmt, compression


def resolve_path(project_dir: str, path: str, declared: DataFormat | None) -> DataSource:
    """Locate the file or folder named by a dataset's ``path`` (no data is read)."""
    try:
        location = resolve_spec_path(path, project_dir)
        if location.path.is_file():
            fmt, compression = _format_of(location.path, declared)
            name = f"data.{fmt.value}" + (".gz" if compression else "")
            return DataSource(fmt, {name: location.path}, compression)
        if location.path.is_dir():
            return _resolve_folder(location.files(), path, declared)
    except MissingPathError:
        pass
    except SpecPathError as exc:
        raise SourceError("path", str(exc)) from exc
    raise SourceError("path", f"data file not found: {path}")


def _resolve_folder(found: dict[str, Path], shown: str, declared: DataFormat | None) -> DataSource:
    """The data files among ``found`` (every file of the folder, each already resolved)."""
    chosen: dict[str, Path] = {}
    fmt: DataFormat | None = declared
    compression: str | None = None
    for name, file in found.items():
        if PurePosixPath(name).name.startswith("."):
            continue
        try:
            file_fmt, file_comp = _format_of(Path(name), declared)
        except SourceError:
            continue  # READMEs and other files beside the data are not part of it
        if fmt is None:
            fmt, compression = file_fmt, file_comp
        if (file_fmt, file_comp) == (fmt, compression):
            chosen[f"data/{name}"] = file
    if fmt is None or not chosen:
        raise SourceError("path", f"no CSV, TSV, Parquet or JSON-lines files in folder {shown}")
    return DataSource(fmt, chosen, compression)


def sklearn_data_dir() -> Path:
    """scikit-learn's shipped data folder, found without importing scikit-learn."""
    spec = importlib.util.find_spec("sklearn")
    if spec is None or not spec.submodule_search_locations:
        raise SourceError("source", "scikit-learn is not installed (it ships sklearn: datasets)")
    return Path(next(iter(spec.submodule_search_locations))) / "datasets" / "data"


def resolve_sklearn(source: str) -> DataSource:
    """``sklearn:NAME`` as one CSV with named columns and a ``target`` column."""
    kind, _, name = source.partition(":")
    builtin = SKLEARN_DATASETS.get(name) if kind == "sklearn" else None
    if builtin is None:
        known = ", ".join(f"sklearn:{n}" for n in sorted(SKLEARN_DATASETS))
        raise SourceError("source", f"unknown dataset {source!r}; known: {known}")
    folder = sklearn_data_dir()
    paths = [folder / f for f in builtin.files]
    for p in paths:
        if not p.is_file():
            raise SourceError("source", f"{source}: scikit-learn's data file is missing: {p}")
    stamps = tuple((str(p), p.stat().st_mtime_ns, p.stat().st_size) for p in paths)
    return DataSource(DataFormat.CSV, {"data.csv": paths[0]}, None, _sklearn_csv(name, stamps))


def _rows(path: Path, delimiter: str) -> list[list[str]]:
    compression = "gzip" if path.suffix == ".gz" else None
    with _open_text(path, compression) as f:
        if delimiter == " ":
            return [line.split() for line in f if line.strip()]
        return [row for row in csv.reader(f, delimiter=delimiter) if row]


@functools.lru_cache(maxsize=8)
def _sklearn_csv(name: str, stamps: tuple[tuple[str, int, int], ...]) -> bytes:
    # Check and refresh of one plan both need it; ``stamps`` (path, mtime, size) keep it honest.
    builtin = SKLEARN_DATASETS[name]
    paths = [Path(stamp[0]) for stamp in stamps]
    rows = _rows(paths[0], builtin.delimiter)[builtin.header_rows :]
    if len(paths) > 1:
        targets = _rows(paths[1], builtin.delimiter)
        if len(targets) != len(rows):
            raise SourceError("source", f"{paths[1].name}: row count differs from the data")
        rows = [row + t for row, t in zip(rows, targets, strict=True)]
    header = [*builtin.columns, "target"]
    if any(len(row) != len(header) for row in rows):
        raise SourceError("source", f"{paths[0].name}: unexpected number of columns")
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode()


def column_names(source: DataSource) -> list[str] | None:
    """Column names from the first file's header, when that is cheap (not for Parquet)."""
    first_name = next(iter(source.files))
    if source.inline is not None:
        return next(csv.reader(io.StringIO(source.inline.decode()))) if source.inline else []
    first = source.files[first_name]
    try:
        with _open_text(first, source.compression) as f:
            if source.format is DataFormat.JSONL:
                line = f.readline()
                record = json.loads(line) if line.strip() else {}
                return list(record) if isinstance(record, dict) else None
            if source.format in (DataFormat.CSV, DataFormat.TSV):
                delimiter = "\t" if source.format is DataFormat.TSV else ","
                return next(csv.reader(f, delimiter=delimiter), [])
    except (OSError, UnicodeDecodeError, ValueError, csv.Error) as exc:
        raise SourceError("path", f"cannot read the header of {first.name}: {exc}") from exc
    return None
