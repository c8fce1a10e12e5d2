//! The one error type of the engine API. Every face shows `message` and keys
//! its behaviour on `code`: the CLI maps codes to exit codes
//! ([`Code::exit_code`], matched exhaustively); the wasm bindings throw
//! `{code, message}` with the code as snake_case text (`not_found`, …).

use serde::Serialize;

/// What went wrong, machine-readable and stable (serialised in snake_case).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Code {
    /// A cadre, unit, course or class that is not in the data.
    NotFound,
    /// A request or argument out of range, unknown or malformed (also a query polars refuses).
    BadArgument,
    /// The data cannot answer (nothing loaded).
    NoData,
    /// Bad data as a whole.
    BadData,
    /// A data path that cannot be read.
    Io,
    /// A file could not be written (xlsx, CSV, Parquet).
    Export,
    /// The planner: a class without courses, a cohort without cadres, constraints that cannot all hold.
    NoCourses,
    EmptyCohort,
    Infeasible,
    /// A query or pivot that polars could not run.
    AnalysisFailed,
    /// A question name no build has, and one this build lacks.
    UnknownQuestion,
    NotInModule,
    /// 个人档案包: not one, changed after signing, damaged inside, the wrong 提取码, none given.
    NotAPackage,
    BadSignature,
    BadPackage,
    WrongCode,
    CodeRequired,
    /// The department key's passphrase is wrong.
    WrongPassphrase,
    /// Sealing a package failed; no randomness from the browser.
    SealFailed,
    NoRandom,
    /// A question about other cadres asked of a 个人档案包.
    PersonalMode,
    /// The city changed since the packages were prepared.
    Stale,
}

impl Code {
    /// The code as the faces see it (`not_found`, …).
    pub const fn as_str(self) -> &'static str {
        match self {
            Code::NotFound => "not_found",
            Code::BadArgument => "bad_argument",
            Code::NoData => "no_data",
            Code::BadData => "bad_data",
            Code::Io => "io",
            Code::Export => "export",
            Code::NoCourses => "no_courses",
            Code::EmptyCohort => "empty_cohort",
            Code::Infeasible => "infeasible",
            Code::AnalysisFailed => "analysis_failed",
            Code::UnknownQuestion => "unknown_question",
            Code::NotInModule => "not_in_module",
            Code::NotAPackage => "not_a_package",
            Code::BadSignature => "bad_signature",
            Code::BadPackage => "bad_package",
            Code::WrongCode => "wrong_code",
            Code::CodeRequired => "code_required",
            Code::WrongPassphrase => "wrong_passphrase",
            Code::SealFailed => "seal_failed",
            Code::NoRandom => "no_random",
            Code::PersonalMode => "personal_mode",
            Code::Stale => "stale",
        }
    }

    /// The CLI's exit code: 1 for bad data or a bad package, 2 for a bad
    /// argument (or a question the data or this build cannot answer), 3 for
    /// what is not in the data, 4 for input or output that failed.
    pub const fn exit_code(self) -> i32 {
        match self {
            Code::BadData | Code::NoData => 1,
            Code::NotAPackage | Code::BadSignature | Code::BadPackage | Code::WrongCode | Code::CodeRequired | Code::Stale => 1,
            Code::BadArgument | Code::UnknownQuestion | Code::NotInModule | Code::PersonalMode | Code::WrongPassphrase => 2,
            Code::NoCourses | Code::EmptyCohort | Code::Infeasible | Code::AnalysisFailed => 2,
            Code::NotFound => 3,
            Code::Io | Code::Export | Code::SealFailed | Code::NoRandom => 4,
        }
    }
}

/// A code equals its text (`err.code == "not_found"`).
impl PartialEq<&str> for Code {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl std::fmt::Display for Code {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Error {
    pub code: Code,
    /// For people, in Chinese.
    pub message: String,
}

pub type Result<T> = std::result::Result<T, Error>;

impl Error {
    pub fn new(code: Code, message: impl Into<String>) -> Error {
        Error { code, message: message.into() }
    }
    pub fn not_found(message: impl Into<String>) -> Error {
        Error::new(Code::NotFound, message)
    }
    pub fn bad_argument(message: impl Into<String>) -> Error {
        Error::new(Code::BadArgument, message)
    }

    /// The CLI's exit code ([`Code::exit_code`]).
    pub fn exit_code(&self) -> i32 {
        self.code.exit_code()
    }
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Error {}
