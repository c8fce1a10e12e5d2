"""知储 Zhichu for Python: the same Rust engine as the CLI, the web page and the
mini-program, for notebooks and for Spark executors.

    import zhichu
    ds = zhichu.load("data/")            # a folder or files, as the CLI's --data
    ds.report                            # the validation report (dict)
    ds.profile("C000001")                # = zhichu profile --cadre C000001 --json
    ds.recommend("C000001", top=5)       # = zhichu recommend … --json
    ds.reserves()                        # pyarrow.Table: every cadre × dimension

Every number comes from the engine; this module only converts. A setting
left as `None` takes the engine's default (`DEFAULTS`; `RANGES` holds what the
engine accepts).
"""

from __future__ import annotations

import json
import os
from typing import Any, Iterable, Mapping, Optional, Sequence, Union

import pyarrow as pa

from . import _zhichu
from ._zhichu import DEFAULTS, QUESTIONS, RANGES, ZhichuError, column_key, layout_years, sniff_delimiter, table_of

__all__ = [
    "load",
    "demo",
    "Dataset",
    "BatchContext",
    "ZhichuError",
    "table_of",
    "column_key",
    "sniff_delimiter",
    "as_string_table",
    "peer_stats",
    "layout_numbers",
    "layout_years",
    "DEFAULTS",
    "QUESTIONS",
    "RANGES",
    "BROADCAST_TABLES",
    "GROUP_TABLES",
]

#: Tables every group of cadres needs whole (small): broadcast to Spark executors.
BROADCAST_TABLES = ("units", "dimensions", "teachers", "courses", "classes", "requirements")
#: Tables split by cadre.
GROUP_TABLES = ("cadres", "records")

PathLike = Union[str, os.PathLike]


def _req(**kw: Any) -> str:
    return json.dumps({k: v for k, v in kw.items() if v is not None}, ensure_ascii=False)


def _num(v: Optional[float]) -> Optional[float]:
    """A setting as the engine takes it: a float, or None for the engine's default."""
    return None if v is None else float(v)


class Dataset:
    """A loaded dataset: one engine and its caches (reserves at the last as-of date asked)."""

    def __init__(self, engine: "_zhichu.Engine"):
        self._e = engine

    def ask(self, question: str, **request: Any) -> Any:
        """Any of the engine's questions by name (`QUESTIONS`, the engine's one
        list: the same names and requests as the web page, the mini-program and
        the CLI's JSON); fields left out or None take the engine's defaults.
        The methods below are conveniences over it."""
        return self._ask(question, **request)

    def _ask(self, method: str, **request: Any) -> Any:
        return json.loads(self._e.ask(method, _req(**request)))

    @property
    def report(self) -> dict:
        """How the files were read: loaded rows per table, errors and warnings with file, row, column, value."""
        return self._ask("report")

    def summary(self) -> dict:
        return self._ask("summary")

    def set_model(self, half_life_years: Optional[float] = None, completion_credit: Optional[float] = None) -> "Dataset":
        """The reserve model's parameters (as the CLI's --half-life, --completion-credit; None: the engine's default)."""
        self._e.set_model(_num(half_life_years), _num(completion_credit))
        return self

    def units(self) -> list:
        return self._ask("units")

    def cadres(self, query: str = "", limit: Optional[int] = None) -> list:
        return self._ask("cadres", query=query, limit=limit)

    def profile(self, cadre: str, as_of: Optional[str] = None) -> dict:
        """The same structure as `zhichu profile --cadre … --json`."""
        return self._ask("profile", cadre=cadre, as_of=as_of)

    def recommend(self, cadre: str, top: Optional[int] = None, repeat_window_years: Optional[float] = None, as_of: Optional[str] = None) -> dict:
        """The same structure as `zhichu recommend --cadre … --json`."""
        return self._ask("recommend", cadre=cadre, top=top, repeat_window_years=repeat_window_years, as_of=as_of)

    def simulate(self, cadre: str, course: str, as_of: Optional[str] = None) -> dict:
        return self._ask("simulate", cadre=cadre, course=course, as_of=as_of)

    def archive(self, cadre: str) -> list:
        return self._ask("archive", cadre=cadre)

    def hours(self, cadre: str, year: Optional[int] = None) -> dict:
        return self._ask("hours", cadre=cadre, year=year)

    def layout(self, unit: str, years: Optional[str] = None, include_subunits: Optional[bool] = None, coverage_years: Optional[float] = None, as_of: Optional[str] = None) -> dict:
        """The same structure as `zhichu layout --unit … --json`."""
        return self._ask("layout", unit=unit, years=years, include_subunits=include_subunits, coverage_years=coverage_years, as_of=as_of)

    def city_ranking(self, as_of: Optional[str] = None) -> list:
        return self._ask("city_ranking", as_of=as_of)

    def compliance(self, unit: str = "", year: Optional[int] = None) -> dict:
        return self._ask("compliance", unit=unit, year=year)

    def fairness(self, unit: str = "", window_years: Optional[float] = None, as_of: Optional[str] = None) -> dict:
        return self._ask("fairness", unit=unit, window_years=window_years, as_of=as_of)

    def ratings(self, by: Optional[str] = None, prior_weight: Optional[float] = None) -> dict:
        return self._ask("ratings", by=by, prior_weight=prior_weight)

    def reserves(self, as_of: Optional[str] = None, coverage_years: Optional[float] = None) -> pa.Table:
        """Every cadre × dimension: cadre_id, unit_id, rank, dimension, dim_index,
        evidence, reserve, target, gap, covered, percentile, peer_median — the
        numbers of each cadre's profile, in cadre order then taxonomy order."""
        out = self._e.batch(_req(as_of=as_of, coverage_years=coverage_years, percentiles=True))
        return pa.Table.from_batches([out.reserves()])

    def contributions(self, as_of: Optional[str] = None) -> pa.Table:
        """Every record × dimension it counts in: the profile's contributions, for all cadres."""
        out = self._e.batch(_req(as_of=as_of, contributions=True))
        return pa.Table.from_batches([out.contributions()])


def load(
    paths: Union[PathLike, Sequence[PathLike]],
    minutes_per_hour: Optional[float] = None,
    saturation: Optional[float] = None,
    half_life_years: Optional[float] = None,
    completion_credit: Optional[float] = None,
) -> Dataset:
    """Reads and validates files as the CLI's `--data` does: a folder of CSV
    files, a workbook, JSON, xAPI statements, or a list of them. Loading never
    fails as a whole: what could not be read is in `Dataset.report`. Settings
    left as None take the engine's defaults (`DEFAULTS`)."""
    if isinstance(paths, (str, os.PathLike)):
        paths = [paths]
    ds = Dataset(_zhichu.load([os.fspath(p) for p in paths], _num(minutes_per_hour), _num(saturation)))
    return ds.set_model(half_life_years, completion_credit)


def demo(scale: str = "s") -> Dataset:
    """The built-in synthetic demo city (s, m or l)."""
    return Dataset(_zhichu.demo(scale))


def as_string_table(t: Union[pa.Table, pa.RecordBatch]) -> pa.Table:
    """Every column as strings (what the engine reads: it parses dates, numbers
    and booleans itself, as from a CSV file). Dates become YYYY-MM-DD."""
    if isinstance(t, pa.RecordBatch):
        t = pa.Table.from_batches([t])
    cols = []
    for name, col in zip(t.column_names, t.columns):
        if pa.types.is_string(col.type) or pa.types.is_large_string(col.type):
            cols.append(col)
        elif pa.types.is_null(col.type):
            cols.append(pa.nulls(len(col), pa.string()))
        else:
            cols.append(col.cast(pa.string()))
    return pa.table(cols, names=t.column_names)


def _tables(tables: Mapping[str, Union[pa.Table, pa.RecordBatch]]) -> list:
    out = []
    for name, t in tables.items():
        if t is None:
            continue
        if table_of(name) is None:
            raise ZhichuError("bad_argument", f"'{name}' names no table")
        out.append((name, as_string_table(t)))
    return out


class BatchContext:
    """The batch entry for Spark: the small tables every group needs
    (`BROADCAST_TABLES`) and the engine's settings, held once per executor;
    `run` gives one group of whole cadres (their cadres and records rows)
    to the engine and returns per cadre × dimension evidence and reserve."""

    def __init__(
        self,
        tables: Mapping[str, Union[pa.Table, pa.RecordBatch]],
        minutes_per_hour: Optional[float] = None,
        saturation: Optional[float] = None,
        half_life_years: Optional[float] = None,
        completion_credit: Optional[float] = None,
    ):
        self._c = _zhichu.BatchContext(_tables(tables), _num(minutes_per_hour), _num(saturation), _num(half_life_years), _num(completion_credit))

    def engine(self) -> Dataset:
        """The broadcast tables alone, loaded: their validation report and units."""
        return Dataset(self._c.engine())

    def run(self, cadres: Union[pa.Table, pa.RecordBatch], records: Union[pa.Table, pa.RecordBatch], as_of: Optional[str] = None, coverage_years: Optional[float] = None, contributions: bool = False, compliance_year: Optional[int] = None) -> dict:
        """One group of cadres. Returns a dict: `reserves` (pyarrow.Table per
        cadre × dimension: cadre_id, unit_id, rank, dimension, dim_index,
        evidence, reserve, target, gap, covered, and what the layout sums:
        snapshot_reserve, the reserve as the snapshot keeps it, and shortfall,
        the target less it when positive), `hours` (学时 per cadre ×
        dimension × year over completed records), `contributions` (per record ×
        dimension, when asked), `rules` (per cadre × 学时 rule that applies:
        met, earned and required hours, with `compliance_year`), `compliant`
        (per cadre: cadre_id, unit_id, compliant — meets every rule that
        applies — with `compliance_year`), `report` (the engine's validation
        report of this group, dict), `as_of`, `latest_date`.

        Pass the overall `as_of`: the default is the latest record of this group."""
        out = self._c.run(_tables({"cadres": cadres, "records": records}), _req(as_of=as_of, coverage_years=coverage_years, contributions=contributions, compliance_year=compliance_year))
        res = {
            "as_of": out.as_of,
            "latest_date": out.latest_date,
            "reserves": pa.Table.from_batches([out.reserves()]),
            "hours": pa.Table.from_batches([out.hours()]),
            "report": json.loads(out.report_json),
        }
        if contributions:
            res["contributions"] = pa.Table.from_batches([out.contributions()])
        if compliance_year is not None:
            res["rules"] = pa.Table.from_batches([out.rules()])
            res["compliant"] = pa.Table.from_batches([out.compliant()])
        return res


def _batch(t: Union[pa.Table, pa.RecordBatch]) -> pa.RecordBatch:
    if isinstance(t, pa.RecordBatch):
        return t
    t = t.combine_chunks()
    return t.to_batches()[0] if t.num_rows else pa.RecordBatch.from_pylist([], schema=t.schema)


def peer_stats(group: Union[pa.Table, pa.RecordBatch]) -> tuple:
    """One rank's cadres in one dimension (column `reserve`, every cadre of
    the rank): (each one's percentile as a pyarrow.Array, the median), as the
    engine's profile gives them. For hosts that gather a rank's reserves (Spark)."""
    p, median = _zhichu.peer_stats(_batch(group))
    return p.column(0), median


def layout_numbers(sums: Union[pa.Table, pa.RecordBatch], city: Union[pa.Table, pa.RecordBatch]) -> pa.Table:
    """The unit layout's numbers from counts and sums over each unit's subtree
    (`sums`: unit_id, parent_id, dim_index, cadres, reserve, covered, short,
    shortfall; `city`: dim_index, cadres, reserve), as the engine's layout
    makes them: unit_id, dim_index, cadres, mean_reserve, compare_mean_reserve,
    compared_with, coverage, cadres_short, mean_shortfall, weak_rank."""
    return pa.Table.from_batches([_zhichu.layout_numbers(_batch(sums), _batch(city))])


def latest_plausible_date(dates: Union[pa.Array, pa.ChunkedArray, Iterable[str]]) -> Optional[str]:
    """The latest of `dates` the engine reads as a plausible record date."""
    arr = dates if isinstance(dates, (pa.Array, pa.ChunkedArray)) else pa.array(list(dates), pa.string())
    if not (pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type)):
        arr = arr.cast(pa.string())
    return _zhichu.latest_plausible_date(pa.table({"date": arr}))
