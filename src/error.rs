//! The one error type of the engine API. Every face shows `message` and keys
//! its behaviour on `code`: the CLI maps codes to exit codes
//! ([`Error::exit_code`]); the wasm bindings throw `{code, message}`.

use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Error {
    /// Stable, machine-readable: `not_found`, `bad_argument`, `bad_data`,
    /// `no_data`, `export`, `io` (a data path that cannot be read), and the
    /// planner's `no_courses`, `infeasible`.
    pub code: &'static str,
    /// For people, in Chinese.
    pub message: String,
}

pub type Result<T> = std::result::Result<T, Error>;

impl Error {
    pub fn new(code: &'static str, message: impl Into<String>) -> Error {
        Error { code, message: message.into() }
    }
    pub fn not_found(message: impl Into<String>) -> Error {
        Error::new("not_found", message)
    }
    pub fn bad_argument(message: impl Into<String>) -> Error {
        Error::new("bad_argument", message)
    }

    /// The CLI's exit code: 3 for what is not in the data, 4 for failed
    /// output, 1 for bad data, 2 for every bad argument.
    pub fn exit_code(&self) -> i32 {
        match self.code {
            "not_found" => 3,
            "export" | "io" => 4,
            "bad_data" | "no_data" => 1,
            // A 个人档案包 that is not one, was changed, or the wrong 提取码.
            "not_a_package" | "bad_signature" | "bad_package" | "wrong_code" | "code_required" => 1,
            _ => 2,
        }
    }
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Error {}
