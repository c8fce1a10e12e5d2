//! `zhichu._zhichu`: the Python binding of the engine. Thin: files or Arrow
//! tables in, `zhichu::Engine` asked, JSON text (what the CLI prints with
//! `--json`) or Arrow record batches out. The Python layer (`zhichu/__init__.py`)
//! gives it its friendly shape.

use arrow_array::builder::StringBuilder;
use arrow_array::{Array, ArrayRef, BooleanArray, Float64Array, Int32Array, LargeStringArray, RecordBatch, StringArray, StringViewArray, UInt32Array};
use arrow_pyarrow::PyArrowType;
use arrow_schema::{DataType, Field, Schema};
use pyo3::create_exception;
use pyo3::exceptions::{PyException, PyValueError};
use pyo3::prelude::*;
use std::path::PathBuf;
use std::sync::Arc;
use zhichu::Engine;
use zhichu::analytics::Model;
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

fn options(minutes_per_hour: f64, saturation: f64) -> LoadOptions {
    LoadOptions { minutes_per_hour, default_saturation_hours: saturation }
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
    /// Sets the reserve model (half-life in years, completion credit).
    fn set_model(&self, py: Python<'_>, half_life_years: f64, completion_credit: f64) -> PyResult<()> {
        self.with(py, |e| e.set_model(Model { half_life_years, completion_credit }).map_err(err))
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
        Ok(BatchOut { as_of: b.as_of, latest_date: b.latest_date, reserves: Some(reserves), hours: Some(hours), contributions, rules, report_json: None })
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
    /// Per record × dimension (when asked for).
    fn contributions(&mut self) -> Option<PyArrowType<RecordBatch>> {
        self.contributions.take().map(PyArrowType)
    }
}

#[pyfunction]
#[pyo3(signature = (paths, minutes_per_hour=45.0, saturation=20.0))]
fn load(py: Python<'_>, paths: Vec<PathBuf>, minutes_per_hour: f64, saturation: f64) -> PyResult<Engine_> {
    let files = read_inputs(&paths)?;
    let opts = options(minutes_per_hour, saturation);
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
            .map(|c| {
                let a = c.as_any();
                if let Some(s) = a.downcast_ref::<StringArray>() {
                    Ok(Strs::S(s))
                } else if let Some(s) = a.downcast_ref::<LargeStringArray>() {
                    Ok(Strs::L(s))
                } else if let Some(s) = a.downcast_ref::<StringViewArray>() {
                    Ok(Strs::V(s))
                } else {
                    Err(PyValueError::new_err(format!("{table}: every column must be strings (got {})", c.data_type())))
                }
            })
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
    #[pyo3(signature = (tables, minutes_per_hour=45.0, saturation=20.0, half_life_years=3.0, completion_credit=0.8))]
    fn new(tables: PyTables, minutes_per_hour: f64, saturation: f64, half_life_years: f64, completion_credit: f64) -> PyResult<BatchContext> {
        let model = Model { half_life_years, completion_credit };
        // Checked once here, as the engine checks them.
        let mut probe = Engine::new(Default::default());
        probe.set_model(model).map_err(err)?;
        let opts = options(minutes_per_hour, saturation);
        zhichu::engine::check_range("minutes_per_hour", minutes_per_hour, 1.0, 600.0).map_err(err)?;
        zhichu::engine::check_range("saturation", saturation, 0.1, 10_000.0).map_err(err)?;
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
            let a = c.as_any();
            let s = if let Some(s) = a.downcast_ref::<StringArray>() {
                Strs::S(s)
            } else if let Some(s) = a.downcast_ref::<LargeStringArray>() {
                Strs::L(s)
            } else if let Some(s) = a.downcast_ref::<StringViewArray>() {
                Strs::V(s)
            } else {
                return Err(PyValueError::new_err("dates must be strings"));
            };
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
    Ok(())
}
