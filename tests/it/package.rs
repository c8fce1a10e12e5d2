#![cfg(not(target_arch = "wasm32"))]
//! 个人档案包: a package opened with its 提取码 gives every number the
//! department's full data give for its cadre; it holds nobody else's data;
//! a changed byte, a wrong code or a truncated file opens nothing.
use crate::common;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use zhichu::Engine;
use zhichu::engine::requests::*;
use zhichu::ingest::LoadOptions;
use zhichu::package::{self, City, seal};

fn signer(seed: u8) -> sm2::dsa::SigningKey {
    let secret = sm2::SecretKey::from_slice(&[seed; 32]).unwrap();
    sm2::dsa::SigningKey::new(seal::DIST_ID, &secret).unwrap()
}

fn random(seed: u8) -> seal::Randomness {
    seal::Randomness { salt: [seed; 16], nonce: [seed.wrapping_add(1); 12] }
}

const CODE: &str = "K7QH-2M9X-PD4R";

/// The first place two answers differ (as JSON), for a readable failure.
fn first_difference(a: &serde_json::Value, b: &serde_json::Value, at: &str) -> Option<String> {
    use serde_json::Value::*;
    match (a, b) {
        (Object(x), Object(y)) => {
            x.keys().chain(y.keys()).find_map(|k| first_difference(x.get(k).unwrap_or(&Null), y.get(k).unwrap_or(&Null), &format!("{at}.{k}")))
        }
        (Array(x), Array(y)) if x.len() == y.len() => x.iter().zip(y).enumerate().find_map(|(i, (p, q))| first_difference(p, q, &format!("{at}[{i}]"))),
        _ => (a != b).then(|| format!("{at}: {a} ≠ {b}")),
    }
}

fn same<T: serde::Serialize + PartialEq>(mine: &T, theirs: &T, what: &str) {
    if mine != theirs {
        let (a, b) = (serde_json::to_value(mine).unwrap(), serde_json::to_value(theirs).unwrap());
        panic!("{what}: {}", first_difference(&a, &b, "").unwrap_or_else(|| "differs (not in JSON)".into()));
    }
}

/// The `s` city, and one cadre id of each rank (and a few more).
fn city() -> (Engine, Vec<String>) {
    let e = Engine::demo("s").unwrap();
    let ds = e.dataset();
    let mut picked: Vec<String> = Vec::new();
    let mut ranks: Vec<&str> = Vec::new();
    for (i, id, c) in ds.cadres.iter() {
        if !ranks.contains(&c.rank.as_str()) || i % 211 == 0 {
            ranks.push(&c.rank);
            picked.push(id.to_string());
        }
    }
    assert!(ranks.len() >= 3, "{ranks:?}");
    (e, picked)
}

fn make(e: &mut Engine, cadre: &str, code: Option<&str>) -> Vec<u8> {
    let city = City::new(e, &LoadOptions::default(), None).unwrap();
    let content = city.content(e, cadre, "某市委组织部", "2026-12-06").unwrap();
    package::make(&content, &signer(7), code, random(3)).unwrap()
}

#[test]
fn every_number_from_a_package_equals_the_citys_for_cadres_of_every_rank() {
    let (mut e, picked) = city();
    let city = City::new(&mut e, &LoadOptions::default(), None).unwrap();
    for id in &picked {
        let content = city.content(&e, id, "某市委组织部", "2026-12-06").unwrap();
        let bytes = package::make(&content, &signer(7), Some(CODE), random(3)).unwrap();
        let opened = package::open(&bytes, Some(CODE)).unwrap();
        let mut p = opened.engine().unwrap();
        let cadre = || CadreRequest { cadre: id.clone() };
        let prof = ProfileRequest { cadre: id.clone(), as_of: None };
        // Reserves, targets, gaps, percentile, peer median, contributions, trend: equal, not close.
        same(&p.profile(&prof).unwrap(), &e.profile(&prof).unwrap(), &format!("{id} profile"));
        let rec = RecommendRequest { cadre: id.clone(), ..Default::default() };
        let (mine, theirs) = (p.recommend(&rec).unwrap(), e.recommend(&rec).unwrap());
        same(&mine, &theirs, &format!("{id} recommend"));
        for r in theirs.recommendations.iter().take(2) {
            let sim = SimulateRequest { cadre: id.clone(), course: r.course_id.clone(), as_of: None };
            same(&p.simulate(&sim).unwrap(), &e.simulate(&sim).unwrap(), &format!("{id} simulate {}", r.course_id));
        }
        let hours = HoursRequest { cadre: id.clone(), year: None };
        same(&p.hours(&hours).unwrap(), &e.hours(&hours).unwrap(), &format!("{id} hours"));
        same(&p.archive(&cadre()).unwrap(), &e.archive(&cadre()).unwrap(), &format!("{id} archive"));
        let s = p.summary();
        let info = s.package.as_ref().unwrap();
        assert_eq!((info.issuer.as_str(), info.cadre_id.as_str(), info.sealed), ("某市委组织部", id.as_str(), true));
        assert_eq!(info.fingerprint, seal::fingerprint(&signer(7).verifying_key().to_sec1_bytes()));
        assert_eq!(s.as_of, e.summary().as_of);
        assert_eq!(s.cadres, 1);
    }
}

#[test]
fn a_package_holds_nobody_elses_data() {
    let (mut e, picked) = city();
    let id = &picked[0];
    let bytes = make(&mut e, id, Some(CODE));
    let opened = package::open(&bytes, Some(CODE)).unwrap();
    let json = serde_json::to_string(&opened.content).unwrap();
    let ds = e.dataset();
    for (_, other, c) in ds.cadres.iter() {
        if other != id {
            assert!(!json.contains(other), "{other} is in {id}'s package");
            // A name is another's only if it is not also this cadre's or a teacher's.
            let shared = c.name == ds.cadres.get(ds.cadres.lookup(id).unwrap()).name || ds.teachers.items().iter().any(|t| t.name == c.name);
            assert!(shared || !json.contains(&format!(",{},", c.name)), "{}'s name is in {id}'s package", c.name);
        }
    }
    let t = &opened.content.tables;
    assert_eq!(t["cadres.csv"].lines().count(), 2);
    assert!(t["records.csv"].lines().skip(1).all(|l| l.starts_with(&format!("{id},"))));
    assert!(!t.contains_key("ratings.csv"));
    // Typical size (the bench prints the m city's).
    assert!(bytes.len() < 32 << 10, "{} bytes", bytes.len());
}

#[test]
fn a_changed_byte_a_wrong_code_or_a_cut_file_opens_nothing() {
    let (mut e, picked) = city();
    let bytes = make(&mut e, &picked[1], Some(CODE));
    // The code as people type it.
    assert!(package::open(&bytes, Some("k7qh 2m9x pd4r")).is_ok());
    assert!(package::open(&bytes, Some("K7QH2M9XPD4R")).is_ok());
    for wrong in ["K7QH-2M9X-PD4S", "", "K7QH-2M9X", "不是提取码"] {
        let err = package::open(&bytes, Some(wrong)).unwrap_err();
        assert_eq!((err.code.as_str(), err.message.as_str()), ("wrong_code", "提取码不正确"), "{wrong}");
    }
    assert_eq!(package::open(&bytes, None).unwrap_err().code, "code_required");
    // Bytes changed in turn (every header byte, every 97th of the sealed body, the whole signature): refused before decrypting.
    let positions = (0..seal::HEADER_LEN + 2).chain((seal::HEADER_LEN..bytes.len()).step_by(97)).chain(bytes.len() - 80..bytes.len());
    for i in positions {
        let mut b = bytes.clone();
        b[i] ^= 0x55;
        let err = package::open(&b, Some(CODE)).unwrap_err();
        assert!(matches!(err.code.as_str(), "bad_signature" | "not_a_package"), "byte {i}: {err:?}");
        if err.code == "bad_signature" {
            assert_eq!(err.message, "档案包已被改动或损坏（签名不符）");
        }
    }
    for n in [0, 3, 50, bytes.len() / 2, bytes.len() - 1] {
        assert_eq!(package::open(&bytes[..n], Some(CODE)).unwrap_err().code, "not_a_package", "cut at {n}");
    }
    assert_eq!(package::open(b"PAR1 something else", Some(CODE)).unwrap_err().code, "not_a_package");
    // Signed by another key: it opens, and says whose key it is.
    let city = City::new(&mut e, &LoadOptions::default(), None).unwrap();
    let content = city.content(&e, &picked[1], "冒名的组织部", "2026-12-06").unwrap();
    let other = package::make(&content, &signer(9), Some(CODE), random(3)).unwrap();
    let o = package::open(&other, Some(CODE)).unwrap();
    assert_ne!(o.fingerprint, package::open(&bytes, Some(CODE)).unwrap().fingerprint);
}

#[test]
fn a_signed_only_package_opens_without_a_code_and_says_so() {
    let (mut e, picked) = city();
    let bytes = make(&mut e, &picked[2], None);
    let o = package::open(&bytes, None).unwrap();
    assert!(!o.sealed);
    let p = o.engine().unwrap();
    assert!(!p.package().unwrap().sealed);
    // Its body is readable, and still signed: one changed byte is refused.
    let mut b = bytes.clone();
    b[seal::HEADER_LEN + 5] ^= 1;
    assert_eq!(package::open(&b, None).unwrap_err().code, "bad_signature");
}

#[test]
fn a_packages_engine_answers_only_its_cadres_questions_at_its_date() {
    let (mut e, picked) = city();
    let bytes = make(&mut e, &picked[0], Some(CODE));
    let mut p = package::open(&bytes, Some(CODE)).unwrap().engine().unwrap();
    let unit = p.units()[0].unit_id.clone();
    assert_eq!(p.layout(&LayoutRequest { unit, ..Default::default() }).unwrap_err().code, "personal_mode");
    assert_eq!(p.compliance(&ComplianceRequest::default()).unwrap_err().code, "personal_mode");
    let other_day = ProfileRequest { cadre: picked[0].clone(), as_of: Some("2020-06-30".into()) };
    assert_eq!(p.profile(&other_day).unwrap_err().code, "personal_mode");
    assert_eq!(p.profile(&ProfileRequest { cadre: picked[1].clone(), as_of: None }).unwrap_err().code, "not_found");
    let changed = zhichu::analytics::Model { half_life_years: 5.0, ..p.model() };
    assert_eq!(p.set_model(changed).unwrap_err().code, "personal_mode");
}

#[test]
fn the_key_file_opens_only_with_its_passphrase() {
    let secret = sm2::SecretKey::from_slice(&[5; 32]).unwrap();
    let text = package::keys::write_key(&secret, "正确的口令", random(1), 1_000);
    let k = package::keys::read_key(&text, "正确的口令").unwrap();
    assert_eq!(k.verifying_key().to_sec1_bytes(), secret.public_key().to_sec1_bytes());
    let err = package::keys::read_key(&text, "错误的口令").unwrap_err();
    assert_eq!(err.code, "wrong_passphrase");
    assert_eq!(package::keys::read_key("not a key", "x").unwrap_err().code, "bad_argument");
    let pem = package::keys::public_pem(&secret.public_key().to_sec1_bytes()).unwrap();
    assert!(pem.starts_with("-----BEGIN PUBLIC KEY-----"));
    assert_eq!(package::keys::read_public(&pem).unwrap(), secret.public_key().to_sec1_bytes().to_vec());
}

#[test]
fn the_opener_never_panics_on_mutated_packages() {
    let (mut e, picked) = city();
    let bytes = make(&mut e, &picked[0], Some(CODE));
    let mut rng = ChaCha8Rng::seed_from_u64(1206);
    for _ in 0..400 {
        let b = common::mutate(&mut rng, &bytes);
        assert!(package::open(&b, Some(CODE)).is_err());
    }
}

#[test]
fn codes_carry_sixty_bits_in_an_unambiguous_alphabet() {
    let mut rng = ChaCha8Rng::seed_from_u64(7);
    let mut seen = std::collections::HashSet::new();
    for _ in 0..1000 {
        let code = seal::code_from(rng.r#gen());
        assert_eq!(code.len(), 14);
        assert!(code.chars().all(|c| c == '-' || !"ILOU".contains(c)), "{code}");
        assert_eq!(seal::normalize_code(&code).unwrap(), code.replace('-', ""));
        assert!(seen.insert(code));
    }
    assert_eq!(seal::normalize_code("o1il-0000-0000").unwrap(), "0111".to_string() + "00000000");
}
