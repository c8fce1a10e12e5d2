"""The Spark job in local mode (local[2]) against the CLI and the engine.

Every expected number comes from the engine: for every cadre and every unit
through the Python package (the same `Engine` methods the CLI calls; the
package's own tests check it equals `zhichu … --json`), and for a sample
directly from the CLI. Differences allowed: 1e-9 (Spark adds sums in another
order); the tests also print the largest difference found."""

import csv
import json
import shutil
from pathlib import Path

import pyarrow.parquet as pq
import pytest

import zhichu
import zhichu_spark

TOL = 1e-9


def summary_ignored():
    return zhichu_spark.IGNORED_TABLES


def _job(spark, data, out, *extra):
    args = zhichu_spark.parse_args(["--data", str(data), "--out", str(out), *extra])
    summary = zhichu_spark.run(spark, args)
    assert json.loads((Path(out) / "summary.json").read_text(encoding="utf-8")) == json.loads(json.dumps(summary, ensure_ascii=False))
    return summary


def _diff(a, b):
    if a is None or b is None:
        assert a is None and b is None, (a, b)
        return 0.0
    return abs(a - b)


def _check_reserves(ds, out_dir, label):
    got = pq.read_table(Path(out_dir) / "reserves").to_pylist()
    want = {(r["cadre_id"], r["dimension"]): r for r in ds.reserves().to_pylist()}
    assert len(got) == len(want) and {(r["cadre_id"], r["dimension"]) for r in got} == set(want)
    worst = {}
    for r in got:
        w = want[(r["cadre_id"], r["dimension"])]
        for k in ("evidence", "reserve", "target", "gap", "percentile", "peer_median"):
            d = _diff(r[k], w[k])
            worst[k] = max(worst.get(k, 0.0), d)
            assert d <= TOL, (label, r["cadre_id"], r["dimension"], k, r[k], w[k])
        assert (r["rank"], r["unit_id"], r["dim_index"]) == (w["rank"], w["unit_id"], w["dim_index"])
    print(f"\n[{label}] {len(got)} cadre × dimension rows; largest differences: {worst}")
    return {(r["cadre_id"], r["dimension"]): r for r in got}


def _check_layout(ds, out_dir, units, label):
    lay = {}
    for r in pq.read_table(Path(out_dir) / "layout").to_pylist():
        lay[(r["unit_id"], r["dimension"])] = r
    hours = {}
    for r in pq.read_table(Path(out_dir) / "layout_hours").to_pylist():
        hours[(r["unit_id"], r["dimension"], r["year"])] = r["hours"]
    worst = 0.0
    for u in units:
        want = ds.layout(u)
        weak = sorted((r for (uu, _), r in lay.items() if uu == u and r["weak_rank"] is not None), key=lambda r: r["weak_rank"])
        assert [r["dimension"] for r in weak] == want["weak_points"], u
        for d in want["dimensions"]:
            r = lay[(u, d["dimension"])]
            assert r["cadres"] == want["cadres"] and r["compared_with"] == want["compared_with"]
            assert r["cadres_short"] == d["cadres_short"], (u, d["dimension"])
            for k in ("mean_reserve", "compare_mean_reserve", "coverage", "mean_shortfall"):
                worst = max(worst, _diff(r[k], d[k]))
                assert _diff(r[k], d[k]) <= TOL, (label, u, d["dimension"], k, r[k], d[k])
            for y, h in zip(want["years"], d["hours_by_year"]):
                got = hours.get((u, d["dimension"], y), 0.0)
                worst = max(worst, abs(got - h))
                assert abs(got - h) <= TOL, (label, u, d["dimension"], y, got, h)
    print(f"[{label}] layout of {len(units)} units; largest difference: {worst}")


@pytest.fixture(scope="module")
def demo_run(spark, demo_dir, tmp_path_factory):
    out = tmp_path_factory.mktemp("spark_out")
    return _job(spark, demo_dir, out), out


def test_reserves_and_percentiles_equal_engine_and_cli(demo_run, demo_dir, cli):
    summary, out = demo_run
    ds = zhichu.load(demo_dir)
    assert summary["as_of"] == ds.summary()["as_of"]
    assert summary["cadres"] == ds.summary()["cadres"] and summary["errors"] == 0
    assert summary["records_read"] == ds.summary()["records"]
    got = _check_reserves(ds, out, "demo s, CSV")
    # Directly against the CLI for a sample of cadres.
    for cadre in ("C000001", "C000333", "C000777", "C001000"):
        p = cli("profile", "--data", str(demo_dir), "--cadre", cadre)
        for d in p["dimensions"]:
            r = got[(cadre, d["dimension"])]
            for k in ("reserve", "evidence", "percentile", "peer_median"):
                assert _diff(r[k], d[k]) <= TOL, (cadre, d["dimension"], k)


def test_layout_equals_engine_for_every_unit_and_cli(demo_run, demo_dir, cli):
    _, out = demo_run
    ds = zhichu.load(demo_dir)
    units = [u["unit_id"] for u in ds.units()]
    _check_layout(ds, out, units, "demo s, CSV")
    lay = {(r["unit_id"], r["dimension"]): r for r in pq.read_table(out / "layout").to_pylist()}
    for u in ("U001", "U021", units[-1]):
        want = cli("layout", "--data", str(demo_dir), "--unit", u)
        assert want == ds.layout(u)  # the engine answer the check above used is the CLI's
        for d in want["dimensions"]:
            assert _diff(lay[(u, d["dimension"])]["mean_reserve"], d["mean_reserve"]) <= TOL


def test_compliance_counts_equal_cli(demo_run, demo_dir, cli):
    summary, out = demo_run
    comp = pq.read_table(out / "compliance").to_pylist()
    city = cli("compliance", "--data", str(demo_dir))
    assert (summary["compliance"]["cadres"], summary["compliance"]["compliant"]) == (city["cadres"], city["compliant"])
    assert summary["compliance_year"] == city["year"]
    ds = zhichu.load(demo_dir)
    for u in ("U001", "U021", "U060"):
        want = ds.compliance(u)
        rows = [r for r in comp if r["unit_id"] == u]
        assert {r["cadres"] for r in rows} == {want["cadres"]} and {r["compliant"] for r in rows} == {want["compliant"]}
        by_rule = {r["rule_id"]: (r["applicable"], r["met"]) for r in rows if r["rule_id"]}
        assert by_rule == {r["rule_id"]: (r["applicable"], r["met"]) for r in want["by_rule"] if r["applicable"]}


def test_malformed_rows_reported_and_rest_equal_cli(spark, demo_dir_zh, tmp_path, cli):
    """Chinese headers and file names; broken rows in records and cadres, and
    a line Spark cannot split. The job reports each (count and sample) and
    gives every other row the CLI's numbers; it never drops a row silently."""
    d = tmp_path / "bad"
    shutil.copytree(demo_dir_zh, d)
    rec = (d / "培训记录.csv").read_text(encoding="utf-8-sig").splitlines()
    head = rec[0].split(",")
    date_col, score_col = head.index("日期"), head.index("成绩")

    def edit(i, col, value):
        cells = rec[i].split(",")
        cells[col] = value
        rec[i] = ",".join(cells)

    edit(5, date_col, "2024-13-45")  # impossible date
    edit(9, 0, "C999999")  # unknown cadre
    edit(20, score_col, "九十")  # not a number
    (d / "培训记录.csv").write_text("\n".join(rec) + "\n", encoding="utf-8")
    cad = (d / "干部.csv").read_text(encoding="utf-8-sig").splitlines()
    cad[3] = cad[3].split(",")[0] + ",,U021,乡科级,,"  # no name (required)
    (d / "干部.csv").write_text("\n".join(cad) + "\n", encoding="utf-8")

    v = cli("validate", "--data", str(d))
    # The job does not read ratings (no reserve depends on them): compare the rest.
    assert "ratings" in summary_ignored()
    v["errors"] = [e for e in v["errors"] if e.get("table") != "ratings"]
    assert len(v["errors"]) >= 4
    out = tmp_path / "out"
    summary = _job(spark, d, out, "--as-of", "2025-06-30")
    # Every error the CLI reports, the job reports (same codes, same counts).
    want_codes = {}
    for e in v["errors"]:
        want_codes[f"error:{e['code']}"] = want_codes.get(f"error:{e['code']}", 0) + 1
    got_codes = {k: n for k, n in summary["issues_by_code"].items() if k.startswith("error:")}
    assert got_codes == want_codes
    assert summary["errors"] == len(v["errors"])
    assert 0 < len(summary["error_sample"]) <= 20
    # The sample shows every kind of error; the issues table holds every row with its values.
    assert {i["code"] for i in summary["error_sample"]} == {e["code"] for e in v["errors"]}
    issues = pq.read_table(out / "issues").to_pylist()
    every = " ".join(json.dumps(i, ensure_ascii=False) for i in issues)
    for needle in ("2024-13-45", "C999999", "九十"):
        assert needle in every
    assert sum(1 for i in issues if i["severity"] == "error") == len(v["errors"])
    # The rest: the CLI's numbers.
    ds = zhichu.load(d)
    assert [e for e in ds.report["errors"] if e.get("table") != "ratings"] == v["errors"]
    ds_at = zhichu.load(d)
    want = {(r["cadre_id"], r["dimension"]): r for r in ds_at.reserves(as_of="2025-06-30").to_pylist()}
    got = pq.read_table(out / "reserves").to_pylist()
    assert len(got) == len(want)
    for r in got:
        w = want[(r["cadre_id"], r["dimension"])]
        for k in ("reserve", "percentile", "peer_median"):
            assert _diff(r[k], w[k]) <= TOL
    p = cli("profile", "--data", str(d), "--cadre", "C000002", "--as-of", "2025-06-30")
    for dd in p["dimensions"]:
        r = next(x for x in got if x["cadre_id"] == "C000002" and x["dimension"] == dd["dimension"])
        assert _diff(r["reserve"], dd["reserve"]) <= TOL and _diff(r["percentile"], dd["percentile"]) <= TOL


def test_unsplittable_line_is_reported(spark, demo_dir, tmp_path):
    """A line Spark's CSV reader cannot split (more cells than the header) is
    reported as malformed_line, not dropped silently."""
    d = tmp_path / "split"
    shutil.copytree(demo_dir, d)
    rec = (d / "records.csv").read_text(encoding="utf-8-sig").splitlines()
    rec[7] = rec[7] + ",extra,cells"
    (d / "records.csv").write_text("\n".join(rec) + "\n", encoding="utf-8")
    summary = _job(spark, d, tmp_path / "out")
    assert summary["issues_by_code"].get("error:malformed_line") == 1, summary["issues_by_code"]
    assert any(i["code"] == "malformed_line" and "extra,cells" in (i["value"] or "") for i in summary["error_sample"])


@pytest.mark.parametrize("sep", [";", "\t"])
def test_semicolon_and_tab_separated_files(spark, demo_dir, tmp_path, sep):
    """Files exported with `;` (European Excel) or tabs: the delimiter is told
    from the header line as the engine tells it, and the numbers are the CSV's."""
    d = tmp_path / "sep"
    d.mkdir()
    for f in demo_dir.iterdir():
        with open(f, encoding="utf-8-sig", newline="") as src, open(d / f.name, "w", encoding="utf-8", newline="") as dst:
            # Cells holding the delimiter (teachers' 专长 `形势政策;党性修养`) are quoted.
            csv.writer(dst, delimiter=sep).writerows(csv.reader(src))
    out = tmp_path / "out"
    summary = _job(spark, d, out)
    assert summary["errors"] == 0, summary["error_sample"]
    ds = zhichu.load(demo_dir)
    assert summary["as_of"] == ds.summary()["as_of"]
    _check_reserves(ds, out, f"demo s, delimiter {sep!r}")


def test_parquet_written_by_the_cli(spark, demo_dir, tmp_path, cli_bin):
    """The city as `zhichu demo --format parquet` writes it (polars: dates and
    numbers typed, text as large strings): the job reads the CLI's own Parquet
    and gives the engine's numbers."""
    import subprocess

    d = tmp_path / "cli_parquet"
    subprocess.run([cli_bin, "demo", "--scale", "s", "--headers", "en", "--format", "parquet", "--out", str(d)], check=True, capture_output=True)
    types = {f.name: f.type for f in pq.read_schema(d / "records.parquet")}
    assert str(types["date"]).startswith("date") and str(types["hours"]) in ("int64", "double"), types
    out = tmp_path / "out"
    summary = _job(spark, d, out)
    assert summary["tables"]["records"]["format"] == "parquet" and summary["errors"] == 0, summary
    ds = zhichu.load(demo_dir)
    assert summary["as_of"] == ds.summary()["as_of"]
    _check_reserves(ds, out, "demo s, the CLI's Parquet")


def test_parquet_input_with_typed_columns(spark, demo_dir, tmp_path):
    """The same city as Parquet with typed columns (dates, numbers, booleans),
    as a data platform stores it: the job gives the engine's numbers for the CSV files."""
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.csv as pcsv

    d = tmp_path / "parquet"
    d.mkdir()
    for f in demo_dir.iterdir():
        t = pcsv.read_csv(f, convert_options=pcsv.ConvertOptions(strings_can_be_null=True))
        t = t.rename_columns([c.lstrip("\ufeff") for c in t.column_names])
        t = zhichu.as_string_table(t)
        if f.stem == "records":
            cols = {c: t.column(c) for c in t.column_names}
            cols["date"] = pc.strptime(cols["date"], format="%Y-%m-%d", unit="s").cast(pa.date32())
            for c in ("hours", "score"):
                cols[c] = pc.cast(cols[c], pa.float64())
            cols["completed"] = pc.equal(cols["completed"], "是")
            t = pa.table(cols)
            assert t.schema.field("date").type == pa.date32() and t.schema.field("completed").type == pa.bool_()
        pq.write_table(t, d / f"{f.stem}.parquet")
    out = tmp_path / "out"
    summary = _job(spark, d, out)
    assert summary["tables"]["records"]["format"] == "parquet" and summary["errors"] == 0
    ds = zhichu.load(demo_dir)
    assert summary["as_of"] == ds.summary()["as_of"]
    _check_reserves(ds, out, "demo s, Parquet")
