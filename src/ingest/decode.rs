//! Bytes to text: UTF-8 (with or without BOM), UTF-16 with BOM (Excel's
//! "Unicode text"), and GBK / GB18030, detected automatically.

use std::borrow::Cow;

/// The text of a file (borrowed when it already was UTF-8) and the encoding it was read as.
pub struct Decoded<'a> {
    pub text: Cow<'a, str>,
    pub encoding: &'static str,
}

/// Where decoding failed: the 1-based line of the first byte that is valid
/// in no supported encoding.
pub struct DecodeError {
    pub line: u32,
}

pub fn decode(bytes: &[u8]) -> Result<Decoded<'_>, DecodeError> {
    if let Some(rest) = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]) {
        return utf8(rest, "UTF-8 (BOM)");
    }
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        let enc = if bytes[0] == 0xFF { encoding_rs::UTF_16LE } else { encoding_rs::UTF_16BE };
        let (text, had_errors) = enc.decode_with_bom_removal(bytes);
        if had_errors {
            return Err(DecodeError { line: 1 });
        }
        return Ok(Decoded { text: Cow::Owned(text.into_owned()), encoding: enc.name() });
    }
    if let Ok(d) = utf8(bytes, "UTF-8") {
        return Ok(d);
    }
    if let Some(d) = damaged_utf8(bytes) {
        return Ok(d);
    }
    // GB18030 is a superset of GBK and GB2312; encoding_rs decodes all three.
    let (text, had_errors) = encoding_rs::GB18030.decode_without_bom_handling(bytes);
    if had_errors {
        let bad = text.find('\u{FFFD}').unwrap_or(0);
        let line = text[..bad].matches('\n').count() as u32 + 1;
        return Err(DecodeError { line });
    }
    Ok(Decoded { text: Cow::Owned(text.into_owned()), encoding: "GBK/GB18030" })
}

/// Whether `b` is valid UTF-8, exactly as `std::str::from_utf8` decides,
/// faster on what tables hold: ASCII with a few Chinese characters on each
/// line. ASCII is skipped eight bytes at a time, and each run of non-ASCII
/// bytes is checked on its own: an ASCII byte is never part of a multi-byte
/// character, so the text is valid exactly when every such run is.
///
/// A long text is checked in pieces of 4 MB, on every core natively.
pub fn is_utf8(b: &[u8]) -> bool {
    is_utf8_in_pieces(b, 4 << 20)
}

/// [`is_utf8`] in pieces of about `piece` bytes. Each piece starts at a byte
/// that is not a continuation byte (10xxxxxx), so a character that is valid
/// never spans two pieces, and one that is not is wholly in one piece with
/// its lead byte: the text is valid exactly when every piece is.
fn is_utf8_in_pieces(b: &[u8], piece: usize) -> bool {
    if b.len() <= piece {
        return is_utf8_one(b);
    }
    let mut starts = vec![0];
    let mut at = piece;
    while at < b.len() {
        while at < b.len() && b[at] & 0xC0 == 0x80 {
            at += 1;
        }
        if at < b.len() {
            starts.push(at);
        }
        at += piece;
    }
    let pieces: Vec<&[u8]> = starts.iter().enumerate().map(|(k, &s)| &b[s..starts.get(k + 1).copied().unwrap_or(b.len())]).collect();
    crate::model::par::map(&pieces, |p| is_utf8_one(p)).into_iter().all(|ok| ok)
}

fn is_utf8_one(b: &[u8]) -> bool {
    const HIGH: u64 = u64::from_ne_bytes([0x80; 8]);
    let n = b.len();
    let mut i = 0;
    while i < n {
        match b.get(i..i + 8) {
            Some(w) => {
                let m = u64::from_le_bytes(w.try_into().unwrap()) & HIGH;
                if m == 0 {
                    i += 8;
                    continue;
                }
                i += (m.trailing_zeros() / 8) as usize;
            }
            None => {
                while i < n && b[i] < 0x80 {
                    i += 1;
                }
                if i == n {
                    break;
                }
            }
        }
        let start = i;
        while i < n && b[i] >= 0x80 {
            i += 1;
        }
        if std::str::from_utf8(&b[start..i]).is_err() {
            return false;
        }
    }
    true
}

/// `std::str::from_utf8`, checked by [`is_utf8`] first (the error, when
/// there is one, is std's own).
pub fn str_from_utf8(b: &[u8]) -> Result<&str, std::str::Utf8Error> {
    if is_utf8(b) {
        // SAFETY: is_utf8 accepts exactly what std::str::from_utf8 accepts (tested).
        Ok(unsafe { std::str::from_utf8_unchecked(b) })
    } else {
        std::str::from_utf8(b)
    }
}

/// A UTF-8 file with a few invalid bytes (a damaged copy, a bad paste): read
/// it as UTF-8 with U+FFFD in their place, so that only the rows holding them
/// are refused. Taken for UTF-8 when valid multi-byte characters are many and
/// invalid sequences few (GBK text is mostly invalid UTF-8).
fn damaged_utf8(bytes: &[u8]) -> Option<Decoded<'static>> {
    let (mut wide, mut invalid) = (0usize, 0usize);
    for chunk in bytes.utf8_chunks() {
        wide += chunk.valid().chars().filter(|c| !c.is_ascii()).count();
        invalid += !chunk.invalid().is_empty() as usize;
    }
    (wide >= 8 && invalid <= (wide / 100).max(3))
        .then(|| Decoded { text: Cow::Owned(String::from_utf8_lossy(bytes).into_owned()), encoding: "UTF-8（含无效字节）" })
}

fn utf8<'a>(bytes: &'a [u8], name: &'static str) -> Result<Decoded<'a>, DecodeError> {
    match str_from_utf8(bytes) {
        Ok(s) => Ok(Decoded { text: Cow::Borrowed(s), encoding: name }),
        Err(e) => Err(DecodeError { line: super::chunks::line_feeds(&bytes[..e.valid_up_to()]) as u32 + 1 }),
    }
}

/// The field delimiter of a delimited text: the most frequent of `,` `\t` `;`
/// on the header line (outside quotes); `,` by default.
pub fn sniff_delimiter(text: &str) -> u8 {
    let first = text.lines().next().unwrap_or("");
    let mut counts = [0usize; 3];
    let mut quoted = false;
    for c in first.chars() {
        match c {
            '"' => quoted = !quoted,
            ',' if !quoted => counts[0] += 1,
            '\t' if !quoted => counts[1] += 1,
            ';' if !quoted => counts[2] += 1,
            _ => {}
        }
    }
    let best = (0..3).max_by_key(|&i| (counts[i], i == 0)).unwrap();
    if counts[best] == 0 { b',' } else { [b',', b'\t', b';'][best] }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn is_utf8_is_stds() {
        // Random bytes biased to ASCII and to UTF-8 lead/continuation bytes, plus real characters cut anywhere.
        let pieces: [&[u8]; 12] = [
            b"a",
            b",",
            b"\n",
            "是".as_bytes(),
            "\u{10348}".as_bytes(),
            "é".as_bytes(),
            &[0x80],
            &[0xC0, 0x80],
            &[0xED, 0xA0, 0x80],
            &[0xF4, 0x90, 0x80, 0x80],
            &[0xE6],
            &[0xFF],
        ];
        let mut x = 0x9E37_79B9_7F4A_7C15u64;
        for n in 0..200_000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let mut b = Vec::new();
            for k in 0..(x % 24) {
                let p = ((x >> (2 * k)) % 16) as usize;
                b.extend_from_slice(pieces[if p < 12 { p } else { 0 }]);
            }
            let cut = (x >> 50) as usize % (b.len() + 1);
            for s in [&b[..], &b[cut..], &b[..cut]] {
                let std = std::str::from_utf8(s).is_ok();
                assert_eq!(is_utf8(s), std, "{s:?}");
                // Cut into small pieces, as long texts are (one text in eight: a piece is a task on the thread pool).
                if n % 8 == 0 {
                    for piece in [1, 2, 3, 5] {
                        assert_eq!(is_utf8_in_pieces(s, piece), std, "{s:?} in pieces of {piece}");
                    }
                }
            }
        }
    }
    #[test]
    fn detects_encodings() {
        let s = "干部编号,姓名\nC1,张三\n";
        assert_eq!(decode(s.as_bytes()).ok().unwrap().encoding, "UTF-8");
        let mut bom = vec![0xEF, 0xBB, 0xBF];
        bom.extend_from_slice(s.as_bytes());
        let d = decode(&bom).ok().unwrap();
        assert_eq!((&*d.text, d.encoding), (s, "UTF-8 (BOM)"));
        let (gbk, _, _) = encoding_rs::GBK.encode(s);
        let d = decode(&gbk).ok().unwrap();
        assert_eq!((&*d.text, d.encoding), (s, "GBK/GB18030"));
        let mut utf16 = vec![0xFF, 0xFE];
        for u in s.encode_utf16() {
            utf16.extend_from_slice(&u.to_le_bytes());
        }
        assert_eq!(decode(&utf16).ok().unwrap().text, s);
        // 0xFF is neither UTF-8 nor GB18030.
        let bad = b"a,b\n1,2\nx\xFFy,3\n";
        assert_eq!(decode(bad).err().unwrap().line, 3);
        // One bad byte in a UTF-8 Chinese file: still UTF-8, the byte replaced.
        let mut damaged = "干部编号,姓名\nC1,张三\nC2,李四\nC3,王五\n".as_bytes().to_vec();
        damaged.insert(damaged.len() - 8, 0xFF);
        let d = decode(&damaged).ok().unwrap();
        assert_eq!(d.encoding, "UTF-8（含无效字节）");
        assert_eq!(d.text.lines().filter(|l| l.contains('\u{FFFD}')).count(), 1);
        assert_eq!(sniff_delimiter("a\tb\tc\n"), b'\t');
        assert_eq!(sniff_delimiter("\"a,x\";b;c\n"), b';');
        assert_eq!(sniff_delimiter("a\n"), b',');
    }
}
