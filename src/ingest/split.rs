//! CSV text split into rows without the csv parser, and the line counter
//! that gives a record its line from its byte offset: the two pieces of the
//! row reading (`build.rs`) that know nothing of tables.

/// Splits CSV text without quotes into rows as the csv parser does (CR, LF
/// or CRLF ends; a line break where a row would start ends a blank line,
/// which is no row) and calls `row` with each row's start, its line and its
/// cells. The delimiters and line breaks are found eight bytes at a time
/// (they are dense: a cell is a few bytes, too short for memchr to pay).
pub(super) fn split_plain<'t>(text: &'t str, delimiter: u8, row: impl FnMut(usize, &'t str, &[&'t str])) {
    split_in_blocks(text, delimiter, BLOCK, row)
}

/// [`split_plain`] with `block` bytes per call of [`Rows::scan`] (a multiple of 8).
fn split_in_blocks<'t>(text: &'t str, delimiter: u8, block: usize, mut row: impl FnMut(usize, &'t str, &[&'t str])) {
    debug_assert!(block > 0 && block.is_multiple_of(8));
    // Every cut below is at one of these ASCII bytes, so at a character boundary.
    assert!(delimiter.is_ascii());
    let mut rows = Rows { text, delimiter, start: 0, cell: 0, cells: Vec::new() };
    // The text in blocks, each scanned by a call of its own: a WebAssembly
    // engine replaces a function's baseline code with optimised code only for
    // the calls made after it is ready, so one call over a whole 20 MB table
    // would run baseline code to the end (the cold first load, issue 19).
    let mut at = 0;
    while at < text.len() {
        let to = (at + block).min(text.len());
        rows.scan(at, to, &mut row);
        at = to;
    }
}

/// Bytes scanned per call of [`Rows::scan`]: a multiple of the eight read at a time.
const BLOCK: usize = 64 << 10;

/// Where [`split_plain`] is in its text: the row and the cell being read, the cells so far.
struct Rows<'t> {
    text: &'t str,
    delimiter: u8,
    start: usize,
    cell: usize,
    cells: Vec<&'t str>,
}

impl<'t> Rows<'t> {
    /// Reads the bytes `from..to` (`from` a multiple of 8), calling `row` for
    /// each row that ends there, and for the last row when `to` is the text's end.
    #[inline(never)]
    fn scan(&mut self, from: usize, to: usize, row: &mut impl FnMut(usize, &'t str, &[&'t str])) {
        let (text, delimiter) = (self.text, self.delimiter);
        let b = text.as_bytes();
        // SAFETY: `a..z` lies within `text` and both ends are at an ASCII byte or at an end.
        let cut = |a: usize, z: usize| -> &'t str { unsafe { text.get_unchecked(a..z) } };
        // The state in locals while scanning (kept in registers), put back at the end.
        let (mut start, mut cell, mut cells) = (self.start, self.cell, std::mem::take(&mut self.cells));
        let mut hit = |i: usize, cells: &mut Vec<&'t str>| {
            if b[i] == delimiter {
                cells.push(cut(cell, i));
                cell = i + 1;
                return;
            }
            if i > start {
                cells.push(cut(cell, i));
                row(start, cut(start, i), cells);
                cells.clear();
            }
            (start, cell) = (i + 1, i + 1);
        };
        const ONES: u64 = u64::from_ne_bytes([1; 8]);
        const LOW7: u64 = ONES * 0x7F;
        // 0x80 in each byte of `x` that is zero, nothing elsewhere (no carries between bytes).
        let zeros = |x: u64| !(((x & LOW7) + LOW7) | x | LOW7);
        let (d, lf, cr) = (ONES * delimiter as u64, ONES * b'\n' as u64, ONES * b'\r' as u64);
        // Eight bytes at a time; the last few of the text padded with zeros, their bits masked off.
        let mut at = from;
        while at < to {
            let n = (to - at).min(8);
            let w = match b.get(at..at + 8) {
                Some(w) => u64::from_le_bytes(w.try_into().unwrap()),
                None => b[at..].iter().rev().fold(0u64, |w, &c| w << 8 | c as u64),
            };
            let mut m = zeros(w ^ d) | zeros(w ^ lf) | zeros(w ^ cr);
            if n < 8 {
                m &= (1u64 << (8 * n)) - 1;
            }
            while m != 0 {
                hit(at + (m.trailing_zeros() / 8) as usize, &mut cells);
                m &= m - 1;
            }
            at += 8;
        }
        if to == b.len() && start < to {
            cells.push(cut(cell, to));
            row(start, cut(start, to), &cells);
        }
        (self.start, self.cell, self.cells) = (start, cell, cells);
    }
}

/// Line numbers of records from their byte offsets. The csv reader reports a
/// record's position at the end of the previous record's terminator (and
/// before skipped blank lines), so skip line breaks before counting.
pub(super) struct LineCounter<'t> {
    text: &'t [u8],
    pos: usize,
    line: u32,
}

impl<'t> LineCounter<'t> {
    pub(super) fn new(text: &'t [u8], first_line: u32) -> Self {
        LineCounter { text, pos: 0, line: first_line }
    }
    pub(super) fn line_at(&mut self, mut byte: usize) -> u32 {
        while byte < self.text.len() && matches!(self.text[byte], b'\r' | b'\n') {
            byte += 1;
        }
        if byte < self.pos {
            return self.line;
        }
        self.line += super::chunks::line_feeds(&self.text[self.pos..byte]) as u32;
        self.pos = byte;
        self.line
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn plain_split_is_the_csv_parsers() {
        // Random quote-free text over the bytes that matter: rows and cells as csv reads them.
        let alphabet = ["a", "b", ",", ";", "\r", "\n", " ", "是", "\r\n"];
        let mut x = 0x2545_F491_4F6C_DD1Du64;
        for _ in 0..6_000 {
            let mut text = String::new();
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            for k in 0..(x % 40) {
                text.push_str(alphabet[((x >> (k % 50)) as usize + k as usize * 7) % alphabet.len()]);
            }
            for delimiter in [b',', b';'] {
                let mut want: Vec<Vec<String>> = Vec::new();
                let mut rdr = csv::ReaderBuilder::new().has_headers(false).flexible(true).delimiter(delimiter).from_reader(text.as_bytes());
                for r in rdr.records() {
                    want.push(r.unwrap().iter().map(str::to_string).collect());
                }
                // Scanned in blocks of 8 and 16 bytes (rows and cells cross them) and whole.
                for block in [8, 16, super::BLOCK] {
                    let mut got: Vec<Vec<String>> = Vec::new();
                    super::split_in_blocks(&text, delimiter, block, |start, line, cells| {
                        assert_eq!(&text[start..start + line.len()], line);
                        got.push(cells.iter().map(|c| c.to_string()).collect());
                    });
                    assert_eq!(got, want, "{text:?} in blocks of {block}");
                }
            }
        }
    }
}
