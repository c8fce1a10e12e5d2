#!/usr/bin/env python3
"""知储 Zhichu on Apache Spark: the knowledge-reserve model computed by the
Rust engine (the `zhichu` Python package) on the executors, the cross-cadre
parts by Spark itself.

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
  year, 学时 rules) — the one implementation of the model;
- Spark: percentiles and peer medians within rank (on the reserve rounded to
  f32, as the engine's snapshot keeps it: (below + ½·equal) / n × 100, the
  median of the sorted values), the unit layout (sums over each unit's
  subtree and year, means against the parent or the city), compliance counts
  per unit and rule, the as-of date (the latest valid record), and the report
  of malformed rows (count and a sample).

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
    ("kind", pa.string()),  # reserve | hours | rule | issue | latest
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
    ("year", pa.int32()),
    ("hours", pa.float64()),
    ("rule_id", pa.string()),
    ("met", pa.bool_()),
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
    p.add_argument("--half-life", type=float, default=3.0)
    p.add_argument("--completion-credit", type=float, default=0.8)
    p.add_argument("--saturation", type=float, default=20.0)
    p.add_argument("--minutes-per-hour", type=float, default=45.0)
    p.add_argument("--coverage-years", type=float, default=3.0)
    p.add_argument("--years", default=None, help="layout years FIRST-LAST (default: the five years up to the as-of date)")
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
        parts = []
        r = out["reserves"]
        n = r.num_rows
        if n:
            parts.append(_rows(n, kind="reserve", **{k: r.column(k) for k in ("cadre_id", "unit_id", "rank", "dimension", "evidence", "reserve", "target", "gap", "covered")}, dim_index=r.column("dim_index").cast(pa.int32())))
        h = out["hours"]
        if h.num_rows:
            parts.append(_rows(h.num_rows, kind="hours", cadre_id=h.column("cadre_id"), dimension=h.column("dimension"), year=h.column("year"), hours=h.column("hours")))
        k = out.get("rules")
        if k is not None and k.num_rows:
            parts.append(_rows(k.num_rows, kind="rule", cadre_id=k.column("cadre_id"), rule_id=k.column("rule_id"), met=k.column("met"), hours=k.column("earned_hours")))
        issues = malformed
        by_file = {"cadres.csv": cadres, "records.csv": records}
        for severity in ("errors", "warnings"):
            for i in out["report"][severity]:
                if i.get("file") not in GROUP_FILES:
                    continue  # the broadcast tables' own issues are reported once, by the driver
                src, row_values = None, None
                t = by_file[i["file"]]
                if i.get("row") and 2 <= i["row"] <= t.num_rows + 1:
                    at = i["row"] - 2  # the header is row 1
                    row = {c: t.column(c)[at].as_py() for c in t.column_names if c not in ("_seq", "_bucket", "_corrupt_record")}
                    src = row.pop("_file", None)
                    row_values = json.dumps(row, ensure_ascii=False)
                issues.append(dict(severity=severity[:-1], code=i["code"], table=i.get("table"), file=src or i["file"], column=i.get("column"), value=i.get("value"), message=i["message"], row_values=row_values))
        if issues:
            parts.append(_rows(len(issues), kind="issue", **{f: pa.array([x[f] for x in issues], pa.string()) for f in issues[0]}))
        parts.append(_rows(1, kind="latest", latest_date=pa.array([out["latest_date"]], pa.string()), n_rows=pa.array([n_read], pa.int64())))
        return pa.concat_tables(parts)

    return run


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


# ---------------------------------------------------------------- job


def run(spark, args: argparse.Namespace) -> dict:
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    if __name__ != "__main__":
        # Imported (tests, notebooks): ship this module's functions by value, so
        # executors need only the `zhichu` package, not this file.
        from pyspark import cloudpickle

        cloudpickle.register_pickle_by_value(sys.modules[__name__])
    t0 = time.time()
    timings = {}
    tables = _list_tables(spark, args.data, args.format)
    for need in ("dimensions", "courses", "cadres", "records", "units"):
        if need not in tables:
            raise SystemExit(f"no {need} table under {args.data} (files are named by table, as for the CLI: {need}.csv, {need}.parquet …)")
    frames = {t: _read(spark, kind, paths, args.encoding) for t, (kind, paths) in tables.items() if t not in IGNORED_TABLES}

    # Driver: the small tables, checked once by the engine, then broadcast.
    # Lines Spark could not split into the header's columns are reported, not loaded.
    malformed = []
    small = {}
    for t in zhichu.BROADCAST_TABLES:
        if t in frames:
            full = frames[t].orderBy("_seq").toArrow()
            bad, good = _split_corrupt(full)
            malformed += _malformed_issues(t, bad)
            small[t] = good.select(_data_cols(frames[t]))
    params = dict(minutes_per_hour=args.minutes_per_hour, saturation=args.saturation, half_life=args.half_life, completion_credit=args.completion_credit, coverage_years=args.coverage_years)
    driver_ctx = zhichu.BatchContext(small, params["minutes_per_hour"], params["saturation"], params["half_life"], params["completion_credit"])
    small_engine = driver_ctx.engine()
    small_report = small_engine.report
    dims = small_engine.summary()["dimensions"]
    units = small_engine.units()
    timings["read_small_s"] = round(time.time() - t0, 3)

    records, cadres = frames["records"], frames["cadres"]
    rec_cadre = _key("records", _data_cols(records), "cadre_id")
    rec_date = _key("records", _data_cols(records), "date")
    cad_cadre = _key("cadres", _data_cols(cadres), "cadre_id")
    buckets = args.buckets or max(2, 4 * spark.sparkContext.defaultParallelism)
    records = records.withColumn("_bucket", F.pmod(F.xxhash64(F.trim(F.col(f"`{rec_cadre}`"))), F.lit(buckets)))
    cadres = cadres.withColumn("_bucket", F.pmod(F.xxhash64(F.trim(F.col(f"`{cad_cadre}`"))), F.lit(buckets)))

    # The as-of date (default): the latest record the engine reads as a
    # plausible date; checked below against the latest *valid* record, which
    # is what the engine's default is (and the compliance year's).
    estimate = records.select(F.col(f"`{rec_date}`")).mapInArrow(_latest_fn(), "d string").agg(F.max("d")).collect()[0][0] or "2025-12-31"
    bc = spark.sparkContext.broadcast(small)

    def grouped(as_of_value, year):
        p = dict(params, as_of=as_of_value, year=year)
        fn = _group_fn(uuid.uuid4().hex, bc, p)
        return records.groupBy("_bucket").cogroup(cadres.groupBy("_bucket")).applyInArrow(fn, SPARK_OUT_DDL)

    def settle(latest):
        return (args.as_of or latest), (args.year if args.year is not None else int(latest[:4]))

    as_of, year = settle(estimate)
    out = grouped(as_of, year).persist()
    latest_row = out.filter(F.col("kind") == "latest").agg(F.max("latest_date"), F.sum("n_rows")).collect()[0]
    latest = latest_row[0] or estimate
    if settle(latest) != (as_of, year):
        # A later-dated record was refused by validation: redo with the engine's own default.
        out.unpersist()
        as_of, year = settle(latest)
        out = grouped(as_of, year).persist()
        latest_row = out.filter(F.col("kind") == "latest").agg(F.max("latest_date"), F.sum("n_rows")).collect()[0]
    timings["engine_s"] = round(time.time() - t0 - timings["read_small_s"], 3)

    # ---- reserves, percentiles and peer medians within rank (Spark)
    res = out.filter(F.col("kind") == "reserve").select("cadre_id", "unit_id", "rank", "dimension", "dim_index", "evidence", "reserve", "target", "gap", "covered")
    res = res.withColumn("r32", F.col("reserve").cast("float").cast("double"))
    grp = Window.partitionBy("rank", "dimension")
    res = (
        res.withColumn("_n", F.count(F.lit(1)).over(grp))
        .withColumn("_below", F.rank().over(grp.orderBy("r32")) - 1)
        .withColumn("_equal", F.count(F.lit(1)).over(Window.partitionBy("rank", "dimension", "r32")))
        .withColumn("percentile", (F.col("_below").cast("double") + F.lit(0.5) * F.col("_equal").cast("double")) / F.col("_n").cast("double") * F.lit(100.0))
    )
    ordered = res.select("rank", "dimension", "r32").withColumn("_i", F.row_number().over(grp.orderBy("r32"))).withColumn("_n", F.count(F.lit(1)).over(grp))
    medians = (
        ordered.filter(
            ((F.col("_n") % 2 == 1) & (F.col("_i") == (F.col("_n") + 1) / 2))
            | ((F.col("_n") % 2 == 0) & ((F.col("_i") == F.col("_n") / 2) | (F.col("_i") == F.col("_n") / 2 + 1)))
        )
        .groupBy("rank", "dimension")
        .agg(F.avg("r32").alias("peer_median"))
    )
    res = res.join(medians, ["rank", "dimension"], "left").drop("_n", "_below", "_equal").persist()
    res.select("cadre_id", "unit_id", "rank", "dimension", "dim_index", "evidence", "reserve", "target", "gap", "percentile", "peer_median").write.mode("overwrite").parquet(os.path.join(args.out, "reserves"))

    # ---- unit layout: sums over each unit's subtree (Spark)
    y = int(as_of[:4])
    if args.years:
        a, b = (int(x) for x in args.years.split("-"))
    else:
        a, b = y - 5 + 1, y
    anc_rows = []
    parent = {u["unit_id"]: u["parent_id"] for u in units}
    for u in parent:
        seen, cur = set(), u
        while cur is not None and cur not in seen:
            seen.add(cur)
            anc_rows.append((u, cur))
            cur = parent.get(cur)
    anc = spark.createDataFrame(anc_rows, "unit_id string, ancestor string")
    unit_df = spark.createDataFrame([(u["unit_id"], u["parent_id"]) for u in units], "ancestor string, parent_id string")
    dim_df = spark.createDataFrame([(d, i) for i, d in enumerate(dims)], "dimension string, dim_index int")
    per = res.join(anc, "unit_id").groupBy("ancestor", "dimension").agg(
        F.count(F.lit(1)).alias("cadres"),
        F.sum("r32").alias("_sum_r"),
        F.sum(F.col("covered").cast("int")).alias("_covered"),
        F.sum(F.when(F.col("target").isNotNull() & ((F.col("target") - F.col("r32")) > 0), 1).otherwise(0)).alias("cadres_short"),
        F.sum(F.when(F.col("target").isNotNull() & ((F.col("target") - F.col("r32")) > 0), F.col("target") - F.col("r32")).otherwise(F.lit(0.0))).alias("_shortfall"),
    )
    grid = unit_df.crossJoin(dim_df)
    lay = grid.join(per, ["ancestor", "dimension"], "left").fillna(0, ["cadres", "_sum_r", "_covered", "cadres_short", "_shortfall"])
    k = F.greatest(F.col("cadres"), F.lit(1)).cast("double")
    lay = (
        lay.withColumn("mean_reserve", F.when(F.col("cadres") == 0, F.lit(0.0)).otherwise(F.col("_sum_r") / F.col("cadres").cast("double")))
        .withColumn("coverage", F.col("_covered").cast("double") / k)
        .withColumn("mean_shortfall", F.col("_shortfall") / k)
    )
    city = res.groupBy("dimension").agg((F.sum("r32") / F.count(F.lit(1)).cast("double")).alias("_city"))
    parents = lay.select(F.col("ancestor").alias("parent_id"), "dimension", F.col("mean_reserve").alias("_parent_mean"))
    lay = lay.join(parents, ["parent_id", "dimension"], "left").join(city, "dimension", "left")
    lay = lay.withColumn("compare_mean_reserve", F.when(F.col("parent_id").isNull(), F.coalesce(F.col("_city"), F.lit(0.0))).otherwise(F.col("_parent_mean")))
    lay = lay.withColumn("compared_with", F.coalesce(F.col("parent_id"), F.lit("city")))
    wk = Window.partitionBy("ancestor").orderBy(F.col("mean_shortfall").desc(), F.col("dim_index").asc())
    lay = lay.withColumn("weak_rank", F.when(F.col("mean_shortfall") > 0, F.row_number().over(wk)))
    layout = lay.select(F.col("ancestor").alias("unit_id"), "dimension", "dim_index", "cadres", "mean_reserve", "compare_mean_reserve", "compared_with", "coverage", "cadres_short", "mean_shortfall", "weak_rank")
    layout.write.mode("overwrite").parquet(os.path.join(args.out, "layout"))
    hrs = out.filter((F.col("kind") == "hours") & F.col("year").between(a, b)).select("cadre_id", "dimension", "year", "hours")
    cadre_unit = res.filter(F.col("dim_index") == 0).select("cadre_id", "unit_id")
    layout_hours = hrs.join(cadre_unit, "cadre_id").join(anc, "unit_id").groupBy(F.col("ancestor").alias("unit_id"), "dimension", "year").agg(F.sum("hours").alias("hours"))
    layout_hours.write.mode("overwrite").parquet(os.path.join(args.out, "layout_hours"))

    # ---- compliance counts per unit subtree and rule (Spark), from the engine's per-cadre progress
    rules = out.filter(F.col("kind") == "rule").select("cadre_id", "rule_id", "met")
    per_cadre = cadre_unit.join(rules.groupBy("cadre_id").agg(F.min(F.col("met").cast("int")).alias("_all")), "cadre_id", "left").withColumn("_ok", F.coalesce(F.col("_all"), F.lit(1)))
    comp_all = per_cadre.join(anc, "unit_id").groupBy("ancestor").agg(F.count(F.lit(1)).alias("cadres"), F.sum("_ok").alias("compliant"))
    comp_rule = rules.join(cadre_unit, "cadre_id").join(anc, "unit_id").groupBy("ancestor", "rule_id").agg(F.count(F.lit(1)).alias("applicable"), F.sum(F.col("met").cast("int")).alias("met"))
    comp = comp_rule.join(comp_all, "ancestor", "full").select(F.col("ancestor").alias("unit_id"), "rule_id", "applicable", "met", "cadres", "compliant")
    comp.write.mode("overwrite").parquet(os.path.join(args.out, "compliance"))
    city_comp = per_cadre.agg(F.count(F.lit(1)).alias("cadres"), F.sum("_ok").alias("compliant")).collect()[0]

    # ---- the report: the small tables' issues (once), every group's, and lines Spark could not split
    issues = out.filter(F.col("kind") == "issue").select("severity", "code", "table", "file", "column", "value", "message", "row_values")
    small_issues = [dict(severity=sev[:-1], code=i["code"], table=i.get("table"), file=i.get("file"), column=i.get("column"), value=i.get("value"), message=i["message"], row_values=json.dumps({"row": i.get("row")}) if i.get("row") else None) for sev in ("errors", "warnings") for i in small_report[sev]]
    extra = malformed + small_issues
    all_issues = issues.unionByName(spark.createDataFrame(extra, issues.schema)) if extra else issues
    all_issues.write.mode("overwrite").parquet(os.path.join(args.out, "issues"))
    counts = {(r["severity"], r["code"]): r["n"] for r in issues.groupBy("severity", "code").agg(F.count(F.lit(1)).alias("n")).collect()}
    for i in malformed + small_issues:
        counts[(i["severity"], i["code"])] = counts.get((i["severity"], i["code"]), 0) + 1
    # A sample that shows every kind of error first (round robin over the codes).
    per_code = Window.partitionBy("code").orderBy("file", "row_values", "value")
    picked = issues.filter(F.col("severity") == "error").withColumn("_i", F.row_number().over(per_code)).filter(F.col("_i") <= args.sample)
    sample = [{k: v for k, v in r.asDict().items() if k != "_i"} for r in picked.orderBy("_i", "code").limit(args.sample).collect()]
    sample = ([i for i in malformed + small_issues if i["severity"] == "error"] + sample)[: args.sample]

    n_cadres = res.filter(F.col("dim_index") == 0).count()
    summary = {
        "as_of": as_of,
        "compliance_year": year,
        "layout_years": [a, b],
        "params": {"half_life_years": args.half_life, "completion_credit": args.completion_credit, "saturation": args.saturation, "minutes_per_hour": args.minutes_per_hour, "coverage_years": args.coverage_years},
        "tables": {t: {"format": kind, "paths": paths} for t, (kind, paths) in tables.items() if t not in IGNORED_TABLES},
        "ignored_tables": sorted(t for t in tables if t in IGNORED_TABLES),
        "cadres": n_cadres,
        "dimensions": dims,
        "units": len(units),
        "records_read": int(latest_row[1] or 0),
        "buckets": buckets,
        "compliance": {"cadres": city_comp["cadres"], "compliant": city_comp["compliant"]},
        "errors": sum(v for (s, _), v in counts.items() if s == "error"),
        "warnings": sum(v for (s, _), v in counts.items() if s == "warning"),
        "issues_by_code": {f"{s}:{c}": v for (s, c), v in sorted(counts.items())},
        "error_sample": sample,
    }
    timings["total_s"] = round(time.time() - t0, 3)
    summary["timings"] = timings
    out.unpersist()
    res.unpersist()
    _write_text(spark, os.path.join(args.out, "summary.json"), json.dumps(summary, ensure_ascii=False, indent=2))
    return summary


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
