"""The data as a Frictionless Data Package, so tools nobody here wrote can read and check it.

``datapackage.json`` describes every table of data/raw and data/processed in
the Data Package and Table Schema standards: each column's type, unit,
meaning and allowed values, each table's primary key, the publications its
values come from and their licences. It is generated from
``kfanalysis.fields`` and ``sources.toml`` (never written by hand, so it cannot
drift from the schemas the package enforces), written by the build beside the
other outputs and compared by ``kfanalysis verify`` like them.

The descriptor sits in data/processed; raw tables are named by a path relative
to it (``../raw/...``), which the ``frictionless`` validator follows when told
the package is trusted (``frictionless validate --trusted``).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from kfanalysis.fields import FIELDS, TABLES, Field, Table
from kfanalysis.paths import project_paths

#: The descriptor's file name, as the standard requires.
DATAPACKAGE = "datapackage.json"
_TYPES = {"str": "string", "float": "number", "int": "integer", "bool": "boolean"}
#: Licences that have a standard identifier and a page; others are given by their title alone.
_KNOWN_LICENCES = {
    "Open Government Licence v3.0": (
        "OGL-UK-3.0",
        "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/",
    ),
    "Open Parliament Licence v3.0": (
        "OPL-3.0",
        "https://www.parliament.uk/site-information/copyright-parliament/open-parliament-licence/",
    ),
}


def _licence(title: str) -> dict[str, str]:
    name, path = _KNOWN_LICENCES.get(title, (_slug(title), ""))
    entry = {"name": name, "title": title}
    if path:
        entry["path"] = path
    return entry


def _slug(text: str) -> str:
    return "-".join("".join(c if c.isalnum() else " " for c in text.lower()).split())[:60]


def _field(column: str, spec: Table) -> dict[str, Any]:
    field: Field = FIELDS[column]
    entry: dict[str, Any] = {
        "name": column,
        "title": field.heading(),
        "type": _TYPES[field.dtype],
        "description": field.description,
    }
    if field.unit:
        entry["unit"] = field.unit
    constraints: dict[str, Any] = {}
    if column not in spec.nullable:
        constraints["required"] = True
    if field.minimum is not None:
        constraints["minimum"] = field.minimum if field.dtype == "float" else int(field.minimum)
    if field.maximum is not None:
        constraints["maximum"] = field.maximum if field.dtype == "float" else int(field.maximum)
    if field.allowed is not None:
        constraints["enum"] = list(field.allowed)
    if field.pattern is not None:
        # The standard anchors a pattern itself; ours are written anchored for Python.
        constraints["pattern"] = field.pattern.removeprefix("^").removesuffix("$")
    if constraints:
        entry["constraints"] = constraints
    return entry


def _resource(spec: Table, cited: dict[str, list[str]], sources: dict[str, Any]) -> dict[str, Any]:
    resource: dict[str, Any] = {
        "name": spec.name,
        "path": f"../raw/{spec.filename}" if spec.is_raw else spec.filename,
        "profile": "tabular-data-resource",
        "format": "csv",
        "mediatype": "text/csv",
        "encoding": "utf-8",
        "description": spec.description,
        "schema": {
            "fields": [_field(c, spec) for c in spec.columns],
            "primaryKey": list(spec.key),
            "missingValues": [""],
        },
    }
    ids = cited.get(spec.name, [])
    if ids:
        resource["sources"] = [{"title": sources[i].title, "path": sources[i].url} for i in ids]
        resource["licenses"] = [_licence(t) for t in sorted({sources[i].licence for i in ids})]
    elif not spec.is_raw:
        resource["sources"] = [{"title": "Built by kfanalysis from the raw resources of this package"}]
    return resource


def datapackage(root: Path | str | None = None) -> dict[str, Any]:
    """The Data Package descriptor for data/raw and data/processed, as a dict.

    Args:
        root: Project root; found from the working directory if omitted.
    """
    import polars as pl

    from kfanalysis import __version__
    from kfanalysis.loader import load_all
    from kfanalysis.sources import read_sources

    paths = project_paths(root)
    sources = read_sources(paths)
    cited = {
        name: sorted(frame.get_column("source_id").unique().to_list())
        for name, frame in load_all(paths.root).items()
        if "source_id" in frame.columns and frame.schema["source_id"] == pl.String
    }
    licences = sorted({s.licence for s in sources.values()})
    return {
        "profile": "tabular-data-package",
        "name": "kfanalysis",
        "title": "Making care closer to home a reality: the figures rebuilt from official statistics",
        "description": (
            "Official figures as read (data/raw, one row per value with its source and locator) and "
            "the figure tables and ledger built from them (data/processed)."
        ),
        "version": __version__,
        "licenses": [_licence(t) for t in licences],
        "sources": [{"title": s.title, "path": s.url} for s in sources.values()],
        "resources": [_resource(spec, cited, sources) for spec in TABLES.values()],
    }


def datapackage_bytes(root: Path | str | None = None) -> bytes:
    """The descriptor as written: sorted keys, two-space indent, a final newline; same bytes anywhere."""
    return (json.dumps(datapackage(root), indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode()
