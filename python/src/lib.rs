//! `zhichu._zhichu`: the Python binding of the engine. Thin: files or Arrow
//! tables in, `zhichu::Engine` asked, JSON text (what the CLI prints with
//! `--json`) or Arrow record batches out. The Python layer (`zhichu/__init__.py`)
//! gives it its friendly shape.

use arrow_array::builder::StringBuilder;
use arrow_array::{
    Array, ArrayRef, BooleanArray, Float64Array, Int32Array, Int64Array, LargeStringArray, RecordBatch, StringArray, StringViewArray, UInt32Array,
};
use arrow_pyarrow::PyArrowType;
use arrow_schema::{DataType, Field, Schema};
use pyo3::create_exception;
use pyo3::exceptions::{PyException, PyValueError};
use pyo3::prelude::*;
use pyo3::types::PyDict;
use std::path::PathBuf;
use std::sync::Arc;
use zhichu::Engine;
use zhichu::analytics::Model;
use zhichu::analytics::{layout, snapshot};
use zhichu::engine::batch::{Batch, BatchRequest};
use zhichu::engine::questions::Question;
use zhichu::ingest::{LoadOptions, SourceFile, Table};

create_exception!(
    _zhichu,
    ZhichuError,
    PyException,
    "An engine error: args are (code, message); code is stable (not_found, bad_argument, bad_data, no_data …)."
);

fn err(e: zhichu::Error) -> PyErr {
    ZhichuError::new_err((e.code.as_str().to_string(), e.message))
}

fn json<T: serde::Serialize>(v: &T) -> PyResult<String> {
    serde_json::to_string(v).map_err(|e| PyValueError::new_err(e.to_string()))
}

fn request<T: serde::de::DeserializeOwned>(what: &str, text: &str) -> PyResult<T> {
    serde_json::from_str(text).map_err(|e| ZhichuError::new_err(("bad_argument".to_string(), format!("{what}: {e}"))))
}

/// Files as the CLI's `--data` names them (`ingest::data_files`; what else a
/// folder holds is passed over, as the CLI does, without its note on stderr).
fn read_inputs(paths: &[PathBuf]) -> PyResult<Vec<(String, PathBuf)>> {
    zhichu::ingest::data_files(paths, &mut |_| {}).map_err(err)
}

/// Load options, the engine's defaults where `None`, checked as the engine checks them.
fn options(minutes_per_hour: Option<f64>, saturation: Option<f64>) -> PyResult<LoadOptions> {
    let d = LoadOptions::default();
    let o = LoadOptions {
        minutes_per_hour: minutes_per_hour.unwrap_or(d.minutes_per_hour),
        default_saturation_hours: saturation.unwrap_or(d.default_saturation_hours),
    };
    o.check().map_err(err)?;
    Ok(o)
}

/// The reserve model, the engine's defaults where `None`, checked as the engine checks it.
fn model(half_life_years: Option<f64>, completion_credit: Option<f64>) -> PyResult<Model> {
    let d = Model::default();
    let m = Model { half_life_years: half_life_years.unwrap_or(d.half_life_years), completion_credit: completion_credit.unwrap_or(d.completion_credit) };
    m.check().map_err(err)?;
    Ok(m)
}

/// A loaded dataset: the engine and its caches. Usable from any thread
/// (`ThreadPoolExecutor.map(ds.profile, ids)`): one question at a time holds
/// the engine, taken with the GIL released, so threads wait on each other
/// and never on Python.
#[pyclass(frozen, name = "Engine", module = "zhichu._zhichu")]
struct Engine_ {
    e: std::sync::Mutex<Engine>,
}

impl Engine_ {
    fn new(e: Engine) -> Engine_ {
        Engine_ { e: std::sync::Mutex::new(e) }
    }

    /// Runs `f` on the engine with the GIL released. A question that
    /// panicked (a bug) leaves the engine as it was: the lock is taken back.
    fn with<T: Send>(&self, py: Python<'_>, f: impl FnOnce(&mut Engine) -> PyResult<T> + Send) -> PyResult<T> {
        py.detach(|| f(&mut self.e.lock().unwrap_or_else(|p| p.into_inner())))
    }
}

#[pymethods]
impl Engine_ {
    /// Sets the reserve model (half-life in years, completion credit; `None`: the engine's default).
    #[pyo3(signature = (half_life_years=None, completion_credit=None))]
    fn set_model(&self, py: Python<'_>, half_life_years: Option<f64>, completion_credit: Option<f64>) -> PyResult<()> {
        let m = model(half_life_years, completion_credit)?;
        self.with(py, |e| e.set_model(m).map_err(err))
    }

    /// Asks the engine one question; `request` and the answer are JSON text.
    fn ask(&self, py: Python<'_>, method: &str, request_json: &str) -> PyResult<String> {
        self.with(py, |e| ask(e, method, request_json))
    }

    /// Every cadre × dimension (and the other batch outputs) as Arrow record batches.
    #[pyo3(signature = (request_json))]
    fn batch(&self, py: Python<'_>, request_json: &str) -> PyResult<BatchOut> {
        let req: BatchRequest = batch_request(request_json)?;
        let b = self.with(py, |e| e.batch(&req).map_err(err))?;
        BatchOut::of(b, req.percentiles)
    }
}

/// The layout's years for `as_of` (YYYY-MM-DD): `years` (FIRST-LAST) as the
/// engine reads it, or by default the policy's years up to the as-of year.
#[pyfunction]
#[pyo3(signature = (as_of, years=None))]
fn layout_years(as_of: &str, years: Option<&str>) -> PyResult<(i32, i32)> {
    match years.map(str::trim).filter(|s| !s.is_empty()) {
        Some(s) => zhichu::engine::parse_years(s).map_err(err),
        None => {
            let day = zhichu::model::date::parse(as_of).ok_or_else(|| err(zhichu::Error::bad_argument(format!("as_of：无法识别的日期「{as_of}」"))))?;
            Ok(layout::default_years(zhichu::model::date::year(day)))
        }
    }
}

/// One of the engine's questions (`zhichu::engine::questions`: the one list), its request as JSON text.
fn ask(e: &mut Engine, method: &str, request_json: &str) -> PyResult<String> {
    let request: serde_json::Value = if request_json.trim().is_empty() {
        serde_json::Value::Null
    } else {
        serde_json::from_str(request_json).map_err(|x| err(zhichu::Error::bad_argument(format!("request is not JSON: {x}"))))?
    };
    let answer = e.ask(Question::parse(method, request).map_err(err)?).map_err(err)?;
    json(&answer)
}

fn batch_request(text: &str) -> PyResult<BatchRequest> {
    request("batch", text)
}

/// The batch's tables as pyarrow record batches.
#[pyclass(module = "zhichu._zhichu")]
struct BatchOut {
    #[pyo3(get)]
    as_of: String,
    #[pyo3(get)]
    latest_date: Option<String>,
    reserves: Option<RecordBatch>,
    hours: Option<RecordBatch>,
    contributions: Option<RecordBatch>,
    rules: Option<RecordBatch>,
    compliant: Option<RecordBatch>,
    #[pyo3(get)]
    report_json: Option<String>,
}

fn str_col(v: Vec<String>) -> ArrayRef {
    Arc::new(StringArray::from(v))
}
/// A string column from positions into a small list of names (no string per row).
fn str_at<'a>(names: impl Fn(usize) -> &'a str, at: &[u32]) -> ArrayRef {
    let bytes: usize = at.iter().map(|&i| names(i as usize).len()).sum();
    let mut b = StringBuilder::with_capacity(at.len(), bytes);
    for &i in at {
        b.append_value(names(i as usize));
    }
    Arc::new(b.finish())
}
fn f64_col(v: Vec<f64>) -> ArrayRef {
    Arc::new(Float64Array::from(v))
}
fn batch_of(fields: Vec<(&str, DataType, bool, ArrayRef)>) -> PyResult<RecordBatch> {
    let schema = Schema::new(fields.iter().map(|(n, t, null, _)| Field::new(*n, t.clone(), *null)).collect::<Vec<_>>());
    RecordBatch::try_new(Arc::new(schema), fields.into_iter().map(|f| f.3).collect()).map_err(|e| PyValueError::new_err(e.to_string()))
}

impl BatchOut {
    fn of(b: Batch, percentiles: bool) -> PyResult<BatchOut> {
        use DataType::*;
        let (cadres, dims) = (&b.cadres, &b.dimensions);
        let cid = |i: usize| cadres[i].cadre_id.as_str();
        let dim = |i: usize| dims[i].as_str();
        let r = b.reserves;
        let mut cols = vec![
            ("cadre_id", Utf8, false, str_at(cid, &r.cadre)),
            ("unit_id", Utf8, false, str_at(|i| cadres[i].unit_id.as_str(), &r.cadre)),
            ("rank", Utf8, false, str_at(|i| cadres[i].rank.as_str(), &r.cadre)),
            ("dimension", Utf8, false, str_at(dim, &r.dim_index)),
            ("dim_index", UInt32, false, Arc::new(UInt32Array::from(r.dim_index)) as ArrayRef),
            ("evidence", Float64, false, f64_col(r.evidence)),
            ("reserve", Float64, false, f64_col(r.reserve)),
            ("target", Float64, true, Arc::new(Float64Array::from(r.target)) as ArrayRef),
            ("gap", Float64, true, Arc::new(Float64Array::from(r.gap)) as ArrayRef),
            ("covered", Boolean, false, Arc::new(BooleanArray::from(r.covered)) as ArrayRef),
            ("snapshot_reserve", Float64, false, f64_col(r.snapshot_reserve)),
            ("shortfall", Float64, true, Arc::new(Float64Array::from(r.shortfall)) as ArrayRef),
        ];
        if percentiles {
            cols.push(("percentile", Float64, false, f64_col(r.percentile)));
            cols.push(("peer_median", Float64, true, Arc::new(Float64Array::from(r.peer_median)) as ArrayRef));
        }
        let reserves = batch_of(cols)?;
        let h = b.hours;
        let hours = batch_of(vec![
            ("cadre_id", Utf8, false, str_at(cid, &h.cadre)),
            ("dimension", Utf8, false, str_at(dim, &h.dim_index)),
            ("year", Int32, false, Arc::new(Int32Array::from(h.year)) as ArrayRef),
            ("hours", Float64, false, f64_col(h.hours)),
        ])?;
        let contributions = match b.contributions {
            Some(k) => Some(batch_of(vec![
                ("cadre_id", Utf8, false, str_at(cid, &k.cadre)),
                ("course_id", Utf8, false, str_col(k.course_id)),
                ("date", Utf8, false, str_col(k.date)),
                ("dimension", Utf8, false, str_at(dim, &k.dim_index)),
                ("hours", Float64, false, f64_col(k.hours)),
                ("credit", Float64, false, f64_col(k.credit)),
                ("decay", Float64, false, f64_col(k.decay)),
                ("weight", Float64, false, f64_col(k.weight)),
                ("contribution", Float64, false, f64_col(k.contribution)),
            ])?),
            None => None,
        };
        let compliant = match &b.rules {
            Some(k) => Some(batch_of(vec![
                ("cadre_id", Utf8, false, str_at(cid, &(0..cadres.len() as u32).collect::<Vec<_>>())),
                ("unit_id", Utf8, false, str_col(cadres.iter().map(|c| c.unit_id.clone()).collect())),
                ("compliant", Boolean, false, Arc::new(BooleanArray::from(k.compliant.clone())) as ArrayRef),
            ])?),
            None => None,
        };
        let rules = match b.rules {
            Some(k) => Some(batch_of(vec![
                ("cadre_id", Utf8, false, str_at(cid, &k.cadre)),
                ("rule_id", Utf8, false, str_col(k.rule_id)),
                ("met", Boolean, false, Arc::new(BooleanArray::from(k.met)) as ArrayRef),
                ("earned_hours", Float64, false, f64_col(k.earned_hours)),
                ("required_hours", Float64, false, f64_col(k.required_hours)),
            ])?),
            None => None,
        };
        Ok(BatchOut {
            as_of: b.as_of,
            latest_date: b.latest_date,
            reserves: Some(reserves),
            hours: Some(hours),
            contributions,
            rules,
            compliant,
            report_json: None,
        })
    }
}

#[pymethods]
impl BatchOut {
    /// Per cadre × dimension: cadre_id, unit_id, rank, dimension, dim_index, evidence, reserve, target, gap, covered (+ percentile, peer_median).
    fn reserves(&mut self) -> Option<PyArrowType<RecordBatch>> {
        self.reserves.take().map(PyArrowType)
    }
    /// 学时 per cadre × dimension × year (completed records).
    fn hours(&mut self) -> Option<PyArrowType<RecordBatch>> {
        self.hours.take().map(PyArrowType)
    }
    /// Per cadre × 学时 rule that applies (when a compliance year is given).
    fn rules(&mut self) -> Option<PyArrowType<RecordBatch>> {
        self.rules.take().map(PyArrowType)
    }
    /// Per cadre: cadre_id, unit_id, compliant (meets every rule that applies; when a compliance year is given).
    fn compliant(&mut self) -> Option<PyArrowType<RecordBatch>> {
        self.compliant.take().map(PyArrowType)
    }
    /// Per record × dimension (when asked for).
    fn contributions(&mut self) -> Option<PyArrowType<RecordBatch>> {
        self.contributions.take().map(PyArrowType)
    }
}

#[pyfunction]
#[pyo3(signature = (paths, minutes_per_hour=None, saturation=None))]
fn load(py: Python<'_>, paths: Vec<PathBuf>, minutes_per_hour: Option<f64>, saturation: Option<f64>) -> PyResult<Engine_> {
    let files = read_inputs(&paths)?;
    let opts = options(minutes_per_hour, saturation)?;
    // As the CLI loads: from disk, big CSV files block by block, on every core.
    let e = py.detach(|| Engine::load_paths(&files, &opts, &mut |_| {})).map_err(err)?;
    Ok(Engine_::new(e))
}

#[pyfunction]
fn demo(scale: &str) -> PyResult<Engine_> {
    Ok(Engine_::new(Engine::demo(scale).map_err(err)?))
}

/// The string cells of a column (any Arrow string type; nulls as empty).
enum Strs<'a> {
    S(&'a StringArray),
    L(&'a LargeStringArray),
    V(&'a StringViewArray),
}
impl Strs<'_> {
    fn get(&self, i: usize) -> &str {
        match self {
            Strs::S(a) => {
                if a.is_null(i) {
                    ""
                } else {
                    a.value(i)
                }
            }
            Strs::L(a) => {
                if a.is_null(i) {
                    ""
                } else {
                    a.value(i)
                }
            }
            Strs::V(a) => {
                if a.is_null(i) {
                    ""
                } else {
                    a.value(i)
                }
            }
        }
    }
}

/// An Arrow table (string columns; the Python layer casts others) as the CSV
/// text the engine reads, named `<table>.csv` so the engine knows the table.
fn csv_file(table: &str, batches: &[RecordBatch], schema: &Schema) -> PyResult<SourceFile> {
    let mut w = csv::WriterBuilder::new().flexible(false).from_writer(Vec::new());
    let header: Vec<&str> = schema.fields().iter().map(|f| f.name().as_str()).collect();
    w.write_record(&header).map_err(|e| PyValueError::new_err(e.to_string()))?;
    for b in batches {
        let cols: Vec<Strs> = b
            .columns()
            .iter()
            .map(|c| strings(c).ok_or_else(|| PyValueError::new_err(format!("{table}: every column must be strings (got {})", c.data_type()))))
            .collect::<PyResult<_>>()?;
        let mut row: Vec<&str> = Vec::with_capacity(header.len());
        for i in 0..b.num_rows() {
            row.clear();
            row.extend(cols.iter().map(|c| c.get(i)));
            w.write_record(&row).map_err(|e| PyValueError::new_err(e.to_string()))?;
        }
    }
    let bytes = w.into_inner().map_err(|e| PyValueError::new_err(e.to_string()))?;
    Ok(SourceFile { name: format!("{table}.csv"), bytes })
}

type PyTables = Vec<(String, PyArrowType<arrow_pyarrow::Table>)>;

fn tables_to_files(tables: PyTables) -> PyResult<Vec<SourceFile>> {
    let mut files = Vec::new();
    for (name, t) in tables {
        let table = Table::from_name(&name).ok_or_else(|| PyValueError::new_err(format!("'{name}' names no table")))?;
        let (batches, schema) = t.0.into_inner();
        files.push(csv_file(table.name(), &batches, &schema)?);
    }
    Ok(files)
}

/// The small tables every group of cadres needs (units, dimensions, teachers,
/// courses, classes, requirements), kept as the engine's input text, and the
/// engine's settings. `run` loads them with one group's cadres and records.
#[pyclass(module = "zhichu._zhichu")]
struct BatchContext {
    files: Vec<SourceFile>,
    opts: LoadOptions,
    model: Model,
    /// One thread: Spark already runs a Python worker per core, each with its
    /// own groups; the engine's parallel loops would only oversubscribe them.
    pool: rayon::ThreadPool,
}

#[pymethods]
impl BatchContext {
    #[new]
    #[pyo3(signature = (tables, minutes_per_hour=None, saturation=None, half_life_years=None, completion_credit=None))]
    fn new(
        tables: PyTables,
        minutes_per_hour: Option<f64>,
        saturation: Option<f64>,
        half_life_years: Option<f64>,
        completion_credit: Option<f64>,
    ) -> PyResult<BatchContext> {
        // Checked once here, as the engine checks them.
        let model = model(half_life_years, completion_credit)?;
        let opts = options(minutes_per_hour, saturation)?;
        let pool = rayon::ThreadPoolBuilder::new().num_threads(1).build().map_err(|e| PyValueError::new_err(e.to_string()))?;
        Ok(BatchContext { files: tables_to_files(tables)?, opts, model, pool })
    }

    /// Loads the broadcast tables alone (for their validation report and the units).
    fn engine(&self, py: Python<'_>) -> PyResult<Engine_> {
        let files = self.files.clone();
        let mut e = py.detach(|| self.pool.install(|| Engine::load(&files, &self.opts, &mut |_| {}))).map_err(err)?;
        e.set_model(self.model).map_err(err)?;
        Ok(Engine_::new(e))
    }

    /// One group: its tables (cadres and records) with the broadcast ones
    /// through the engine's ingest, then the batch question. The validation
    /// report is on the result (`report_json`).
    #[pyo3(signature = (tables, request_json))]
    fn run(&self, py: Python<'_>, tables: PyTables, request_json: &str) -> PyResult<BatchOut> {
        let req = batch_request(request_json)?;
        let mut files = self.files.clone();
        files.extend(tables_to_files(tables)?);
        let (model, opts) = (self.model, &self.opts);
        let (b, report) = py
            .detach(|| {
                self.pool.install(|| -> zhichu::error::Result<(Batch, String)> {
                    let mut e = Engine::load(&files, opts, &mut |_| {})?;
                    e.set_model(model)?;
                    let b = e.batch(&req)?;
                    Ok((b, serde_json::to_string(e.report()).expect("serialisable")))
                })
            })
            .map_err(err)?;
        let mut out = BatchOut::of(b, req.percentiles)?;
        out.report_json = Some(report);
        Ok(out)
    }
}

/// The engine's defaults of the settings the bindings take (`None` means these).
fn defaults(py: Python<'_>) -> PyResult<Bound<'_, PyDict>> {
    let (o, m, b) = (LoadOptions::default(), Model::default(), BatchRequest::default());
    let d = PyDict::new(py);
    d.set_item("minutes_per_hour", o.minutes_per_hour)?;
    d.set_item("saturation", o.default_saturation_hours)?;
    d.set_item("half_life_years", m.half_life_years)?;
    d.set_item("completion_credit", m.completion_credit)?;
    d.set_item("coverage_years", b.coverage_years)?;
    d.set_item("layout_years", zhichu::policy::LAYOUT_YEARS)?;
    // The as-of date when no record gives one (what an empty dataset's engine takes).
    d.set_item("fallback_as_of", zhichu::model::date::format(Engine::new(Default::default()).default_as_of()))?;
    Ok(d)
}

/// The ranges (min, max) the engine checks those settings against.
fn ranges(py: Python<'_>) -> PyResult<Bound<'_, PyDict>> {
    use zhichu::policy::*;
    let d = PyDict::new(py);
    for (k, r) in [
        ("minutes_per_hour", MINUTES_PER_HOUR_RANGE),
        ("saturation", SATURATION_HOURS_RANGE),
        ("half_life_years", HALF_LIFE_YEARS_RANGE),
        ("completion_credit", COMPLETION_CREDIT_RANGE),
        ("coverage_years", WINDOW_YEARS_RANGE),
    ] {
        d.set_item(k, (r.min, r.max))?;
    }
    Ok(d)
}

fn column<'a>(b: &'a RecordBatch, name: &str) -> PyResult<&'a ArrayRef> {
    b.column_by_name(name).ok_or_else(|| PyValueError::new_err(format!("no column {name}")))
}

/// Column `name` of `b` as f64 values (a float or integer column; nulls as 0).
fn f64s(b: &RecordBatch, name: &str) -> PyResult<Vec<f64>> {
    let c = column(b, name)?;
    let a = c.as_any();
    let get = |i: usize| -> Option<f64> {
        if c.is_null(i) {
            Some(0.0)
        } else if let Some(x) = a.downcast_ref::<Float64Array>() {
            Some(x.value(i))
        } else if let Some(x) = a.downcast_ref::<Int64Array>() {
            Some(x.value(i) as f64)
        } else if let Some(x) = a.downcast_ref::<Int32Array>() {
            Some(x.value(i) as f64)
        } else {
            a.downcast_ref::<UInt32Array>().map(|x| x.value(i) as f64)
        }
    };
    (0..c.len()).map(|i| get(i).ok_or_else(|| PyValueError::new_err(format!("{name}: a number column expected (got {})", c.data_type())))).collect()
}

/// Column `name` of `b` as strings (nulls as `None`).
fn strs(b: &RecordBatch, name: &str) -> PyResult<Vec<Option<String>>> {
    let c = column(b, name)?;
    let s = strings(c).ok_or_else(|| PyValueError::new_err(format!("{name}: a string column expected (got {})", c.data_type())))?;
    Ok((0..c.len()).map(|i| (!c.is_null(i)).then(|| s.get(i).to_string())).collect())
}

/// A string column of any Arrow string type.
fn strings(c: &ArrayRef) -> Option<Strs<'_>> {
    let a = c.as_any();
    if let Some(s) = a.downcast_ref::<StringArray>() {
        Some(Strs::S(s))
    } else if let Some(s) = a.downcast_ref::<LargeStringArray>() {
        Some(Strs::L(s))
    } else {
        a.downcast_ref::<StringViewArray>().map(Strs::V)
    }
}

/// One group of peers (one rank, one dimension: all its cadres), column
/// `reserve`: each one's percentile and the group's median, as the engine's
/// snapshot gives them (`snapshot::peer_stats`). Returns (percentiles as a
/// record batch with one column `percentile`, median).
#[pyfunction]
fn peer_stats(group: PyArrowType<RecordBatch>) -> PyResult<(PyArrowType<RecordBatch>, Option<f64>)> {
    let (p, median) = snapshot::peer_stats(&f64s(&group.0, "reserve")?);
    Ok((PyArrowType(batch_of(vec![("percentile", DataType::Float64, false, f64_col(p))])?), median))
}

/// The unit layout's numbers from sums (`layout::dim_numbers`, `weak_order`,
/// `compared_with`): `sums` has a row per unit × dimension (unit_id,
/// parent_id, dim_index, cadres, reserve, covered, short, shortfall: the
/// counts and sums over the unit's subtree), `city` a row per dimension
/// (dim_index, cadres, reserve). A unit is compared with its parent's row, a
/// top unit with the city. Returns per unit × dimension: unit_id, dim_index,
/// cadres, mean_reserve, compare_mean_reserve, compared_with, coverage,
/// cadres_short, mean_shortfall, weak_rank (1 = weakest; null without a shortfall).
#[pyfunction]
fn layout_numbers(sums: PyArrowType<RecordBatch>, city: PyArrowType<RecordBatch>) -> PyResult<PyArrowType<RecordBatch>> {
    use std::collections::HashMap;
    let (s, c) = (&sums.0, &city.0);
    let (unit, parent) = (strs(s, "unit_id")?, strs(s, "parent_id")?);
    let dim: Vec<usize> = f64s(s, "dim_index")?.into_iter().map(|d| d as usize).collect();
    let (cadres, reserve, covered, short, shortfall) = (f64s(s, "cadres")?, f64s(s, "reserve")?, f64s(s, "covered")?, f64s(s, "short")?, f64s(s, "shortfall")?);
    let row = |i: usize| layout::DimSums {
        cadres: cadres[i] as usize,
        reserve: reserve[i],
        covered: covered[i] as usize,
        short: short[i] as usize,
        shortfall: shortfall[i],
    };
    let n_dims = dim.iter().map(|d| d + 1).max().unwrap_or(0);
    let mut city_sums = vec![layout::DimSums::default(); n_dims];
    let (c_dim, c_cadres, c_reserve) = (f64s(c, "dim_index")?, f64s(c, "cadres")?, f64s(c, "reserve")?);
    for i in 0..c_dim.len() {
        if let Some(x) = city_sums.get_mut(c_dim[i] as usize) {
            *x = layout::DimSums { cadres: c_cadres[i] as usize, reserve: c_reserve[i], ..Default::default() };
        }
    }
    let mut by_unit: HashMap<&str, Vec<layout::DimSums>> = HashMap::new();
    for i in 0..dim.len() {
        let u = unit[i].as_deref().unwrap_or_default();
        by_unit.entry(u).or_insert_with(|| vec![layout::DimSums::default(); n_dims])[dim[i]] = row(i);
    }
    let numbers: Vec<layout::DimNumbers> = (0..dim.len())
        .map(|i| {
            let compare = match parent[i].as_deref() {
                Some(p) => by_unit.get(p).map(|v| v[dim[i]]).unwrap_or_default(),
                None => city_sums[dim[i]],
            };
            layout::dim_numbers(&row(i), &compare)
        })
        .collect();
    // The weak points of each unit: its dimensions' mean shortfalls, in taxonomy order.
    let mut shortfalls: HashMap<&str, Vec<f64>> = HashMap::new();
    for i in 0..dim.len() {
        shortfalls.entry(unit[i].as_deref().unwrap_or_default()).or_insert_with(|| vec![0.0; n_dims])[dim[i]] = numbers[i].mean_shortfall;
    }
    let weak: HashMap<&str, Vec<Option<i32>>> = shortfalls
        .iter()
        .map(|(u, v)| {
            let mut rank = vec![None; n_dims];
            for (k, d) in layout::weak_order(v).into_iter().enumerate() {
                rank[d] = Some(k as i32 + 1);
            }
            (*u, rank)
        })
        .collect();
    use DataType::*;
    let out = batch_of(vec![
        ("unit_id", Utf8, true, Arc::new(StringArray::from(unit.clone())) as ArrayRef),
        ("dim_index", Int32, false, Arc::new(Int32Array::from(dim.iter().map(|&d| d as i32).collect::<Vec<_>>())) as ArrayRef),
        ("cadres", Int64, false, Arc::new(Int64Array::from(cadres.iter().map(|&x| x as i64).collect::<Vec<_>>())) as ArrayRef),
        ("mean_reserve", Float64, false, f64_col(numbers.iter().map(|x| x.mean_reserve).collect())),
        ("compare_mean_reserve", Float64, false, f64_col(numbers.iter().map(|x| x.compare_mean_reserve).collect())),
        ("compared_with", Utf8, false, str_col(parent.iter().map(|p| layout::compared_with(p.as_deref())).collect())),
        ("coverage", Float64, false, f64_col(numbers.iter().map(|x| x.coverage).collect())),
        ("cadres_short", Int64, false, Arc::new(Int64Array::from(numbers.iter().map(|x| x.cadres_short as i64).collect::<Vec<_>>())) as ArrayRef),
        ("mean_shortfall", Float64, false, f64_col(numbers.iter().map(|x| x.mean_shortfall).collect())),
        (
            "weak_rank",
            Int32,
            true,
            Arc::new(Int32Array::from((0..dim.len()).map(|i| weak[unit[i].as_deref().unwrap_or_default()][dim[i]]).collect::<Vec<_>>())) as ArrayRef,
        ),
    ])?;
    Ok(PyArrowType(out))
}

/// The table a file stem or sheet name means (`records`, …), as the engine reads names.
#[pyfunction]
fn table_of(name: &str) -> Option<&'static str> {
    Table::from_name(name).map(|t| t.name())
}

/// The field delimiter of a delimited text (`,` `\t` or `;`), told from its
/// header line as the engine tells it.
#[pyfunction]
fn sniff_delimiter(header_line: &str) -> String {
    (zhichu::ingest::decode::sniff_delimiter(header_line) as char).to_string()
}

/// The canonical column (`cadre_id`, `date` …) a header names in a table, as the engine matches headers.
#[pyfunction]
fn column_key(table: &str, header: &str) -> Option<&'static str> {
    let t = Table::from_name(table)?;
    zhichu::ingest::schema::match_column(t, header).map(|i| t.columns()[i].key)
}

/// The latest date among `dates` that the engine would read as a plausible
/// record date (the parser the engine uses), or None.
#[pyfunction]
fn latest_plausible_date(dates: PyArrowType<arrow_pyarrow::Table>) -> PyResult<Option<String>> {
    use zhichu::model::date;
    let (lo, hi) = (date::earliest_plausible(), date::latest_plausible());
    let mut best = None;
    let (batches, _) = dates.0.into_inner();
    for b in &batches {
        for c in b.columns() {
            let s = strings(c).ok_or_else(|| PyValueError::new_err("dates must be strings"))?;
            for i in 0..c.len() {
                if let Some(d) = date::parse(s.get(i)).filter(|d| (lo..=hi).contains(d)) {
                    best = best.max(Some(d));
                }
            }
        }
    }
    Ok(best.map(date::format))
}

#[pymodule]
fn _zhichu(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("ZhichuError", m.py().get_type::<ZhichuError>())?;
    m.add_class::<Engine_>()?;
    m.add_class::<BatchOut>()?;
    m.add_class::<BatchContext>()?;
    m.add_function(wrap_pyfunction!(load, m)?)?;
    m.add_function(wrap_pyfunction!(demo, m)?)?;
    m.add_function(wrap_pyfunction!(table_of, m)?)?;
    m.add_function(wrap_pyfunction!(column_key, m)?)?;
    m.add_function(wrap_pyfunction!(sniff_delimiter, m)?)?;
    m.add_function(wrap_pyfunction!(latest_plausible_date, m)?)?;
    m.add_function(wrap_pyfunction!(layout_years, m)?)?;
    m.add_function(wrap_pyfunction!(peer_stats, m)?)?;
    m.add_function(wrap_pyfunction!(layout_numbers, m)?)?;
    m.add("DEFAULTS", defaults(m.py())?)?;
    // The engine's questions (its one list) this build answers: `Dataset.ask` takes any of them.
    let here: Vec<&str> = zhichu::engine::questions::QUESTIONS
        .iter()
        .filter(|(n, _)| zhichu::engine::questions::Question::parse(n, serde_json::Value::Null).map_or_else(|e| e.code != "not_in_module", |_| true))
        .map(|(n, _)| *n)
        .collect();
    m.add("QUESTIONS", here)?;
    m.add("RANGES", ranges(m.py())?)?;
    Ok(())
}
