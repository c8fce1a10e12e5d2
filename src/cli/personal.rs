//! `zhichu keygen` and `zhichu personal`: the department's SM2 key, and
//! 个人档案包 — one file per cadre holding only their data, signed with that
//! key and sealed with a 提取码 — with a 发放清单 for sending file and code
//! by separate channels; `zhichu personal inspect` prints what a package holds.

use super::{DataArgs, EXIT_IO, EXIT_USAGE, Fail, write};
use std::path::{Path, PathBuf};
use zhichu::package::{self, City, keys, seal};

#[derive(clap::Args)]
pub struct KeygenArgs {
    /// The private key file to write, e.g. 组织部.key; the public key goes beside it (组织部.pub).
    #[arg(long)]
    out: PathBuf,
    /// Read the passphrase from this file's first line instead of asking on the terminal.
    #[arg(long)]
    passphrase_file: Option<PathBuf>,
}

#[derive(clap::Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct Args {
    #[command(subcommand)]
    inspect: Option<Sub>,
    #[command(flatten)]
    make: MakeArgs,
}

#[derive(clap::Subcommand)]
enum Sub {
    /// Print a package's whole content as JSON (what was handed out), after checking its signature.
    Inspect(InspectArgs),
}

#[derive(clap::Args)]
struct InspectArgs {
    /// The package file.
    file: PathBuf,
    /// Its 提取码 (not needed for a signed-only package).
    #[arg(long)]
    code: Option<String>,
}

#[derive(clap::Args)]
struct MakeArgs {
    #[command(flatten)]
    data: DataArgs,
    /// The department's private key file (zhichu keygen).
    #[arg(long)]
    key: Option<PathBuf>,
    #[arg(long)]
    passphrase_file: Option<PathBuf>,
    /// Who issues the packages, e.g. 某市委组织部 (shown to every cadre).
    #[arg(long)]
    issuer: Option<String>,
    /// Every cadre of this unit and the units below it.
    #[arg(long)]
    unit: Option<String>,
    /// These cadres (ids, comma-separated).
    #[arg(long, value_delimiter = ',')]
    cadres: Vec<String>,
    /// Every cadre.
    #[arg(long)]
    all: bool,
    /// Sign only, without a 提取码 (the file says so; anyone who has it can read it).
    #[arg(long)]
    no_code: bool,
    /// The date every number is computed at (default: the latest record's).
    #[arg(long)]
    as_of: Option<String>,
    /// The folder to write the packages and 发放清单.xlsx into.
    #[arg(long)]
    out: Option<PathBuf>,
}

fn random<const N: usize>() -> Result<[u8; N], Fail> {
    let mut b = [0u8; N];
    sm2::elliptic_curve::common::getrandom::fill(&mut b).map_err(|e| Fail(EXIT_IO, format!("系统随机数不可用：{e}")))?;
    Ok(b)
}

fn randomness() -> Result<seal::Randomness, Fail> {
    Ok(seal::Randomness { salt: random()?, nonce: random()? })
}

/// A passphrase: the first line of a file, or asked on the terminal without echo.
fn passphrase(file: Option<&Path>, prompt: &str, twice: bool) -> Result<String, Fail> {
    if let Some(f) = file {
        let text = std::fs::read_to_string(f).map_err(|e| Fail(EXIT_IO, format!("cannot read {}: {e}", f.display())))?;
        return Ok(text.lines().next().unwrap_or("").to_string());
    }
    let first = ask_hidden(prompt)?;
    if twice && ask_hidden("再输入一次：")? != first {
        return Err(Fail(EXIT_USAGE, "两次输入的口令不同".into()));
    }
    Ok(first)
}

fn ask_hidden(prompt: &str) -> Result<String, Fail> {
    use std::io::{BufRead, Write};
    eprint!("{prompt}");
    let _ = std::io::stderr().flush();
    // Echo off while the passphrase is typed (a terminal only).
    let fd = libc::STDIN_FILENO;
    let mut term: libc::termios = unsafe { std::mem::zeroed() };
    let tty = unsafe { libc::isatty(fd) == 1 && libc::tcgetattr(fd, &mut term) == 0 };
    if tty {
        let mut quiet = term;
        quiet.c_lflag &= !libc::ECHO;
        unsafe { libc::tcsetattr(fd, libc::TCSANOW, &quiet) };
    }
    let mut line = String::new();
    let read = std::io::stdin().lock().read_line(&mut line);
    if tty {
        unsafe { libc::tcsetattr(fd, libc::TCSANOW, &term) };
        eprintln!();
    }
    read.map_err(|e| Fail(EXIT_IO, format!("cannot read the passphrase: {e}")))?;
    Ok(line.trim_end_matches(['\n', '\r']).to_string())
}

pub fn keygen(a: KeygenArgs) -> Result<i32, Fail> {
    let pass = passphrase(a.passphrase_file.as_deref(), "为私钥设置口令：", true)?;
    if pass.chars().count() < 8 {
        return Err(Fail(EXIT_USAGE, "口令至少 8 个字符".into()));
    }
    let secret = loop {
        if let Ok(k) = sm2::SecretKey::from_slice(&random::<32>()?) {
            break k;
        }
    };
    let text = keys::write_key(&secret, &pass, randomness()?, keys::PASSPHRASE_ITERATIONS);
    if let Some(parent) = a.out.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).map_err(|e| Fail(EXIT_IO, format!("cannot create {}: {e}", parent.display())))?;
    }
    write(&a.out, text.as_bytes())?;
    let public = secret.public_key().to_sec1_bytes();
    let pub_path = a.out.with_extension("pub");
    write(&pub_path, keys::public_pem(&public)?.as_bytes())?;
    println!("私钥：{}（已用口令加密，请妥善保管）", a.out.display());
    println!("公钥：{}", pub_path.display());
    println!("公钥指纹：{}", seal::fingerprint(&public));
    Ok(0)
}

pub fn run(a: Args) -> Result<i32, Fail> {
    match a.inspect {
        Some(Sub::Inspect(i)) => inspect(i),
        None => make(a.make),
    }
}

fn inspect(a: InspectArgs) -> Result<i32, Fail> {
    let bytes = std::fs::read(&a.file).map_err(|e| Fail(EXIT_IO, format!("cannot read {}: {e}", a.file.display())))?;
    let o = package::open(&bytes, a.code.as_deref())?;
    eprintln!("签发：{} · {} · 公钥指纹 {} · {}", o.content.issuer, o.content.issued, o.fingerprint, if o.sealed { "提取码加密" } else { "仅签名，未加密" });
    println!("{}", serde_json::to_string_pretty(&o.content).expect("serialisable"));
    Ok(0)
}

fn make(a: MakeArgs) -> Result<i32, Fail> {
    let need = |what: &str| Fail(EXIT_USAGE, format!("zhichu personal 需要 {what}"));
    let key_path = a.key.as_ref().ok_or_else(|| need("--key（zhichu keygen 生成的私钥）"))?;
    let issuer = a.issuer.as_deref().map(str::trim).filter(|s| !s.is_empty()).ok_or_else(|| need("--issuer（签发单位，如 某市委组织部）"))?;
    let out = a.out.as_ref().ok_or_else(|| need("--out（输出文件夹）"))?;
    let chosen = [a.unit.is_some(), !a.cadres.is_empty(), a.all].iter().filter(|b| **b).count();
    if chosen != 1 {
        return Err(Fail(EXIT_USAGE, "请用 --unit、--cadres 或 --all 三者之一指定为谁生成".into()));
    }
    let key_text = std::fs::read_to_string(key_path).map_err(|e| Fail(EXIT_IO, format!("cannot read {}: {e}", key_path.display())))?;
    let pass = passphrase(a.passphrase_file.as_deref(), "私钥口令：", false)?;
    let signer = keys::read_key(&key_text, &pass)?;
    let mut e = super::quiet(super::load(&a.data)?);
    let ids = package::select(&e, a.unit.as_deref(), &a.cadres)?;
    std::fs::create_dir_all(out).map_err(|err| Fail(EXIT_IO, format!("cannot create {}: {err}", out.display())))?;
    let city = City::new(&mut e, &a.data_options(), a.as_of.as_deref())?;
    let issued = zhichu::model::date::format(zhichu::model::date::today());
    let started = std::time::Instant::now();
    // Every package on every core: cutting, deflating, the key derivation and the signature are each its own.
    use rayon::prelude::*;
    let e = &e;
    let issued_list = ids
        .par_iter()
        .map(|id| -> Result<package::Issued, Fail> {
            let p = package::issue(e, &city, &signer, issuer, &issued, id, a.no_code, &random()?)?;
            write(&out.join(&p.file), &p.bytes)?;
            Ok(p)
        })
        .collect::<Result<Vec<_>, Fail>>()?;
    let rows = package::issue_list(&issued_list);
    let list = zhichu::export::xlsx_table("发放清单", &package::ISSUE_LIST_HEADER, &rows).map_err(|err| Fail(EXIT_IO, format!("xlsx: {err}")))?;
    write(&out.join("发放清单.xlsx"), &list)?;
    let secs = started.elapsed().as_secs_f64();
    eprintln!(
        "已生成 {} 个档案包和 发放清单.xlsx（{}）；公钥指纹 {}；{:.1} 秒，每个 {:.2} 毫秒。请把文件和提取码分两条渠道发给本人。",
        ids.len(),
        out.display(),
        seal::fingerprint(&signer.verifying_key().to_sec1_bytes()),
        secs,
        secs * 1000.0 / ids.len() as f64
    );
    Ok(0)
}

impl MakeArgs {
    fn data_options(&self) -> zhichu::ingest::LoadOptions {
        self.data.read.clone()
    }
}
