//! Breakdowns by ethnicity, disability and sexual orientation (000 §2.2.3,
//! §2.2.6, §2.2.7, Table 2) and access ratios: people served ÷ people
//! expected (000 §2.6.2, Table 7).
use std::collections::BTreeMap;
use std::io::Read;

use serde::{Deserialize, Serialize};

use crate::error::{NeedsError, Result};
use crate::figure::{FigureBuilder, Section, ratio};
use crate::format::{Unit, num, pct};
use crate::input::{parse_toml, read_text};
use crate::rounding::Rounding;
use crate::values::{NonNeg, Percent};

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GroupsArea {
    pub name: String,
    pub source: Option<String>,
}

/// victims = base population × share in the group × prevalence in the group.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BreakdownConfig {
    pub id: String,
    pub label: String,
    /// `ethnicity`, `disability`, `sexual_orientation` or any other heading.
    pub dimension: String,
    /// `female`, `male` or `all`: shown in tables only.
    pub sex: Option<String>,
    /// Population the shares apply to (for example adults 16+).
    pub base: NonNeg,
    /// Share of the base in the group; 100 if not given.
    pub share_percent: Option<Percent>,
    pub prevalence_percent: Percent,
    pub source: Option<String>,
}

/// ratio = served ÷ expected.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AccessConfig {
    pub id: String,
    pub label: String,
    /// Expected number affected a year, as a number…
    pub expected: Option<NonNeg>,
    /// …or as the sum of breakdown figures (rounded as published).
    pub expected_from: Option<Vec<String>>,
    pub served: NonNeg,
    pub source: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GroupsConfig {
    pub area: GroupsArea,
    #[serde(default)]
    pub breakdown: Vec<BreakdownConfig>,
    #[serde(default)]
    pub access: Vec<AccessConfig>,
    #[serde(default)]
    pub rounding: BTreeMap<toml::Spanned<String>, Rounding>,
}

/// One access ratio, for tables and the chart.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AccessRow {
    pub id: String,
    pub label: String,
    pub expected: f64,
    pub served: f64,
    pub percent: f64,
    pub percent_rounded: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GroupsReport {
    pub area: String,
    pub sections: Vec<Section>,
    pub access: Vec<AccessRow>,
}

impl GroupsReport {
    pub fn figure(&self, id: &str) -> Option<&crate::figure::Figure> {
        self.sections.iter().flat_map(|s| s.figures.iter()).find(|f| f.id == id)
    }
}

/// Read a groups config (TOML).
pub fn read_groups<R: Read>(file: &str, reader: R) -> Result<(String, GroupsConfig)> {
    let text = read_text(file, reader)?;
    let cfg: GroupsConfig = parse_toml(file, &text)?;
    Ok((text, cfg))
}

fn title(dimension: &str) -> String {
    match dimension {
        "ethnicity" => "Victims by ethnic group".to_string(),
        "disability" => "Victims with a disability or limiting illness".to_string(),
        "sexual_orientation" => "Lesbian, gay and bisexual victims".to_string(),
        other => format!("Victims by {}", other.replace('_', " ")),
    }
}

/// Run the breakdown and access models.
pub fn groups(file: &str, text: &str, cfg: &GroupsConfig) -> Result<GroupsReport> {
    let mut b = FigureBuilder::with_overrides(file, text, &cfg.rounding);
    let inputs = |s: &Option<String>| s.as_deref().or(cfg.area.source.as_deref()).unwrap_or("the groups config file").to_string();
    let mut sections: Vec<Section> = Vec::new();
    let mut published: BTreeMap<String, f64> = BTreeMap::new();
    for g in &cfg.breakdown {
        if published.contains_key(&g.id) {
            return Err(NeedsError::model("[[breakdown]]", format!("two breakdowns have the id `{}`", g.id)));
        }
        let share = g.share_percent.map_or(1.0, Percent::frac);
        let share_text = g.share_percent.map(|p| format!(" × {}", pct(p.get()))).unwrap_or_default();
        let v = g.base.get() * share * g.prevalence_percent.frac();
        let method = "000 §2.2.3-2.2.7, Table 2 (base population × share in group × prevalence in group)";
        let f = b.fig(
            &format!("breakdown.{}", g.id),
            &g.label,
            v,
            Unit::Count,
            Rounding::Nearest(1.0),
            format!("{}{share_text} × {}", num(g.base.get()), pct(g.prevalence_percent.get())),
            &format!("Method: {method}. Inputs: {}", inputs(&g.source)),
        );
        published.insert(g.id.clone(), f.rounded);
        let sid = format!("breakdown.{}", g.dimension);
        match sections.iter_mut().find(|s| s.id == sid) {
            Some(s) => s.figures.push(f),
            None => {
                let mut s = Section::new(&sid, &title(&g.dimension));
                s.figures.push(f);
                sections.push(s);
            }
        }
    }
    let mut access = Vec::new();
    if !cfg.access.is_empty() {
        let mut sec = Section::new("access", "Access: people served ÷ people expected");
        for a in &cfg.access {
            let (expected, how) = match (&a.expected, &a.expected_from) {
                (Some(e), None) => (e.get(), num(e.get())),
                (None, Some(ids)) if !ids.is_empty() => {
                    let mut sum = 0.0;
                    for id in ids {
                        sum += published.get(id).copied().ok_or_else(|| {
                            NeedsError::model(
                                format!("[[access]] `{}`", a.id),
                                format!("expected_from names `{id}`, which is not a [[breakdown]] id"),
                            )
                        })?;
                    }
                    (
                        sum,
                        format!("({})", ids.iter().map(|i| num(published.get(i).copied().unwrap_or(0.0))).collect::<Vec<_>>().join(" + ")),
                    )
                }
                _ => return Err(NeedsError::model(format!("[[access]] `{}`", a.id), "give exactly one of `expected` or `expected_from`")),
            };
            let p = ratio(a.served.get(), expected, &format!("access `{}` expected", a.id))? * 100.0;
            let f = b.fig(
                &format!("access.{}", a.id),
                &a.label,
                p,
                Unit::Percent,
                Rounding::Significant(2),
                format!("{} ÷ {} × 100", num(a.served.get()), how),
                &format!(
                    "Method: 000 §2.6.2, Table 7 (people receiving a service ÷ people expected to be affected). Inputs: {}",
                    inputs(&a.source)
                ),
            );
            access.push(AccessRow {
                id: a.id.clone(),
                label: a.label.clone(),
                expected,
                served: a.served.get(),
                percent: p,
                percent_rounded: f.rounded,
            });
            sec.figures.push(f);
        }
        sections.push(sec);
    }
    let known: Vec<String> = sections.iter().flat_map(|s| s.figures.iter().map(|f| f.id.clone())).collect();
    b.check_unused(file, &known)?;
    Ok(GroupsReport { area: cfg.area.name.clone(), sections, access })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(t: &str) -> Result<GroupsReport> {
        let (text, cfg) = read_groups("g.toml", t.as_bytes())?;
        groups("g.toml", &text, &cfg)
    }

    #[test]
    fn breakdown_and_access() {
        let t = "[area]\nname='H'\n[[breakdown]]\nid='a'\nlabel='A'\ndimension='ethnicity'\nbase=1000\nshare_percent=10\nprevalence_percent=5\n[[breakdown]]\nid='b'\nlabel='B'\ndimension='ethnicity'\nbase=1000\nshare_percent=10\nprevalence_percent=5\n[[access]]\nid='ab'\nlabel='AB'\nexpected_from=['a','b']\nserved=2\n";
        let r = run(t).unwrap();
        assert_eq!(r.figure("breakdown.a").unwrap().rounded, 5.0);
        assert_eq!(r.access[0].expected, 10.0);
        assert_eq!(r.access[0].percent_rounded, 20.0);
    }

    #[test]
    fn access_needs_exactly_one_expected() {
        let e = run("[area]\nname='H'\n[[access]]\nid='x'\nlabel='X'\nserved=1\n").unwrap_err();
        assert!(e.to_string().contains("exactly one"), "{e}");
        let e = run("[area]\nname='H'\n[[access]]\nid='x'\nlabel='X'\nexpected_from=['nope']\nserved=1\n").unwrap_err();
        assert!(e.to_string().contains("`nope`"), "{e}");
    }

    #[test]
    fn errors_are_located() {
        let e = run("[area]\nname='H'\n[[breakdown]]\nid='a'\nlabel='A'\ndimension='x'\nbase=-5\nprevalence_percent=5\n").unwrap_err();
        assert!(e.to_string().starts_with("g.toml:7:"), "{e}");
    }
}
