//! Charts as a list of drawing primitives in a y-down coordinate space, so
//! that the HTML (SVG) and PDF renderers draw exactly the same picture.
use crate::format::{number, short};
use crate::report::text::text_width;

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Color(pub u8, pub u8, pub u8);

impl Color {
    pub fn hex(self) -> String {
        format!("#{:02x}{:02x}{:02x}", self.0, self.1, self.2)
    }
    pub fn unit(self) -> (f32, f32, f32) {
        (f32::from(self.0) / 255.0, f32::from(self.1) / 255.0, f32::from(self.2) / 255.0)
    }
}

pub const FEMALE: Color = Color(0x76, 0x2a, 0x83);
pub const MALE: Color = Color(0x1b, 0x78, 0x37);
pub const ALL: Color = Color(0xd9, 0x5f, 0x02);
pub const NEED: Color = Color(0xbd, 0xbd, 0xbd);
pub const CURRENT: Color = Color(0x21, 0x66, 0xac);
pub const INK: Color = Color(0x22, 0x22, 0x22);
pub const GRID: Color = Color(0xdd, 0xdd, 0xdd);
pub const PALETTE: [Color; 5] = [CURRENT, ALL, FEMALE, MALE, Color(0x66, 0x66, 0x66)];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Anchor {
    Start,
    Middle,
    End,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Prim {
    Rect { x: f32, y: f32, w: f32, h: f32, fill: Color },
    Line { x1: f32, y1: f32, x2: f32, y2: f32, stroke: Color, width: f32 },
    Text { x: f32, y: f32, text: String, size: f32, anchor: Anchor, bold: bool, fill: Color },
}

/// A finished chart: its size, the primitives and a text description.
#[derive(Debug, Clone, PartialEq)]
pub struct Chart {
    pub title: String,
    pub width: f32,
    pub height: f32,
    pub prims: Vec<Prim>,
    /// Plain-text description for screen readers.
    pub alt: String,
}

/// One series of a grouped bar chart.
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    pub name: String,
    pub color: Color,
    pub values: Vec<Option<f64>>,
}

fn text(x: f32, y: f32, s: &str, size: f32, anchor: Anchor) -> Prim {
    Prim::Text { x, y, text: s.to_string(), size, anchor, bold: false, fill: INK }
}

/// Round step for axis ticks: 1, 2, 2.5 or 5 × 10ⁿ, about `n` ticks to `max`.
pub fn nice_step(max: f64, n: f64) -> f64 {
    if max <= 0.0 || !max.is_finite() {
        return 1.0;
    }
    let raw = max / n;
    let mag = 10f64.powf(raw.log10().floor());
    let norm = raw / mag;
    let step = if norm <= 1.0 {
        1.0
    } else if norm <= 2.0 {
        2.0
    } else if norm <= 2.5 {
        2.5
    } else if norm <= 5.0 {
        5.0
    } else {
        10.0
    };
    step * mag
}

fn fmt_tick(v: f64) -> String {
    if v.abs() >= 1e6 { format!("{}m", short(v / 1e6, 2)) } else { short(v, 2).to_string() }
}

/// `s`, shortened with an ellipsis to fit `width` at `size`.
pub fn fit(s: &str, size: f32, width: f32) -> String {
    if text_width(s, size, false) <= width {
        return s.to_string();
    }
    let mut out = String::new();
    for ch in s.chars() {
        out.push(ch);
        if text_width(&out, size, false) + text_width("…", size, false) > width {
            out.pop();
            break;
        }
    }
    format!("{}…", out.trim_end())
}

/// 1,300,000 → "1.3m", 812,000 → "812k", 950 → "950".
pub fn compact(v: f64) -> String {
    if v.abs() >= 1e6 {
        format!("{}m", short(v / 1e6, 2))
    } else if v.abs() >= 1e4 {
        format!("{}k", short(v / 1e3, 1))
    } else {
        number(v, 0)
    }
}

/// Vertical grouped bars: one group per category, one bar per series.
pub fn grouped_bars(title: &str, y_label: &str, categories: &[String], series: &[Series]) -> Chart {
    let width = 640.0f32;
    let height = 300.0f32;
    let (left, right, top, bottom) = (62.0f32, 12.0f32, 40.0f32, 52.0f32);
    let plot_w = width - left - right;
    let plot_h = height - top - bottom;
    let max = series.iter().flat_map(|s| s.values.iter().flatten()).fold(0.0f64, |a, &b| a.max(b));
    let step = nice_step(max, 5.0);
    let top_value = (max / step).ceil().max(1.0) * step;
    let mut prims = Vec::new();
    // Legend.
    let mut lx = left;
    for s in series {
        prims.push(Prim::Rect { x: lx, y: 14.0, w: 10.0, h: 10.0, fill: s.color });
        prims.push(text(lx + 14.0, 23.0, &s.name, 11.0, Anchor::Start));
        lx += 14.0 + text_width(&s.name, 11.0, false) + 18.0;
    }
    // Grid and y axis.
    let mut v = 0.0;
    while v <= top_value + step / 2.0 {
        let y = top + plot_h - (v / top_value) as f32 * plot_h;
        prims.push(Prim::Line { x1: left, y1: y, x2: left + plot_w, y2: y, stroke: GRID, width: 0.8 });
        prims.push(text(left - 6.0, y + 4.0, &fmt_tick(v), 10.0, Anchor::End));
        v += step;
    }
    prims.push(Prim::Text { x: 12.0, y: top - 10.0, text: y_label.to_string(), size: 10.0, anchor: Anchor::Start, bold: false, fill: INK });
    let n = categories.len().max(1) as f32;
    let group_w = plot_w / n;
    let k = series.len().max(1) as f32;
    let bar_w = (group_w * 0.8 / k).min(36.0);
    let label_size = if n > 12.0 { 8.0 } else { 10.0 };
    for (ci, cat) in categories.iter().enumerate() {
        let gx = left + group_w * ci as f32 + (group_w - bar_w * k) / 2.0;
        for (si, s) in series.iter().enumerate() {
            if let Some(Some(val)) = s.values.get(ci) {
                let h = (*val / top_value) as f32 * plot_h;
                let x = gx + bar_w * si as f32;
                prims.push(Prim::Rect { x, y: top + plot_h - h, w: bar_w - 1.0, h, fill: s.color });
                if n * k <= 24.0 {
                    let label = if max >= 100_000.0 { compact(*val) } else { number(*val, 0) };
                    prims.push(text(x + bar_w / 2.0, top + plot_h - h - 3.0, &label, 8.0, Anchor::Middle));
                }
            }
        }
        prims.push(text(left + group_w * (ci as f32 + 0.5), top + plot_h + 14.0, cat, label_size, Anchor::Middle));
    }
    prims.push(Prim::Line { x1: left, y1: top + plot_h, x2: left + plot_w, y2: top + plot_h, stroke: INK, width: 1.0 });
    let alt = series
        .iter()
        .map(|s| {
            let vals: Vec<String> =
                categories.iter().zip(&s.values).filter_map(|(c, v)| v.map(|v| format!("{c}: {}", number(v, 0)))).collect();
            format!("{}: {}", s.name, vals.join(", "))
        })
        .collect::<Vec<_>>()
        .join("; ");
    Chart { title: title.to_string(), width, height, prims, alt }
}

/// One horizontal bar: label, value, text shown after the bar.
#[derive(Debug, Clone, PartialEq)]
pub struct HBar {
    pub label: String,
    pub value: f64,
    pub note: String,
}

/// Horizontal bars against an axis from 0 to at least `min_max` (e.g. 100
/// for "% of need met", with a marker line at `marker`).
pub fn hbars(title: &str, axis_label: &str, bars: &[HBar], min_max: f64, marker: Option<f64>, color: Color) -> Chart {
    let width = 640.0f32;
    let label_w = bars.iter().map(|b| text_width(&b.label, 10.0, false)).fold(80.0f32, f32::max).min(250.0) + 16.0;
    let note_w = bars.iter().map(|b| text_width(&b.note, 9.0, false)).fold(40.0f32, f32::max).min(200.0) + 8.0;
    let row_h = 24.0f32;
    let top = 16.0f32;
    let height = top + row_h * bars.len() as f32 + 34.0;
    let left = label_w;
    let plot_w = (width - left - note_w - 8.0).max(120.0);
    let max = bars.iter().map(|b| b.value).fold(min_max, f64::max);
    let step = nice_step(max, 5.0);
    let top_value = (max / step).ceil().max(1.0) * step;
    let mut prims = Vec::new();
    let plot_h = row_h * bars.len() as f32;
    let mut v = 0.0;
    while v <= top_value + step / 2.0 {
        let x = left + (v / top_value) as f32 * plot_w;
        prims.push(Prim::Line { x1: x, y1: top, x2: x, y2: top + plot_h, stroke: GRID, width: 0.8 });
        prims.push(text(x, top + plot_h + 13.0, &fmt_tick(v), 9.0, Anchor::Middle));
        v += step;
    }
    prims.push(text(left + plot_w / 2.0, top + plot_h + 28.0, axis_label, 10.0, Anchor::Middle));
    for (i, b) in bars.iter().enumerate() {
        let y = top + row_h * i as f32;
        let w = ((b.value / top_value) as f32 * plot_w).max(0.0);
        prims.push(text(left - 8.0, y + row_h / 2.0 + 4.0, &fit(&b.label, 10.0, left - 10.0), 10.0, Anchor::End));
        prims.push(Prim::Rect { x: left, y: y + 4.0, w, h: row_h - 8.0, fill: color });
        prims.push(text(left + w + 4.0, y + row_h / 2.0 + 4.0, &b.note, 9.0, Anchor::Start));
    }
    if let Some(m) = marker {
        let x = left + (m / top_value) as f32 * plot_w;
        prims.push(Prim::Line { x1: x, y1: top - 4.0, x2: x, y2: top + plot_h, stroke: INK, width: 1.2 });
    }
    prims.push(Prim::Line { x1: left, y1: top, x2: left, y2: top + plot_h, stroke: INK, width: 1.0 });
    let alt = bars.iter().map(|b| format!("{}: {}", b.label, b.note)).collect::<Vec<_>>().join("; ");
    Chart { title: title.to_string(), width, height, prims, alt }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nice_steps() {
        assert_eq!(nice_step(38_004.0, 5.0), 10_000.0);
        assert_eq!(nice_step(100.0, 5.0), 20.0);
        assert_eq!(nice_step(12.0, 5.0), 2.5);
        assert_eq!(nice_step(0.0, 5.0), 1.0);
    }

    #[test]
    fn long_labels_are_shortened() {
        let s = fit("Cluster C: Eastleigh, Test Valley, New Forest, Winchester", 10.0, 100.0);
        assert!(s.ends_with('…'));
        assert!(text_width(&s, 10.0, false) <= 100.0);
        assert_eq!(fit("short", 10.0, 100.0), "short");
    }

    #[test]
    fn compact_labels() {
        assert_eq!(compact(1_300_000.0), "1.3m");
        assert_eq!(compact(812_000.0), "812k");
        assert_eq!(compact(950.0), "950");
    }

    #[test]
    fn grouped_bars_draw_one_rect_per_value() {
        let c = grouped_bars(
            "t",
            "victims",
            &["16-19".into(), "20-24".into()],
            &[
                Series { name: "Women".into(), color: FEMALE, values: vec![Some(10.0), Some(20.0)] },
                Series { name: "Men".into(), color: MALE, values: vec![Some(5.0), None] },
            ],
        );
        let rects = c.prims.iter().filter(|p| matches!(p, Prim::Rect { .. })).count();
        assert_eq!(rects, 2 + 3); // legend + bars
        assert!(c.alt.contains("Women: 16-19: 10, 20-24: 20"));
    }

    #[test]
    fn hbars_scale_to_at_least_the_minimum() {
        let c = hbars("t", "%", &[HBar { label: "a".into(), value: 50.0, note: "50%".into() }], 100.0, Some(100.0), CURRENT);
        assert!(c.prims.iter().any(|p| matches!(p, Prim::Text { text, .. } if text == "100")));
    }
}
