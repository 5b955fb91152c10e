//! HTML rendering: one self-contained page, charts as inline SVG.
use std::fmt::Write;

use super::chart::{Anchor, Chart, Prim};
use super::{Align, Block, ReportInput, blocks};

pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

pub fn svg(c: &Chart) -> String {
    let mut s = String::new();
    let _ = write!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {h}" width="100%" role="img" aria-label="{alt}" font-family="Helvetica, Arial, sans-serif">"#,
        w = c.width,
        h = c.height,
        alt = escape(&format!("{}. {}", c.title, c.alt))
    );
    for p in &c.prims {
        match p {
            Prim::Rect { x, y, w, h, fill } => {
                let _ = write!(s, r#"<rect x="{x:.1}" y="{y:.1}" width="{w:.1}" height="{h:.1}" fill="{}"/>"#, fill.hex());
            }
            Prim::Line { x1, y1, x2, y2, stroke, width } => {
                let _ = write!(
                    s,
                    r#"<line x1="{x1:.1}" y1="{y1:.1}" x2="{x2:.1}" y2="{y2:.1}" stroke="{}" stroke-width="{width}"/>"#,
                    stroke.hex()
                );
            }
            Prim::Text { x, y, text, size, anchor, bold, fill } => {
                let a = match anchor {
                    Anchor::Start => "start",
                    Anchor::Middle => "middle",
                    Anchor::End => "end",
                };
                let wgt = if *bold { r#" font-weight="bold""# } else { "" };
                let _ = write!(
                    s,
                    r#"<text x="{x:.1}" y="{y:.1}" font-size="{size}" text-anchor="{a}" fill="{}"{wgt}>{}</text>"#,
                    fill.hex(),
                    escape(text)
                );
            }
        }
    }
    s.push_str("</svg>");
    s
}

const STYLE: &str = r#"
body { font-family: Helvetica, Arial, sans-serif; color: #222; max-width: 60rem; margin: 2rem auto; padding: 0 1rem; line-height: 1.4; }
h1 { font-size: 1.7rem; margin-bottom: .3rem; }
h2 { font-size: 1.3rem; margin-top: 2.2rem; border-bottom: 2px solid #2166ac; padding-bottom: .2rem; }
h3 { font-size: 1.05rem; margin-top: 1.6rem; }
table { border-collapse: collapse; width: 100%; font-size: .85rem; margin: .4rem 0; }
th, td { border-bottom: 1px solid #ddd; padding: .25rem .4rem; vertical-align: top; }
th { text-align: left; background: #f2f5f9; }
td.r, th.r { text-align: right; white-space: nowrap; }
tr.total td { font-weight: bold; }
tr:not(.total) + tr.total td { border-top: 2px solid #888; }
.formula { font-family: "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: .85rem; background: #f6f6f6; padding: .4rem .6rem; border-left: 3px solid #2166ac; }
.note { font-size: .78rem; color: #555; margin: .15rem 0; }
figure { margin: 1rem 0; }
figcaption { font-weight: bold; font-size: .95rem; margin-bottom: .3rem; }
"#;

/// The whole report as one HTML page.
pub fn html(input: &ReportInput) -> String {
    let mut s = String::new();
    let _ = write!(
        s,
        "<!doctype html>\n<html lang=\"en-GB\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>{}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n<main>\n",
        escape(&input.title)
    );
    for b in blocks(input) {
        match b {
            Block::Title(t) => {
                let _ = writeln!(s, "<h1>{}</h1>", escape(&t));
            }
            Block::Heading(t) => {
                let _ = writeln!(s, "<h2>{}</h2>", escape(&t));
            }
            Block::Subheading(t) => {
                let _ = writeln!(s, "<h3>{}</h3>", escape(&t));
            }
            Block::Para(t) => {
                let _ = writeln!(s, "<p>{}</p>", escape(&t));
            }
            Block::Formula(t) => {
                let _ = writeln!(s, "<p class=\"formula\">{}</p>", escape(&t));
            }
            Block::Note(t) => {
                let _ = writeln!(s, "<p class=\"note\">{}</p>", escape(&t));
            }
            Block::Chart(c) => {
                let _ = writeln!(s, "<figure>\n<figcaption>{}</figcaption>\n{}\n</figure>", escape(&c.title), svg(&c));
            }
            Block::Table { header, rows, align, total_rows, .. } => {
                s.push_str("<table>\n<thead><tr>");
                for (i, h) in header.iter().enumerate() {
                    let cls = if align.get(i) == Some(&Align::Right) { " class=\"r\"" } else { "" };
                    let _ = write!(s, "<th{cls}>{}</th>", escape(h));
                }
                s.push_str("</tr></thead>\n<tbody>\n");
                let first_total = rows.len().saturating_sub(total_rows);
                for (ri, r) in rows.iter().enumerate() {
                    s.push_str(if ri >= first_total { "<tr class=\"total\">" } else { "<tr>" });
                    for (i, c) in r.iter().enumerate() {
                        let cls = if align.get(i) == Some(&Align::Right) { " class=\"r\"" } else { "" };
                        let _ = write!(s, "<td{cls}>{}</td>", escape(c));
                    }
                    s.push_str("</tr>\n");
                }
                s.push_str("</tbody>\n</table>\n");
            }
        }
    }
    s.push_str("</main>\n</body>\n</html>\n");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup() {
        assert_eq!(escape("<a & 'b'>"), "&lt;a &amp; &#39;b&#39;&gt;");
    }

    #[test]
    fn empty_report_is_a_page() {
        let h = html(&ReportInput::new("T <x>"));
        assert!(h.starts_with("<!doctype html>"));
        assert!(h.contains("<h1>T &lt;x&gt;</h1>"));
    }
}
