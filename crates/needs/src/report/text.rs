//! Text measurement and encoding for the PDF's standard Helvetica fonts
//! (no font files are embedded, so the PDF needs nothing outside the crate).

/// Helvetica advance widths (1/1000 em) for ASCII 32..=126.
const REGULAR: [u16; 95] = [
    278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278, // space../
    556, 556, 556, 556, 556, 556, 556, 556, 556, 556, // 0-9
    278, 278, 584, 584, 584, 556, 1015, // :;<=>?@
    667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667, 556, 833, 722, 778, 667, 778, 722, 667, 611, 722, 667, 944, 667, 667,
    611, // A-Z
    278, 278, 278, 469, 556, 333, // [\]^_`
    556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500, 222, 833, 556, 556, 556, 556, 333, 500, 278, 556, 500, 722, 500, 500,
    500, // a-z
    334, 260, 334, 584, // {|}~
];

/// Helvetica-Bold advance widths for ASCII 32..=126.
const BOLD: [u16; 95] = [
    278, 333, 474, 556, 556, 889, 722, 238, 333, 333, 389, 584, 278, 333, 278, 278, //
    556, 556, 556, 556, 556, 556, 556, 556, 556, 556, //
    333, 333, 584, 584, 584, 611, 975, //
    722, 722, 722, 722, 667, 611, 778, 722, 278, 556, 722, 611, 833, 722, 778, 667, 778, 722, 667, 611, 722, 667, 944, 667, 667,
    611, //
    333, 278, 333, 584, 556, 333, //
    556, 611, 556, 611, 556, 333, 611, 611, 278, 278, 556, 278, 889, 611, 611, 611, 611, 389, 556, 333, 611, 556, 778, 556, 556,
    500, //
    389, 280, 389, 584,
];

/// Map a character to its WinAnsiEncoding byte (what the standard fonts use).
pub fn win_ansi(c: char) -> u8 {
    match c {
        ' '..='~' => c as u8,
        '€' => 0x80,
        '…' => 0x85,
        '‘' => 0x91,
        '’' => 0x92,
        '“' => 0x93,
        '”' => 0x94,
        '•' => 0x95,
        '–' | '−' => 0x96,
        '—' => 0x97,
        '≈' => b'~',
        '≤' => b'<',
        '≥' => b'>',
        '\u{a0}'..='\u{ff}' => c as u32 as u8,
        _ => b'?',
    }
}

/// Encode a string for a PDF text-showing operator.
pub fn encode(s: &str) -> Vec<u8> {
    s.chars().map(win_ansi).collect()
}

fn char_width(c: char, bold: bool) -> u16 {
    let table = if bold { &BOLD } else { &REGULAR };
    let b = win_ansi(c);
    match b {
        32..=126 => table.get(usize::from(b - 32)).copied().unwrap_or(556),
        0x96 => 556,
        0x97 => 1000,
        0xd7 | 0xf7 => 584,
        0x91 | 0x92 => 222,
        _ => 556,
    }
}

/// Width of `s` at `size` points.
pub fn text_width(s: &str, size: f32, bold: bool) -> f32 {
    s.chars().map(|c| f32::from(char_width(c, bold))).sum::<f32>() * size / 1000.0
}

/// Break `s` into lines no wider than `width` at `size`, at spaces where
/// possible and inside long words where not.
pub fn wrap(s: &str, size: f32, bold: bool, width: f32) -> Vec<String> {
    let mut lines = Vec::new();
    for para in s.split('\n') {
        let mut line = String::new();
        for word in para.split(' ') {
            let candidate = if line.is_empty() { word.to_string() } else { format!("{line} {word}") };
            if text_width(&candidate, size, bold) <= width {
                line = candidate;
                continue;
            }
            if !line.is_empty() {
                lines.push(std::mem::take(&mut line));
            }
            if text_width(word, size, bold) <= width {
                line = word.to_string();
            } else {
                for ch in word.chars() {
                    let mut next = line.clone();
                    next.push(ch);
                    if text_width(&next, size, bold) > width && !line.is_empty() {
                        lines.push(std::mem::take(&mut line));
                        line.push(ch);
                    } else {
                        line = next;
                    }
                }
            }
        }
        lines.push(line);
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn widths_and_encoding() {
        assert_eq!(text_width("0", 10.0, false), 5.56);
        assert!(text_width("W", 10.0, true) > text_width("i", 10.0, true));
        assert_eq!(encode("£1 × 2 − 3"), vec![0xa3, b'1', b' ', 0xd7, b' ', b'2', b' ', 0x96, b' ', b'3']);
        assert_eq!(encode("Σ"), vec![b'?']);
    }

    #[test]
    fn wrapping_respects_width() {
        let lines = wrap("the quick brown fox jumps over the lazy dog", 10.0, false, 60.0);
        assert!(lines.len() > 2);
        for l in &lines {
            assert!(text_width(l, 10.0, false) <= 60.0, "{l}");
        }
        let long = wrap("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", 10.0, false, 50.0);
        assert!(long.len() > 1);
    }
}
