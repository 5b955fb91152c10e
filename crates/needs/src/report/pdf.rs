//! PDF rendering with pdf-writer and the standard Helvetica fonts (base-14,
//! WinAnsiEncoding): no fonts or other files are needed at run time.
use pdf_writer::{Content, Finish, Name, Pdf, Rect, Ref, Str, TextStr};

use super::chart::{Anchor, Chart, Color, INK, Prim};
use super::text::{encode, text_width, wrap};
use super::{Align, Block, ReportInput, blocks};
use crate::error::Result;

const PAGE_W: f32 = 595.28;
const PAGE_H: f32 = 841.89;
const MARGIN: f32 = 48.0;
const CONTENT_W: f32 = PAGE_W - 2.0 * MARGIN;
const BOTTOM: f32 = PAGE_H - MARGIN - 14.0;
const ACCENT: Color = Color(0x21, 0x66, 0xac);
const MUTED: Color = Color(0x55, 0x55, 0x55);
const HEADER_BG: Color = Color(0xf2, 0xf5, 0xf9);
const RULE: Color = Color(0xdd, 0xdd, 0xdd);

struct Writer {
    done: Vec<Content>,
    cur: Content,
    /// Distance of the next line's top from the top of the page.
    y: f32,
}

impl Writer {
    fn new() -> Self {
        Writer { done: Vec::new(), cur: Content::new(), y: MARGIN }
    }

    fn new_page(&mut self) {
        let page = std::mem::replace(&mut self.cur, Content::new());
        self.done.push(page);
        self.y = MARGIN;
    }

    /// Start a new page unless `h` more points fit on this one.
    fn ensure(&mut self, h: f32) {
        if self.y + h > BOTTOM && self.y > MARGIN + 1.0 {
            self.new_page();
        }
    }

    fn text(&mut self, x: f32, baseline: f32, s: &str, size: f32, bold: bool, color: Color) {
        let (r, g, b) = color.unit();
        let font = if bold { Name(b"F2") } else { Name(b"F1") };
        let bytes = encode(s);
        self.cur.begin_text();
        self.cur.set_fill_rgb(r, g, b);
        self.cur.set_font(font, size);
        self.cur.set_text_matrix([1.0, 0.0, 0.0, 1.0, x, PAGE_H - baseline]);
        self.cur.show(Str(&bytes));
        self.cur.end_text();
    }

    fn rect(&mut self, x: f32, top: f32, w: f32, h: f32, color: Color) {
        let (r, g, b) = color.unit();
        self.cur.set_fill_rgb(r, g, b);
        self.cur.rect(x, PAGE_H - top - h, w, h);
        self.cur.fill_nonzero();
    }

    fn line(&mut self, x1: f32, y1: f32, x2: f32, y2: f32, color: Color, width: f32) {
        let (r, g, b) = color.unit();
        self.cur.set_stroke_rgb(r, g, b);
        self.cur.set_line_width(width);
        self.cur.move_to(x1, PAGE_H - y1);
        self.cur.line_to(x2, PAGE_H - y2);
        self.cur.stroke();
    }

    fn para(&mut self, s: &str, size: f32, bold: bool, color: Color, indent: f32, space_after: f32) {
        let leading = size * 1.3;
        for l in wrap(s, size, bold, CONTENT_W - indent) {
            self.ensure(leading);
            self.text(MARGIN + indent, self.y + size, &l, size, bold, color);
            self.y += leading;
        }
        self.y += space_after;
    }

    fn table(&mut self, header: &[String], rows: &[Vec<String>], widths: &[f32], align: &[Align], total_rows: usize) {
        let size = 7.6f32;
        let leading = size * 1.25;
        let pad = 3.0f32;
        let total_w: f32 = widths.iter().sum::<f32>().max(0.01);
        let cols: Vec<f32> = widths.iter().map(|w| w / total_w * CONTENT_W).collect();
        let first_total = rows.len().saturating_sub(total_rows);
        let layout = |cells: &[String], bold: bool| -> Vec<Vec<String>> {
            cols.iter().enumerate().map(|(i, w)| wrap(cells.get(i).map(String::as_str).unwrap_or(""), size, bold, w - 2.0 * pad)).collect()
        };
        let header_lines = layout(header, true);
        let header_h = header_lines.iter().map(Vec::len).max().unwrap_or(1) as f32 * leading + 2.0 * pad;
        let draw_row = |w: &mut Writer, lines: &[Vec<String>], h: f32, bold: bool, bg: Option<Color>| {
            if let Some(c) = bg {
                w.rect(MARGIN, w.y, CONTENT_W, h, c);
            }
            let mut x = MARGIN;
            for (i, (cell, cw)) in lines.iter().zip(&cols).enumerate() {
                for (li, l) in cell.iter().enumerate() {
                    let base = w.y + pad + size + li as f32 * leading;
                    let tx = if align.get(i) == Some(&Align::Right) { x + cw - pad - text_width(l, size, bold) } else { x + pad };
                    w.text(tx, base, l, size, bold, INK);
                }
                x += cw;
            }
            w.y += h;
            w.line(MARGIN, w.y, MARGIN + CONTENT_W, w.y, RULE, 0.5);
        };
        self.ensure(header_h + leading * 2.0 + 2.0 * pad);
        draw_row(self, &header_lines, header_h, true, Some(HEADER_BG));
        for (ri, r) in rows.iter().enumerate() {
            let bold = ri >= first_total;
            let lines = layout(r, bold);
            let h = lines.iter().map(Vec::len).max().unwrap_or(1) as f32 * leading + 2.0 * pad;
            if self.y + h > BOTTOM {
                self.new_page();
                draw_row(self, &header_lines, header_h, true, Some(HEADER_BG));
            }
            draw_row(self, &lines, h, bold, None);
        }
        self.y += 6.0;
    }

    fn chart(&mut self, c: &Chart) {
        let scale = CONTENT_W / c.width;
        let h = c.height * scale;
        self.ensure(h + 18.0);
        self.para(&c.title, 9.5, true, INK, 0.0, 2.0);
        let top = self.y;
        for p in &c.prims {
            match p {
                Prim::Rect { x, y, w, h, fill } => {
                    if *w > 0.0 && *h > 0.0 {
                        self.rect(MARGIN + x * scale, top + y * scale, w * scale, h * scale, *fill);
                    }
                }
                Prim::Line { x1, y1, x2, y2, stroke, width } => {
                    self.line(MARGIN + x1 * scale, top + y1 * scale, MARGIN + x2 * scale, top + y2 * scale, *stroke, width * scale);
                }
                Prim::Text { x, y, text, size, anchor, bold, fill } => {
                    let sz = size * scale;
                    let tw = text_width(text, sz, *bold);
                    let dx = match anchor {
                        Anchor::Start => 0.0,
                        Anchor::Middle => tw / 2.0,
                        Anchor::End => tw,
                    };
                    self.text(MARGIN + x * scale - dx, top + y * scale, text, sz, *bold, *fill);
                }
            }
        }
        self.y = top + h + 10.0;
    }

    fn finish(mut self, title: &str) -> Vec<u8> {
        self.new_page();
        let n = self.done.len();
        let catalog_id = Ref::new(1);
        let tree_id = Ref::new(2);
        let font_id = Ref::new(3);
        let bold_id = Ref::new(4);
        let info_id = Ref::new(5);
        let page_ids: Vec<Ref> = (0..n).map(|i| Ref::new(10 + 2 * i as i32)).collect();
        let content_ids: Vec<Ref> = (0..n).map(|i| Ref::new(11 + 2 * i as i32)).collect();
        let mut pdf = Pdf::new();
        pdf.catalog(catalog_id).pages(tree_id);
        pdf.pages(tree_id).kids(page_ids.iter().copied()).count(n as i32);
        pdf.type1_font(font_id).base_font(Name(b"Helvetica")).encoding_predefined(Name(b"WinAnsiEncoding"));
        pdf.type1_font(bold_id).base_font(Name(b"Helvetica-Bold")).encoding_predefined(Name(b"WinAnsiEncoding"));
        pdf.document_info(info_id).title(TextStr(title)).creator(TextStr("Haven needs engine"));
        let pages = std::mem::take(&mut self.done);
        for (i, mut content) in pages.into_iter().enumerate() {
            // Footer.
            let footer = format!("{title} · page {} of {n}", i + 1);
            let bytes = encode(&footer.replace('·', "-"));
            let (r, g, b) = MUTED.unit();
            content.begin_text();
            content.set_fill_rgb(r, g, b);
            content.set_font(Name(b"F1"), 7.5);
            content.set_text_matrix([1.0, 0.0, 0.0, 1.0, MARGIN, MARGIN / 2.0]);
            content.show(Str(&bytes));
            content.end_text();
            let (Some(&page_id), Some(&content_id)) = (page_ids.get(i), content_ids.get(i)) else { continue };
            let mut page = pdf.page(page_id);
            page.media_box(Rect::new(0.0, 0.0, PAGE_W, PAGE_H)).parent(tree_id).contents(content_id);
            let mut res = page.resources();
            let mut fonts = res.fonts();
            fonts.pair(Name(b"F1"), font_id).pair(Name(b"F2"), bold_id);
            fonts.finish();
            res.finish();
            page.finish();
            pdf.stream(content_id, &content.finish());
        }
        pdf.finish()
    }
}

/// The whole report as a PDF file.
pub fn pdf(input: &ReportInput) -> Result<Vec<u8>> {
    let mut w = Writer::new();
    for b in blocks(input) {
        match b {
            Block::Title(t) => {
                w.para(&t, 18.0, true, INK, 0.0, 6.0);
            }
            Block::Heading(t) => {
                w.ensure(140.0);
                w.y += 8.0;
                w.para(&t, 13.0, true, ACCENT, 0.0, 0.0);
                let y = w.y + 1.0;
                w.line(MARGIN, y, MARGIN + CONTENT_W, y, ACCENT, 1.2);
                w.y += 6.0;
            }
            Block::Subheading(t) => {
                w.ensure(50.0);
                w.y += 4.0;
                w.para(&t, 10.5, true, INK, 0.0, 3.0);
            }
            Block::Para(t) => w.para(&t, 9.0, false, INK, 0.0, 5.0),
            Block::Formula(t) => w.para(&t, 8.5, false, ACCENT, 8.0, 5.0),
            Block::Note(t) => w.para(&t, 7.0, false, MUTED, 0.0, 1.0),
            Block::Chart(c) => w.chart(&c),
            Block::Table { header, rows, widths, align, total_rows } => w.table(&header, &rows, &widths, &align, total_rows),
        }
    }
    Ok(w.finish(&input.title))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_a_pdf() {
        let bytes = pdf(&ReportInput::new("Test £ report")).unwrap();
        assert!(bytes.starts_with(b"%PDF-"));
        let s = String::from_utf8_lossy(&bytes);
        assert!(s.contains("/Helvetica"));
        assert!(s.contains("%%EOF"));
    }
}
