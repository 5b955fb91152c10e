//! `haven link …`: probabilistic record linkage (issue 5).
//!
//! `haven link dedupe INPUT.csv --id COLUMN --out CLUSTERS.csv`
//! `haven link pair LEFT.csv RIGHT.csv --id COLUMN --out CLUSTERS.csv`
//! `haven link generate --n N --dup-share X --seed S --out FILE.csv`
//! `haven link explain INPUT.csv --id COLUMN ID1 ID2`
//!
//! See docs/linkage.md for the method and the configuration file.

use std::fs::File;
use std::io::{BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Instant;

use anyhow::{Context, Result, anyhow, bail};
use clap::{Args, Subcommand};
use haven_linkage::{
    BlockingRule, BlockingSettings, ClusterSettings, FIELDS, Layout, Linkage, Linker, Model, Progress, Record, Settings, Thresholds,
    TrainingSettings, generate, read_records,
};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use serde::Deserialize;

#[derive(Debug, Args)]
pub struct LinkArgs {
    #[command(subcommand)]
    command: LinkCommand,
}

#[derive(Debug, Subcommand)]
enum LinkCommand {
    /// Find records of the same person within one file.
    Dedupe(DedupeArgs),
    /// Link two files: which records in LEFT and RIGHT are the same person.
    Pair(PairArgs),
    /// Write synthetic people with a known share of duplicates (for tests
    /// and benchmarks); the `person_id` column holds the truth.
    Generate(GenerateArgs),
    /// Score two records of a file and show each field's contribution.
    Explain(ExplainArgs),
    /// Link every person record in a Haven database now (the server also
    /// does this on a schedule); uncertain pairs go to the review queue.
    People {
        #[arg(long)]
        db: std::path::PathBuf,
    },
}

#[derive(Debug, Args)]
struct Common {
    /// Output CSV: one row per input record, `id,cluster_id`.
    #[arg(long)]
    out: PathBuf,
    /// Also write the scored pairs (at or above the review threshold) here.
    #[arg(long)]
    pairs: Option<PathBuf>,
    /// TOML file: column layout and linkage settings (docs/linkage.md).
    #[arg(long)]
    config: Option<PathBuf>,
    /// Accept threshold: match probability at or above which two records
    /// are the same person [default 0.9, or the config's].
    #[arg(long, alias = "accept")]
    threshold: Option<f64>,
    /// Review threshold: pairs from here up to the accept threshold are
    /// for a person to review [default 0.2, or the config's].
    #[arg(long)]
    review: Option<f64>,
    /// Reject threshold: below it two records are clearly different people,
    /// and no cluster holds such a pair [default 0.005, or the config's].
    #[arg(long)]
    reject: Option<f64>,
    /// Use this model (JSON, as written by --model-out) instead of training.
    #[arg(long)]
    model: Option<PathBuf>,
    /// Write the model used (trained or given) as JSON.
    #[arg(long)]
    model_out: Option<PathBuf>,
    /// Treat unreadable dates of birth as missing instead of stopping.
    #[arg(long)]
    lenient_dates: bool,
    /// No summary on stderr.
    #[arg(long, short)]
    quiet: bool,
}

#[derive(Debug, Args)]
struct DedupeArgs {
    /// Input CSV with a header line.
    input: PathBuf,
    /// Column holding each record's id.
    #[arg(long)]
    id: String,
    #[command(flatten)]
    common: Common,
}

#[derive(Debug, Args)]
struct PairArgs {
    left: PathBuf,
    right: PathBuf,
    /// Id column in both files (unless --left-id / --right-id).
    #[arg(long)]
    id: Option<String>,
    #[arg(long)]
    left_id: Option<String>,
    #[arg(long)]
    right_id: Option<String>,
    /// Each file is free of duplicates: at most one record per file in a cluster.
    #[arg(long)]
    one_to_one: bool,
    #[command(flatten)]
    common: Common,
}

#[derive(Debug, Args)]
struct GenerateArgs {
    /// Number of records.
    #[arg(long)]
    n: usize,
    /// Share of records that duplicate another record's person.
    #[arg(long, default_value_t = 0.2)]
    dup_share: f64,
    #[arg(long, default_value_t = 1)]
    seed: u64,
    #[arg(long)]
    out: PathBuf,
}

#[derive(Debug, Args)]
struct ExplainArgs {
    input: PathBuf,
    #[arg(long)]
    id: String,
    /// The two record ids.
    first: String,
    second: String,
    /// Model JSON (from --model-out); the default model otherwise.
    #[arg(long)]
    model: Option<PathBuf>,
    #[arg(long)]
    config: Option<PathBuf>,
    #[arg(long)]
    lenient_dates: bool,
}

/// The configuration file.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Config {
    /// Layout of the input (both inputs for `pair`, unless `left`/`right`).
    columns: Option<Layout>,
    left: Option<Layout>,
    right: Option<Layout>,
    thresholds: Option<Thresholds>,
    blocking: Option<BlockingSettings>,
    training: Option<TrainingSettings>,
    clustering: Option<ClusterSettings>,
}

fn load_config(path: Option<&Path>) -> Result<Config> {
    let Some(path) = path else {
        return Ok(Config::default());
    };
    let text = std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    toml::from_str(&text).map_err(|e| anyhow!("{}: {e}", path.display()))
}

fn settings(config: &Config, common: &Common, one_to_one: bool) -> Settings {
    let mut s = Settings::default();
    if let Some(t) = config.thresholds {
        s.thresholds = t;
    }
    if let Some(b) = &config.blocking {
        s.blocking = b.clone();
    }
    if let Some(t) = &config.training {
        s.training = t.clone();
    }
    if let Some(c) = &config.clustering {
        s.clustering = c.clone();
    }
    if let Some(a) = common.threshold {
        s.thresholds.accept = a;
    }
    if let Some(r) = common.review {
        s.thresholds.review = r;
    }
    if let Some(r) = common.reject {
        s.thresholds.reject = r;
    }
    if one_to_one {
        s.clustering.one_to_one = true;
    }
    s
}

fn layout_for(specific: Option<&Layout>, general: Option<&Layout>, id: &str, lenient: bool) -> Layout {
    let mut l = match specific.or(general) {
        Some(l) => l.clone(),
        None => Layout::standard(id),
    };
    l.id = Some(id.to_string());
    if lenient {
        l.invalid_dates = haven_linkage::InvalidDates::Missing;
    }
    l
}

fn read(path: &Path, layout: &Layout, quiet: bool) -> Result<Vec<Record>> {
    let file = File::open(path).with_context(|| format!("opening {}", path.display()))?;
    let loaded = read_records(BufReader::with_capacity(1 << 20, file), layout).map_err(|e| anyhow!("{}: {e}", path.display()))?;
    if loaded.blanked_dates > 0 && !quiet {
        eprintln!("{}: {} unreadable dates of birth treated as missing", path.display(), loaded.blanked_dates);
    }
    Ok(loaded.records)
}

fn load_model(path: Option<&Path>) -> Result<Option<Model>> {
    let Some(path) = path else { return Ok(None) };
    let text = std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    let model: Model = serde_json::from_str(&text).map_err(|e| anyhow!("{}: {e}", path.display()))?;
    Ok(Some(model))
}

fn linker(settings: Settings, model: Option<Model>) -> Result<Linker> {
    Ok(match model {
        Some(m) => Linker::with_model(settings, m)?,
        None => Linker::new(settings)?,
    })
}

/// A progress bar on stderr, drawn only when stderr is a terminal; it also
/// times each stage for the summary.
struct Bar {
    bar: ProgressBar,
    stages: Mutex<Vec<(String, Instant)>>,
}

impl Bar {
    fn new(quiet: bool) -> Bar {
        let target = if quiet { ProgressDrawTarget::hidden() } else { ProgressDrawTarget::stderr() };
        let bar = ProgressBar::with_draw_target(Some(0), target);
        if let Ok(style) = ProgressStyle::with_template("{msg:32} [{elapsed_precise}] {wide_bar} {percent:>3}% {eta}") {
            bar.set_style(style);
        }
        Bar { bar, stages: Mutex::new(Vec::new()) }
    }

    /// "stage 1.2 s, stage 0.3 s, …" up to `end`.
    fn timings(&self, end: Instant) -> String {
        let stages = self.stages.lock().map(|s| s.clone()).unwrap_or_default();
        let mut out = Vec::new();
        for (i, (name, start)) in stages.iter().enumerate() {
            let stop = stages.get(i + 1).map(|s| s.1).unwrap_or(end);
            out.push(format!("{name} {:.2} s", stop.duration_since(*start).as_secs_f64()));
        }
        out.join(", ")
    }
}

impl Progress for Bar {
    fn start(&self, stage: &str, total: u64) {
        if let Ok(mut s) = self.stages.lock() {
            s.push((stage.to_string(), Instant::now()));
        }
        self.bar.reset();
        self.bar.set_length(total);
        self.bar.set_position(0);
        self.bar.set_message(stage.to_string());
    }
    fn set(&self, done: u64) {
        self.bar.set_position(done);
    }
    fn finish(&self) {
        let len = self.bar.length().unwrap_or(0);
        self.bar.set_position(len);
    }
}

fn create(path: &Path) -> Result<BufWriter<File>> {
    let f = File::create(path).with_context(|| format!("creating {}", path.display()))?;
    Ok(BufWriter::with_capacity(1 << 20, f))
}

fn write_clusters(path: &Path, linkage: &Linkage, left: &[Record], right: Option<&[Record]>) -> Result<()> {
    let mut w = csv::Writer::from_writer(create(path)?);
    if right.is_some() {
        w.write_record(["id", "cluster_id", "source"])?;
    } else {
        w.write_record(["id", "cluster_id"])?;
    }
    for (i, r) in left.iter().enumerate() {
        let c = linkage.cluster_of_left(i).unwrap_or(u32::MAX).to_string();
        if right.is_some() {
            w.write_record([r.id.as_str(), c.as_str(), "left"])?;
        } else {
            w.write_record([r.id.as_str(), c.as_str()])?;
        }
    }
    for (i, r) in right.unwrap_or(&[]).iter().enumerate() {
        let c = linkage.cluster_of_right(i).unwrap_or(u32::MAX).to_string();
        w.write_record([r.id.as_str(), c.as_str(), "right"])?;
    }
    w.flush().with_context(|| format!("writing {}", path.display()))?;
    Ok(())
}

fn write_pairs(path: &Path, linkage: &Linkage, left: &[Record], right: &[Record]) -> Result<()> {
    let mut w = csv::Writer::from_writer(create(path)?);
    let mut header = vec!["id_left", "id_right", "match_weight", "probability", "decision"];
    header.extend(FIELDS.iter().map(|f| f.name()));
    w.write_record(&header)?;
    for p in &linkage.pairs {
        let (Some(a), Some(b)) = (left.get(p.left), right.get(p.right)) else {
            continue;
        };
        let mut row = vec![
            a.id.clone(),
            b.id.clone(),
            format!("{:.3}", p.match_weight),
            format!("{:.6}", p.probability),
            p.decision.as_str().to_string(),
        ];
        for (f, l) in FIELDS.iter().zip(p.levels) {
            row.push(match l {
                Some(l) => f.levels().get(usize::from(l)).copied().unwrap_or("?").to_string(),
                None => "missing".to_string(),
            });
        }
        w.write_record(&row)?;
    }
    w.flush().with_context(|| format!("writing {}", path.display()))?;
    Ok(())
}

fn finish(
    common: &Common,
    bar: &Bar,
    rules: &[BlockingRule],
    linkage: &Linkage,
    left: &[Record],
    right: Option<&[Record]>,
    started: Instant,
) -> Result<()> {
    let linked = Instant::now();
    write_clusters(&common.out, linkage, left, right)?;
    if let Some(p) = &common.pairs {
        write_pairs(p, linkage, left, right.unwrap_or(left))?;
    }
    if let Some(p) = &common.model_out {
        let json = serde_json::to_string_pretty(&linkage.model)?;
        std::fs::write(p, json).with_context(|| format!("writing {}", p.display()))?;
    }
    if !common.quiet {
        let s = &linkage.stats;
        let rules: Vec<String> = rules.iter().map(|r| r.name()).zip(&s.blocking.pairs_per_rule).map(|(r, n)| format!("{r} {n}")).collect();
        eprintln!(
            "blocking: {}; {} oversized blocks split, {} windowed",
            rules.join(", "),
            s.blocking.split_blocks,
            s.blocking.windowed_blocks
        );
        eprintln!("stages: {}, writing {:.2} s", bar.timings(linked), linked.elapsed().as_secs_f64());
        let multi = linkage.groups().len();
        eprintln!(
            "{} records, {} candidate pairs compared, {} accepted, {} to review; {} clusters ({} with 2+ records); \
             {} merges refused by the reject threshold; {} model; {:.2} s",
            s.records,
            s.blocking.candidate_pairs,
            s.accepted_pairs,
            s.review_pairs,
            s.clusters,
            multi,
            s.clustering.refused_reject,
            if s.trained { "trained" } else { "given/default" },
            started.elapsed().as_secs_f64()
        );
    }
    Ok(())
}

fn dedupe(a: DedupeArgs) -> Result<()> {
    let started = Instant::now();
    let config = load_config(a.common.config.as_deref())?;
    let layout = layout_for(None, config.columns.as_ref(), &a.id, a.common.lenient_dates);
    let linker = linker(settings(&config, &a.common, false), load_model(a.common.model.as_deref())?)?;
    let bar = Bar::new(a.common.quiet);
    bar.start("reading", 0);
    let records = read(&a.input, &layout, a.common.quiet)?;
    let linkage = linker.dedupe(&records, &bar)?;
    bar.bar.finish_and_clear();
    finish(&a.common, &bar, &linker.settings().blocking.rules, &linkage, &records, None, started)
}

fn pair(a: PairArgs) -> Result<()> {
    let started = Instant::now();
    let config = load_config(a.common.config.as_deref())?;
    let left_id = a.left_id.as_ref().or(a.id.as_ref()).ok_or_else(|| anyhow!("give --id (or --left-id and --right-id)"))?;
    let right_id = a.right_id.as_ref().or(a.id.as_ref()).ok_or_else(|| anyhow!("give --id (or --left-id and --right-id)"))?;
    let lenient = a.common.lenient_dates;
    let left_layout = layout_for(config.left.as_ref(), config.columns.as_ref(), left_id, lenient);
    let right_layout = layout_for(config.right.as_ref(), config.columns.as_ref(), right_id, lenient);
    let linker = linker(settings(&config, &a.common, a.one_to_one), load_model(a.common.model.as_deref())?)?;
    let bar = Bar::new(a.common.quiet);
    bar.start("reading", 0);
    let left = read(&a.left, &left_layout, a.common.quiet)?;
    let right = read(&a.right, &right_layout, a.common.quiet)?;
    let linkage = linker.link(&left, &right, &bar)?;
    bar.bar.finish_and_clear();
    finish(&a.common, &bar, &linker.settings().blocking.rules, &linkage, &left, Some(&right), started)
}

fn generate_cmd(a: GenerateArgs) -> Result<()> {
    let g = generate::generate(&generate::GeneratorSettings { n: a.n, duplicate_share: a.dup_share, seed: a.seed })?;
    let mut w = create(&a.out)?;
    generate::write_csv(&mut w, &g).map_err(|e| anyhow!("{}: {e}", a.out.display()))?;
    w.flush().with_context(|| format!("writing {}", a.out.display()))?;
    Ok(())
}

fn explain(a: ExplainArgs) -> Result<()> {
    let config = load_config(a.config.as_deref())?;
    let layout = layout_for(None, config.columns.as_ref(), &a.id, a.lenient_dates);
    let records = read(&a.input, &layout, true)?;
    let find =
        |id: &str| records.iter().find(|r| r.id == id).ok_or_else(|| anyhow!("{}: no record with {} = {id}", a.input.display(), a.id));
    let (x, y) = (find(&a.first)?, find(&a.second)?);
    let model = load_model(a.model.as_deref())?.unwrap_or_default();
    let e = model.explain(x, y);
    let t = config.thresholds.unwrap_or_default();
    let mut out = std::io::stdout().lock();
    writeln!(out, "{e}")?;
    writeln!(out, "decision: {}", t.decide(e.probability).as_str())?;
    Ok(())
}

pub fn run(args: LinkArgs) -> Result<()> {
    match args.command {
        LinkCommand::Dedupe(a) => dedupe(a),
        LinkCommand::Pair(a) => pair(a),
        LinkCommand::Generate(a) => generate_cmd(a),
        LinkCommand::People { db } => people(&db),
        LinkCommand::Explain(a) => {
            if a.first == a.second {
                bail!("give two different record ids");
            }
            explain(a)
        }
    }
}

/// `haven link people`: run the linkage over a database's people.
fn people(db: &std::path::Path) -> Result<()> {
    use haven_store::LinkingStore;
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    rt.block_on(async {
        let store = haven_store::SqliteStore::open(db).await?;
        let run = store.run_linkage(&haven_store::Ctx::system("cli")).await?;
        println!(
            "link run {}: {} records, {} pairs linked, {} pairs for review ({} already rejected), {} clusters of 2+",
            run.id, run.records, run.accepted_pairs, run.review_pairs, run.review_pairs_skipped, run.clusters
        );
        Ok(())
    })
}
