//! Where CSV records end, so that a big table can be read in pieces: block by
//! block from disk, and in chunks on several threads. A piece always starts
//! at the start of a record, as the csv parser would see it: a line break ends
//! a record unless it is inside a quoted field. The scan follows the parser's
//! rules (csv-core with double quotes, CR, LF or CRLF ends): a field is quoted
//! only when it starts with `"`; `""` inside it is a quote; a quote elsewhere
//! is a plain character.

#[derive(Clone, Copy, PartialEq, Eq)]
enum St {
    /// At the start of a field (or of a record).
    Start,
    /// In an unquoted field.
    Field,
    /// In a quoted field.
    Quoted,
    /// Just after a quote inside a quoted field: it closes the field unless another quote follows.
    QuoteInQuoted,
}

#[inline]
fn step(st: St, b: u8, delimiter: u8) -> St {
    let end = b == delimiter || b == b'\n' || b == b'\r';
    match st {
        St::Start if b == b'"' => St::Quoted,
        St::Start | St::Field | St::QuoteInQuoted if end => St::Start,
        St::Start | St::Field => St::Field,
        St::Quoted if b == b'"' => St::QuoteInQuoted,
        St::Quoted => St::Quoted,
        St::QuoteInQuoted if b == b'"' => St::Quoted,
        St::QuoteInQuoted => St::Field,
    }
}

/// Calls `at(i + 1)` after each line break at `i` that ends a record (text
/// starting at a record's start); stops when `at` returns false.
fn boundaries(text: &[u8], delimiter: u8, mut at: impl FnMut(usize) -> bool) {
    let mut st = St::Start;
    for (i, &b) in text.iter().enumerate() {
        if b == b'\n' && st != St::Quoted {
            st = St::Start;
            if !at(i + 1) {
                return;
            }
            continue;
        }
        st = step(st, b, delimiter);
    }
}

/// How many line feeds `text` holds. Counted in runs of 255 bytes into a
/// byte-wide sum, which the compiler turns into vector code: about ten
/// times faster than counting one byte at a time.
pub(crate) fn line_feeds(text: &[u8]) -> usize {
    text.chunks(255).map(|c| c.iter().fold(0u8, |n, &b| n + (b == b'\n') as u8) as usize).sum()
}

/// About how many records `text` holds (to make room once): its length over
/// the mean line length of its first 16 KB, and 5% more. Lines are taken to
/// be 8 bytes at least, so short first lines cannot make it reserve much
/// more than the text's size.
pub(crate) fn rows_estimate(text: &[u8]) -> usize {
    let sample = &text[..text.len().min(16 << 10)];
    let lines = line_feeds(sample).max(1);
    let per_line = (sample.len() / lines).max(8);
    text.len() / per_line * 21 / 20 + 1
}

/// The end of the last whole record in `text` (just after its line break), if any.
#[cfg(any(test, not(target_arch = "wasm32")))]
pub(crate) fn last_boundary(text: &[u8], delimiter: u8) -> Option<usize> {
    if !text.contains(&b'"') {
        return text.iter().rposition(|&b| b == b'\n').map(|i| i + 1);
    }
    let mut last = None;
    boundaries(text, delimiter, |i| {
        last = Some(i);
        true
    });
    last
}

/// Splits `text` (starting at a record's start) into pieces of about `target`
/// bytes, each starting at a record's start: the start offset of each piece
/// (the first is 0).
pub(crate) fn split(text: &[u8], delimiter: u8, target: usize) -> Vec<usize> {
    let mut starts = vec![0];
    if target >= text.len() {
        return starts;
    }
    if !text.contains(&b'"') {
        let mut pos = target;
        while pos < text.len() {
            match text[pos..].iter().position(|&b| b == b'\n') {
                Some(j) if pos + j + 1 < text.len() => {
                    starts.push(pos + j + 1);
                    pos = pos + j + 1 + target;
                }
                _ => break,
            }
        }
        return starts;
    }
    let mut next = target;
    boundaries(text, delimiter, |i| {
        if i >= next && i < text.len() {
            starts.push(i);
            next = i + target;
        }
        true
    });
    starts
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The records the csv crate reads from a text.
    fn records(text: &[u8]) -> Vec<Vec<Vec<u8>>> {
        let mut r = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(text);
        r.byte_records().map(|x| x.unwrap().iter().map(<[u8]>::to_vec).collect()).collect()
    }

    #[test]
    fn rows_estimate_is_close_and_bounded() {
        // 20,000 lines of 36 bytes: within 5% above.
        let text = "C000123,K0042,2024-03-01,8,是,90\n".repeat(20_000);
        let n = rows_estimate(text.as_bytes());
        assert!((20_000..=21_001).contains(&n), "{n}");
        // Short lines first, then long ones: the estimate is bounded by 8 bytes a line.
        let mixed = format!("{}{}", "a,1\n".repeat(5_000), "x".repeat(100_000));
        assert_eq!(rows_estimate(mixed.as_bytes()), mixed.len() / 8 * 21 / 20 + 1);
        assert_eq!(rows_estimate(b""), 1);
        assert_eq!(rows_estimate(b"no line break"), 2);
    }

    #[test]
    fn line_feeds_counts_every_one() {
        let mut text = Vec::new();
        for i in 0..3000u32 {
            text.push(if i % 7 == 0 || i % 255 == 254 || (600..900).contains(&i) { b'\n' } else { (i % 200) as u8 + 11 });
        }
        for end in [0, 1, 254, 255, 256, 510, 511, 899, 3000] {
            assert_eq!(line_feeds(&text[..end]), text[..end].iter().filter(|&&b| b == b'\n').count(), "end {end}");
        }
    }

    #[test]
    fn pieces_read_as_the_whole() {
        let texts: [&[u8]; 6] = [
            b"a,b\r\n1,2\r\n3,4\r\n",
            b"a,b\n\"x\ny\",2\n3,\"q\"\"\n\"\n5,6",
            b"a,b\nx\"y,2\n\"z\"w,\"\n\"\n\n\n7,8\n",
            b"a,b\r\n\"unclosed,2\r\n3,4\r\n5,6\r\n",
            b"\"\"\"\",\"\n\",x\r\r\n\"a\"\"\nb\"\n",
            b"a;b\n\"1;\n2\";3\n4;5\n",
        ];
        for text in texts {
            let delim = if text.contains(&b';') { b';' } else { b',' };
            let whole = records(text);
            for target in 1..text.len() + 2 {
                let starts = split(text, delim, target);
                let mut got = Vec::new();
                for (k, &s) in starts.iter().enumerate() {
                    let e = starts.get(k + 1).copied().unwrap_or(text.len());
                    got.extend(records(&text[s..e]));
                }
                assert_eq!(got, whole, "{:?} target {target}", String::from_utf8_lossy(text));
            }
            if let Some(b) = last_boundary(text, delim) {
                let mut got = records(&text[..b]);
                got.extend(records(&text[b..]));
                assert_eq!(got, whole);
            }
        }
    }
}
