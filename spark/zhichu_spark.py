#!/usr/bin/env python3
"""知储 Zhichu on Apache Spark: every number computed by the Rust engine (the
`zhichu` Python package); Spark does the distribution — grouping, shuffling,
and the counts and sums that span the whole province.

    python spark/zhichu_spark.py --data DIR --out DIR [--as-of 2025-12-31] [--half-life 3] ...
    spark-submit --py-files … spark/zhichu_spark.py --data hdfs:///… --out hdfs:///…

What runs where:

- driver: lists the input tables; reads the small tables (units, dimensions,
  teachers, courses, classes, requirements) and checks them with the engine
  (their validation report); broadcasts them to the executors;
- executors: records and cadres are grouped by a hash bucket of the cadre id
  (`groupBy(bucket).cogroup(...).applyInArrow`), so every cadre's rows are in
  one group; each group goes through the engine's own ingest (validation)
  and `Engine::batch` (evidence, reserve, target, gap, coverage, 学时 per
  year, the layout's shortfall, 学时 rules met and every rule met) — the one
  implementation of the model;
- then each rank × dimension's reserves are gathered in one group and the
  engine gives every percentile and the peer median (`zhichu.peer_stats`);
- Spark sums over each unit's subtree (and the city) what the layout is made
  of — cadres, reserves, covered, short, shortfall — and the engine makes the
  layout's numbers from them on the driver (`zhichu.layout_numbers`: means,
  coverage, mean shortfall, the comparison with the parent or the city, weak
  points); 学时 per unit and year are sums of the engine's per-cadre 学时;
- Spark counts the engine's per-cadre compliance answers per unit and rule,
  finds the as-of date (the latest valid record) and reports malformed rows
  (count and a sample).

Defaults (half-life, completion credit, saturation, minutes per 学时,
coverage years, the layout's years) are the engine's (`zhichu.DEFAULTS`).

Outputs (Parquet under --out): reserves/, layout/, layout_hours/, compliance/,
issues/, and summary.json.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
import uuid
from typing import Dict, List, Optional

import pyarrow as pa

import zhichu

# Output of the grouped engine call: one schema for every kind of row.
OUT_FIELDS = [
    ("kind", pa.string()),  # reserve | hours | rule | cadre | issue | latest
    ("cadre_id", pa.string()),
    ("unit_id", pa.string()),
    ("rank", pa.string()),
    ("dimension", pa.string()),
    ("dim_index", pa.int32()),
    ("evidence", pa.float64()),
    ("reserve", pa.float64()),
    ("target", pa.float64()),
    ("gap", pa.float64()),
    ("covered", pa.bool_()),
    ("snapshot_reserve", pa.float64()),
    ("shortfall", pa.float64()),
    ("year", pa.int32()),
    ("hours", pa.float64()),
    ("rule_id", pa.string()),
    ("met", pa.bool_()),  # kind=rule: the rule is met; kind=cadre: every rule that applies is
    ("severity", pa.string()),
    ("code", pa.string()),
    ("table", pa.string()),
    ("file", pa.string()),
    ("column", pa.string()),
    ("value", pa.string()),
    ("message", pa.string()),
    ("row_values", pa.string()),
    ("latest_date", pa.string()),
    ("n_rows", pa.int64()),  # kind=latest: the group's records rows, as read
]
OUT_SCHEMA = pa.schema(OUT_FIELDS)
SPARK_OUT_DDL = ", ".join(
    f"`{n}` {dict(string='string', int32='int', int64='bigint', double='double', bool='boolean')[str(t)]}" for n, t in OUT_FIELDS
)
GROUP_FILES = {"cadres.csv", "records.csv"}
# Read by the CLI but not by the job: no reserve, layout or compliance number depends on them.
IGNORED_TABLES = ("ratings",)

# One BatchContext per Python worker and job (the broadcast tables parsed once).
_CONTEXTS: Dict[str, "zhichu.BatchContext"] = {}


def parse_args(argv: Optional[List[str]] = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--data", required=True, help="folder of table files (CSV or Parquet, named by table as for the CLI); any path Spark reads")
    p.add_argument("--out", required=True, help="output folder (Parquet + summary.json)")
    p.add_argument("--format", choices=["auto", "csv", "parquet"], default="auto")
    p.add_argument("--encoding", default="UTF-8", help="CSV text encoding (Spark's; e.g. GBK)")
    p.add_argument("--as-of", default=None, help="date of the view (YYYY-MM-DD); default: the latest valid record's date")
    # The engine's defaults (as the CLI's).
    d = zhichu.DEFAULTS
    p.add_argument("--half-life", type=float, default=d["half_life_years"])
    p.add_argument("--completion-credit", type=float, default=d["completion_credit"])
    p.add_argument("--saturation", type=float, default=d["saturation"])
    p.add_argument("--minutes-per-hour", type=float, default=d["minutes_per_hour"])
    p.add_argument("--coverage-years", type=float, default=d["coverage_years"])
    p.add_argument("--years", default=None, help=f"layout years FIRST-LAST (default: the {d['layout_years']} years up to the as-of date)")
    p.add_argument("--year", type=int, default=None, help="compliance year (default: the latest valid record's year)")
    p.add_argument("--buckets", type=int, default=None, help="groups of cadres given to the engine at once (default: 4 × default parallelism)")
    p.add_argument("--master", default=None, help="e.g. local[2] (spark-submit sets it otherwise)")
    p.add_argument("--sample", type=int, default=20, help="malformed rows shown in the summary")
    return p.parse_args(argv)


# ---------------------------------------------------------------- input


def _list_tables(spark, data: str, fmt: str) -> Dict[str, tuple]:
    """table -> (format, [paths]) from the files (or Parquet folders) under `data`, named as the CLI names them."""
    jvm = spark.sparkContext._jvm
    conf = spark.sparkContext._jsc.hadoopConfiguration()
    root = jvm.org.apache.hadoop.fs.Path(data)
    fs = root.getFileSystem(conf)
    found: Dict[str, tuple] = {}
    for st in sorted(fs.listStatus(root), key=lambda s: s.getPath().getName()):
        name = st.getPath().getName()
        if name.startswith((".", "_")):
            continue
        stem, _, ext = name.rpartition(".") if "." in name else (name, "", "")
        ext = ext.lower()
        kind = {"csv": "csv", "txt": "csv", "tsv": "csv", "parquet": "parquet", "pq": "parquet"}.get(ext)
        if kind is None and st.isDirectory():
            stem, kind = name, "parquet"
        if kind is None or (fmt != "auto" and kind != fmt):
            continue
        table = zhichu.table_of(stem)
        if table is None:
            continue
        f, paths = found.get(table, (kind, []))
        if f != kind:
            raise SystemExit(f"table {table} is given both as CSV and as Parquet under {data}")
        found[table] = (kind, paths + [str(st.getPath())])
    return found


def _read(spark, kind: str, paths: List[str], encoding: str):
    """A table with every column as text (the engine parses values itself, as
    from a CSV file) plus `_file` (where the row came from) and `_seq` (input
    order), and, for CSV, `_corrupt_record` for lines Spark could not split."""
    from pyspark.sql import functions as F
    from pyspark.sql.types import StringType, StructField, StructType

    if kind == "csv":
        # The delimiter (`,` `\t` `;`) as the engine tells it from the header line.
        header, sep = _csv_header(spark, paths[0], encoding)
        names = [h.lstrip("\ufeff").strip() for h in header]
        schema = StructType([StructField(n, StringType()) for n in names] + [StructField("_corrupt_record", StringType())])
        df = (
            spark.read.option("header", True)
            .option("sep", sep)
            .option("encoding", encoding)
            .option("mode", "PERMISSIVE")
            .option("columnNameOfCorruptRecord", "_corrupt_record")
            .option("multiLine", True)
            .schema(schema)
            .csv(paths)
        )
    else:
        df = spark.read.parquet(*paths)
        cols = []
        for f in df.schema.fields:
            t = f.dataType.simpleString()
            if t == "date":
                cols.append(F.date_format(F.col(f"`{f.name}`"), "yyyy-MM-dd").alias(f.name))
            elif t.startswith("timestamp"):
                cols.append(F.date_format(F.col(f"`{f.name}`"), "yyyy-MM-dd HH:mm:ss").alias(f.name))
            else:
                cols.append(F.col(f"`{f.name}`").cast("string").alias(f.name))
        df = df.select(*cols).withColumn("_corrupt_record", F.lit(None).cast("string"))
    return df.withColumn("_file", F.input_file_name()).withColumn("_seq", F.monotonically_increasing_id())


def _csv_header(spark, path: str, encoding: str) -> tuple:
    """The first line of a CSV file, read through Hadoop's file system (no
    Spark job): its cells and the file's delimiter."""
    import csv

    jvm = spark.sparkContext._jvm
    p = jvm.org.apache.hadoop.fs.Path(path)
    stream = p.getFileSystem(spark.sparkContext._jsc.hadoopConfiguration()).open(p)
    reader = jvm.java.io.BufferedReader(jvm.java.io.InputStreamReader(stream, encoding))
    try:
        line = reader.readLine() or ""
    finally:
        reader.close()
    sep = zhichu.sniff_delimiter(line)
    return next(csv.reader([line], delimiter=sep)), sep


def _key(table: str, columns: List[str], key: str) -> str:
    for c in columns:
        if zhichu.column_key(table, c) == key:
            return c
    raise SystemExit(f"table {table} has no {key} column (columns: {', '.join(columns)})")


def _data_cols(df) -> List[str]:
    return [c for c in df.columns if c not in ("_file", "_seq", "_corrupt_record", "_bucket")]


# ---------------------------------------------------------------- executors


def _group_fn(ctx_key: str, bc, params: dict):
    """The function each group runs on an executor: the engine on this group's
    cadres and records, every output as rows of OUT_SCHEMA."""

    def context():
        c = _CONTEXTS.get(ctx_key)
        if c is None:
            tables = bc.value
            c = zhichu.BatchContext(tables, params["minutes_per_hour"], params["saturation"], params["half_life"], params["completion_credit"])
            _CONTEXTS.clear()
            _CONTEXTS[ctx_key] = c
        return c

    def run(records: pa.Table, cadres: pa.Table) -> pa.Table:
        n_read = records.num_rows
        records = records.sort_by("_seq") if records.num_rows else records
        cadres = cadres.sort_by("_seq") if cadres.num_rows else cadres
        bad_r, records = _split_corrupt(records)
        bad_c, cadres = _split_corrupt(cadres)
        malformed = _malformed_issues("records", bad_r) + _malformed_issues("cadres", bad_c)
        keep = lambda t: t.select([c for c in t.column_names if c not in ("_file", "_seq", "_corrupt_record", "_bucket")])
        out = context().run(keep(cadres), keep(records), as_of=params["as_of"], coverage_years=params["coverage_years"], compliance_year=params["year"])
        issues = malformed + _group_issues(out["report"], {"cadres.csv": cadres, "records.csv": records})
        parts = _answer_rows(out)
        if issues:
            parts.append(_rows(len(issues), kind="issue", **{f: pa.array([x[f] for x in issues], pa.string()) for f in issues[0]}))
        parts.append(_rows(1, kind="latest", latest_date=pa.array([out["latest_date"]], pa.string()), n_rows=pa.array([n_read], pa.int64())))
        return pa.concat_tables(parts)

    return run


def _answer_rows(out: dict) -> list:
    """The engine's answers for one group as OUT_SCHEMA tables, one per kind."""
    parts = []
    r = out["reserves"]
    n = r.num_rows
    if n:
        parts.append(_rows(n, kind="reserve", **{k: r.column(k) for k in ("cadre_id", "unit_id", "rank", "dimension", "evidence", "reserve", "target", "gap", "covered", "snapshot_reserve", "shortfall")}, dim_index=r.column("dim_index").cast(pa.int32())))
    h = out["hours"]
    if h.num_rows:
        parts.append(_rows(h.num_rows, kind="hours", cadre_id=h.column("cadre_id"), dimension=h.column("dimension"), year=h.column("year"), hours=h.column("hours")))
    k = out.get("rules")
    if k is not None and k.num_rows:
        parts.append(_rows(k.num_rows, kind="rule", cadre_id=k.column("cadre_id"), rule_id=k.column("rule_id"), met=k.column("met"), hours=k.column("earned_hours")))
    k = out.get("compliant")
    if k is not None and k.num_rows:
        parts.append(_rows(k.num_rows, kind="cadre", cadre_id=k.column("cadre_id"), unit_id=k.column("unit_id"), met=k.column("compliant")))
    return parts


def _group_issues(report: dict, by_file: Dict[str, pa.Table]) -> list:
    """A group's validation report as issue rows, each with the source file
    and the values of the row it names (the broadcast tables' own issues are
    reported once, by the driver)."""
    issues = []
    for severity in ("errors", "warnings"):
        for i in report[severity]:
            if i.get("file") not in GROUP_FILES:
                continue
            src, row_values = None, None
            t = by_file[i["file"]]
            if i.get("row") and 2 <= i["row"] <= t.num_rows + 1:
                at = i["row"] - 2  # the header is row 1
                row = {c: t.column(c)[at].as_py() for c in t.column_names if c not in ("_seq", "_bucket", "_corrupt_record")}
                src = row.pop("_file", None)
                row_values = json.dumps(row, ensure_ascii=False)
            issues.append(dict(severity=severity[:-1], code=i["code"], table=i.get("table"), file=src or i["file"], column=i.get("column"), value=i.get("value"), message=i["message"], row_values=row_values))
    return issues


def _split_corrupt(t: pa.Table):
    """(rows Spark could not split, the others)."""
    if "_corrupt_record" not in t.column_names or t.num_rows == 0:
        return t.slice(0, 0), t
    bad = t.column("_corrupt_record").is_valid()
    if not bad.to_pylist().count(True):
        return t.slice(0, 0), t
    import pyarrow.compute as pc

    return t.filter(bad), t.filter(pc.invert(bad))


def _malformed_issues(table: str, bad: pa.Table) -> list:
    return [
        dict(severity="error", code="malformed_line", table=table, file=r.get("_file"), column=None, value=(r.get("_corrupt_record") or "")[:200], message="此行无法按表头拆分成列（引号或分隔符有误），未载入", row_values=None)
        for r in bad.to_pylist()
    ]


def _rows(n: int, **cols) -> pa.Table:
    arrays = []
    for name, typ in OUT_FIELDS:
        v = cols.get(name)
        if v is None:
            arrays.append(pa.nulls(n, typ))
        elif isinstance(v, str):
            arrays.append(pa.array([v] * n, typ))
        else:
            arrays.append(v.cast(typ) if v.type != typ else v)
    return pa.Table.from_arrays(arrays, schema=OUT_SCHEMA)


def _latest_fn():
    def run(batches):
        best = None
        for b in batches:
            d = zhichu.latest_plausible_date(b.column(0))
            if d is not None and (best is None or d > best):
                best = d
        yield pa.RecordBatch.from_arrays([pa.array([best], pa.string())], names=["d"])

    return run


def _peer_fn():
    """One rank × dimension's reserves (every cadre of the rank): the engine's
    percentile of each and the median (`zhichu.peer_stats`), as columns."""

    def run(t: pa.Table) -> pa.Table:
        percentile, median = zhichu.peer_stats(t.select(["reserve"]))
        return t.append_column("percentile", percentile).append_column("peer_median", pa.array([median] * t.num_rows, pa.float64()))

    return run


# ---------------------------------------------------------------- job


def run(spark, args: argparse.Namespace) -> dict:
    """The whole job: read, the engine on every group, then each output."""
    if __name__ != "__main__":
        # Imported (tests, notebooks): ship this module's functions by value, so
        # executors need only the `zhichu` package, not this file.
        from pyspark import cloudpickle

        cloudpickle.register_pickle_by_value(sys.modules[__name__])
    from pyspark.sql import functions as F

    t0 = time.time()
    timings = {}
    tables, frames = _inputs(spark, args)
    small, malformed = _small_tables(frames)
    params = _params(args)
    small_engine = zhichu.BatchContext(small, params["minutes_per_hour"], params["saturation"], params["half_life"], params["completion_credit"]).engine()
    units, dims = small_engine.units(), small_engine.summary()["dimensions"]
    timings["read_small_s"] = round(time.time() - t0, 3)

    g = _engine_pass(spark, args, frames, small, params)
    timings["engine_s"] = round(time.time() - t0 - timings["read_small_s"], 3)

    out = g["out"]
    anc = _ancestors(spark, units)
    cadre_units = out.filter(F.col("kind") == "cadre").select("cadre_id", "unit_id", F.col("met").alias("compliant")).persist()
    res = _write_reserves(out, args.out)
    years = _write_layout(spark, res, out, cadre_units, anc, units, dims, g["as_of"], args.years, args.out)
    city_comp = _write_compliance(out, cadre_units, anc, args.out)
    counts, sample = _write_issues(spark, out, malformed + _report_issues(small_engine.report), args.sample, args.out)

    summary = _summary(args, tables, g, years, cadre_units.count(), dims, units, city_comp, counts, sample)
    timings["total_s"] = round(time.time() - t0, 3)
    summary["timings"] = timings
    for df in (out, res, cadre_units):
        df.unpersist()
    _write_text(spark, os.path.join(args.out, "summary.json"), json.dumps(summary, ensure_ascii=False, indent=2))
    return summary


def _summary(args, tables: dict, g: dict, years: tuple, n_cadres: int, dims: list, units: list, city_comp: dict, counts: dict, sample: list) -> dict:
    return {
        "as_of": g["as_of"],
        "compliance_year": g["year"],
        "layout_years": list(years),
        "params": {"half_life_years": args.half_life, "completion_credit": args.completion_credit, "saturation": args.saturation, "minutes_per_hour": args.minutes_per_hour, "coverage_years": args.coverage_years},
        "tables": {t: {"format": kind, "paths": paths} for t, (kind, paths) in tables.items() if t not in IGNORED_TABLES},
        "ignored_tables": sorted(t for t in tables if t in IGNORED_TABLES),
        "cadres": n_cadres,
        "dimensions": dims,
        "units": len(units),
        "records_read": g["records_read"],
        "buckets": g["buckets"],
        "compliance": city_comp,
        "errors": sum(v for (s, _), v in counts.items() if s == "error"),
        "warnings": sum(v for (s, _), v in counts.items() if s == "warning"),
        "issues_by_code": {f"{s}:{c}": v for (s, c), v in sorted(counts.items())},
        "error_sample": sample,
    }


def _params(args: argparse.Namespace) -> dict:
    return dict(minutes_per_hour=args.minutes_per_hour, saturation=args.saturation, half_life=args.half_life, completion_credit=args.completion_credit, coverage_years=args.coverage_years)


def _inputs(spark, args: argparse.Namespace) -> tuple:
    """The tables under --data (table -> (format, paths)) and each as a DataFrame of text columns."""
    tables = _list_tables(spark, args.data, args.format)
    for need in ("dimensions", "courses", "cadres", "records", "units"):
        if need not in tables:
            raise SystemExit(f"no {need} table under {args.data} (files are named by table, as for the CLI: {need}.csv, {need}.parquet …)")
    frames = {t: _read(spark, kind, paths, args.encoding) for t, (kind, paths) in tables.items() if t not in IGNORED_TABLES}
    return tables, frames


def _small_tables(frames: dict) -> tuple:
    """The broadcast tables on the driver (in input order), and the issues of
    their lines Spark could not split into the header's columns (reported, not loaded)."""
    malformed, small = [], {}
    for t in zhichu.BROADCAST_TABLES:
        if t in frames:
            bad, good = _split_corrupt(frames[t].orderBy("_seq").toArrow())
            malformed += _malformed_issues(t, bad)
            small[t] = good.select(_data_cols(frames[t]))
    return small, malformed


def _engine_pass(spark, args: argparse.Namespace, frames: dict, small: dict, params: dict) -> dict:
    """Every group of whole cadres through the engine (OUT_SCHEMA rows,
    persisted), at the as-of date and compliance year the engine would take
    by default: the latest *valid* record's (estimated first from the latest
    plausible date; redone in the rare case validation refused a later one)."""
    from pyspark.sql import functions as F

    records, cadres = frames["records"], frames["cadres"]
    rec_cadre = _key("records", _data_cols(records), "cadre_id")
    rec_date = _key("records", _data_cols(records), "date")
    cad_cadre = _key("cadres", _data_cols(cadres), "cadre_id")
    buckets = args.buckets or max(2, 4 * spark.sparkContext.defaultParallelism)
    records = records.withColumn("_bucket", F.pmod(F.xxhash64(F.trim(F.col(f"`{rec_cadre}`"))), F.lit(buckets)))
    cadres = cadres.withColumn("_bucket", F.pmod(F.xxhash64(F.trim(F.col(f"`{cad_cadre}`"))), F.lit(buckets)))
    estimate = records.select(F.col(f"`{rec_date}`")).mapInArrow(_latest_fn(), "d string").agg(F.max("d")).collect()[0][0] or zhichu.DEFAULTS["fallback_as_of"]
    bc = spark.sparkContext.broadcast(small)

    def settle(latest):
        return (args.as_of or latest), (args.year if args.year is not None else int(latest[:4]))

    def grouped(as_of, year):
        fn = _group_fn(uuid.uuid4().hex, bc, dict(params, as_of=as_of, year=year))
        out = records.groupBy("_bucket").cogroup(cadres.groupBy("_bucket")).applyInArrow(fn, SPARK_OUT_DDL).persist()
        return out, out.filter(F.col("kind") == "latest").agg(F.max("latest_date"), F.sum("n_rows")).collect()[0]

    as_of, year = settle(estimate)
    out, latest = grouped(as_of, year)
    if settle(latest[0] or estimate) != (as_of, year):
        # A later-dated record was refused by validation: redo with the engine's own default.
        out.unpersist()
        as_of, year = settle(latest[0] or estimate)
        out, latest = grouped(as_of, year)
    return dict(out=out, as_of=as_of, year=year, records_read=int(latest[1] or 0), buckets=buckets)


def _ancestors(spark, units: list):
    """(unit_id, ancestor) for every unit and every unit above it, itself included: what sums over subtrees join on."""
    parent = {u["unit_id"]: u["parent_id"] for u in units}
    rows = []
    for u in parent:
        seen, cur = set(), u
        while cur is not None and cur not in seen:
            seen.add(cur)
            rows.append((u, cur))
            cur = parent.get(cur)
    return spark.createDataFrame(rows, "unit_id string, ancestor string")


def _write_reserves(out, out_dir: str):
    """reserves/: the engine's per cadre × dimension numbers, with the
    percentile and peer median within the rank: each rank × dimension's
    reserves gathered in one group and given to the engine (`zhichu.peer_stats`)."""
    from pyspark.sql.types import DoubleType, StructField, StructType

    from pyspark.sql import functions as F

    res = out.filter(F.col("kind") == "reserve").select("cadre_id", "unit_id", "rank", "dimension", "dim_index", "evidence", "reserve", "target", "gap", "covered", "snapshot_reserve", "shortfall")
    schema = StructType(res.schema.fields + [StructField("percentile", DoubleType()), StructField("peer_median", DoubleType())])
    res = res.groupBy("rank", "dim_index").applyInArrow(_peer_fn(), schema).persist()
    res.select("cadre_id", "unit_id", "rank", "dimension", "dim_index", "evidence", "reserve", "target", "gap", "percentile", "peer_median").write.mode("overwrite").parquet(os.path.join(out_dir, "reserves"))
    return res


def _write_layout(spark, res, out, cadre_units, anc, units: list, dims: list, as_of: str, years: Optional[str], out_dir: str) -> tuple:
    """layout/ and layout_hours/: Spark sums over each unit's subtree (and the
    city), the engine makes the layout's numbers from the sums
    (`zhichu.layout_numbers`, on the driver: a row per unit × dimension).
    Returns the layout's years, as the engine takes them."""
    from pyspark.sql import functions as F

    a, b = zhichu.layout_years(as_of, years)
    per = res.join(anc, "unit_id").groupBy("ancestor", "dim_index").agg(
        F.count(F.lit(1)).alias("cadres"),
        F.sum("snapshot_reserve").alias("reserve"),
        F.sum(F.col("covered").cast("int")).alias("covered"),
        F.count("shortfall").alias("short"),
        F.sum("shortfall").alias("shortfall"),
    )
    unit_df = spark.createDataFrame([(u["unit_id"], u["parent_id"]) for u in units], "ancestor string, parent_id string")
    dim_df = spark.createDataFrame([(i,) for i in range(len(dims))], "dim_index int")
    grid = unit_df.crossJoin(dim_df).join(per, ["ancestor", "dim_index"], "left").fillna(0, ["cadres", "reserve", "covered", "short", "shortfall"])
    city = res.groupBy("dim_index").agg(F.count(F.lit(1)).alias("cadres"), F.sum("snapshot_reserve").alias("reserve"))
    numbers = zhichu.layout_numbers(grid.withColumnRenamed("ancestor", "unit_id").toArrow(), city.toArrow())
    numbers = numbers.append_column("dimension", pa.array([dims[i] for i in numbers.column("dim_index").to_pylist()], pa.string()))
    layout = spark.createDataFrame(numbers).select("unit_id", "dimension", "dim_index", "cadres", "mean_reserve", "compare_mean_reserve", "compared_with", "coverage", "cadres_short", "mean_shortfall", "weak_rank")
    layout.write.mode("overwrite").parquet(os.path.join(out_dir, "layout"))
    hrs = out.filter((F.col("kind") == "hours") & F.col("year").between(a, b)).select("cadre_id", "dimension", "year", "hours")
    layout_hours = hrs.join(cadre_units.select("cadre_id", "unit_id"), "cadre_id").join(anc, "unit_id").groupBy(F.col("ancestor").alias("unit_id"), "dimension", "year").agg(F.sum("hours").alias("hours"))
    layout_hours.write.mode("overwrite").parquet(os.path.join(out_dir, "layout_hours"))
    return a, b


def _write_compliance(out, cadre_units, anc, out_dir: str) -> dict:
    """compliance/: per unit subtree and rule, counts of the engine's per-cadre
    answers (a rule applies or not, is met or not; a cadre meets every rule
    that applies or not). Returns the city's counts."""
    from pyspark.sql import functions as F

    rules = out.filter(F.col("kind") == "rule").select("cadre_id", "rule_id", "met")
    compliant = F.sum(F.col("compliant").cast("int")).alias("compliant")
    comp_all = cadre_units.join(anc, "unit_id").groupBy("ancestor").agg(F.count(F.lit(1)).alias("cadres"), compliant)
    comp_rule = rules.join(cadre_units, "cadre_id").join(anc, "unit_id").groupBy("ancestor", "rule_id").agg(F.count(F.lit(1)).alias("applicable"), F.sum(F.col("met").cast("int")).alias("met"))
    comp = comp_rule.join(comp_all, "ancestor", "full").select(F.col("ancestor").alias("unit_id"), "rule_id", "applicable", "met", "cadres", "compliant")
    comp.write.mode("overwrite").parquet(os.path.join(out_dir, "compliance"))
    city = cadre_units.agg(F.count(F.lit(1)).alias("cadres"), compliant).collect()[0]
    return {"cadres": city["cadres"], "compliant": city["compliant"]}


def _report_issues(report: dict) -> list:
    """The broadcast tables' validation report as issue rows (reported once, by the driver)."""
    return [
        dict(severity=sev[:-1], code=i["code"], table=i.get("table"), file=i.get("file"), column=i.get("column"), value=i.get("value"), message=i["message"], row_values=json.dumps({"row": i.get("row")}) if i.get("row") else None)
        for sev in ("errors", "warnings")
        for i in report[sev]
    ]


def _write_issues(spark, out, driver_issues: list, n_sample: int, out_dir: str) -> tuple:
    """issues/: every group's issues and the driver's (lines Spark could not
    split, the broadcast tables' report). Returns the counts per (severity,
    code) and a sample of errors that shows every kind first (round robin over the codes)."""
    from pyspark.sql import Window

    from pyspark.sql import functions as F

    issues = out.filter(F.col("kind") == "issue").select("severity", "code", "table", "file", "column", "value", "message", "row_values")
    all_issues = issues.unionByName(spark.createDataFrame(driver_issues, issues.schema)) if driver_issues else issues
    all_issues.write.mode("overwrite").parquet(os.path.join(out_dir, "issues"))
    counts = {(r["severity"], r["code"]): r["n"] for r in issues.groupBy("severity", "code").agg(F.count(F.lit(1)).alias("n")).collect()}
    for i in driver_issues:
        counts[(i["severity"], i["code"])] = counts.get((i["severity"], i["code"]), 0) + 1
    per_code = Window.partitionBy("code").orderBy("file", "row_values", "value")
    picked = issues.filter(F.col("severity") == "error").withColumn("_i", F.row_number().over(per_code)).filter(F.col("_i") <= n_sample)
    sample = [{k: v for k, v in r.asDict().items() if k != "_i"} for r in picked.orderBy("_i", "code").limit(n_sample).collect()]
    return counts, ([i for i in driver_issues if i["severity"] == "error"] + sample)[:n_sample]


def _write_text(spark, path: str, text: str) -> None:
    """Writes one small file through Hadoop's file system (local, HDFS, S3 …)."""
    jvm = spark.sparkContext._jvm
    p = jvm.org.apache.hadoop.fs.Path(path)
    fs = p.getFileSystem(spark.sparkContext._jsc.hadoopConfiguration())
    stream = fs.create(p, True)
    stream.write(bytearray(text.encode("utf-8")))
    stream.close()


def session(master: Optional[str] = None, app: str = "zhichu"):
    from pyspark.sql import SparkSession

    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    b = SparkSession.builder.appName(app)
    if master:
        # Local mode: the driver is the executor; its heap is set before the JVM starts.
        b = (
            b.master(master)
            .config("spark.sql.shuffle.partitions", "4")
            .config("spark.ui.enabled", "false")
            .config("spark.driver.memory", os.environ.get("ZHICHU_SPARK_DRIVER_MEMORY", "2g"))
        )
    b = b.config("spark.sql.session.timeZone", "UTC").config("spark.sql.execution.arrow.pyspark.enabled", "true")
    return b.getOrCreate()


def main(argv: Optional[List[str]] = None) -> int:
    args = parse_args(argv)
    spark = session(args.master)
    spark.sparkContext.setLogLevel("WARN")
    s = run(spark, args)
    print(json.dumps({k: v for k, v in s.items() if k != "error_sample"}, ensure_ascii=False, indent=2))
    if s["errors"]:
        print(f"\n{s['errors']} malformed rows were reported and left out; a sample:", file=sys.stderr)
        for i in s["error_sample"]:
            print(f"  {i.get('file')}: {i.get('code')} {i.get('column') or ''} {i.get('value') or ''} — {i.get('message')} {i.get('row_values') or ''}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
