//! `haven link …` end to end, on small files the tests write.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn haven(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_haven")).args(args).output().expect("run haven")
}

fn dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("haven-link-cli-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&d).expect("temp dir");
    d
}

fn s(p: &Path) -> &str {
    p.to_str().expect("utf-8 path")
}

fn read_csv(p: &Path) -> Vec<HashMap<String, String>> {
    let mut r = csv::Reader::from_path(p).expect("open csv");
    let headers = r.headers().expect("headers").clone();
    r.records()
        .map(|row| {
            let row = row.expect("row");
            headers.iter().zip(row.iter()).map(|(h, v)| (h.to_string(), v.to_string())).collect()
        })
        .collect()
}

fn ok(out: &Output) {
    assert!(out.status.success(), "haven failed: {}\n{}", String::from_utf8_lossy(&out.stderr), String::from_utf8_lossy(&out.stdout));
}

#[test]
fn generate_then_dedupe_finds_the_duplicates() {
    let d = dir("dedupe");
    let input = d.join("people.csv");
    let out = d.join("clusters.csv");
    let pairs = d.join("pairs.csv");
    let model = d.join("model.json");
    ok(&haven(&["link", "generate", "--n", "3000", "--dup-share", "0.2", "--seed", "5", "--out", s(&input)]));
    let run = haven(&["link", "dedupe", s(&input), "--id", "id", "--out", s(&out), "--pairs", s(&pairs), "--model-out", s(&model)]);
    ok(&run);
    let people = read_csv(&input);
    let clusters = read_csv(&out);
    assert_eq!(people.len(), 3000);
    assert_eq!(clusters.len(), 3000, "one row per input record");
    assert_eq!(csv::Reader::from_path(&out).expect("open").headers().expect("headers").iter().collect::<Vec<_>>(), ["id", "cluster_id"]);
    // Pairwise precision and recall against the generator's truth.
    let truth: HashMap<&str, &str> = people.iter().map(|r| (r["id"].as_str(), r["person_id"].as_str())).collect();
    let cluster: HashMap<&str, &str> = clusters.iter().map(|r| (r["id"].as_str(), r["cluster_id"].as_str())).collect();
    let ids: Vec<&str> = truth.keys().copied().collect();
    let (mut tp, mut predicted, mut actual) = (0u64, 0u64, 0u64);
    let mut by_cluster: HashMap<&str, Vec<&str>> = HashMap::new();
    for id in &ids {
        by_cluster.entry(cluster[id]).or_default().push(id);
    }
    for members in by_cluster.values() {
        for (i, a) in members.iter().enumerate() {
            for b in &members[i + 1..] {
                predicted += 1;
                if truth[a] == truth[b] {
                    tp += 1;
                }
            }
        }
    }
    let mut by_person: HashMap<&str, u64> = HashMap::new();
    for id in &ids {
        *by_person.entry(truth[id]).or_default() += 1;
    }
    for n in by_person.values() {
        actual += n * (n - 1) / 2;
    }
    let (p, r) = (tp as f64 / predicted as f64, tp as f64 / actual as f64);
    assert!(p > 0.8 && r > 0.75, "precision {p:.3} recall {r:.3}");
    let scored = read_csv(&pairs);
    assert!(!scored.is_empty());
    for key in ["id_left", "id_right", "match_weight", "probability", "decision", "given_name", "location"] {
        assert!(scored[0].contains_key(key), "pairs file lacks {key}");
    }
    assert!(std::fs::read_to_string(&model).expect("model").contains("\"prior\""));

    // The trained model can be reused, and explains a pair.
    let first = &scored[0];
    let explain = haven(&["link", "explain", s(&input), "--id", "id", &first["id_left"], &first["id_right"], "--model", s(&model)]);
    ok(&explain);
    let text = String::from_utf8_lossy(&explain.stdout);
    assert!(text.contains("given_name") && text.contains("match weight"), "{text}");
}

#[test]
fn pair_links_two_files() {
    let d = dir("pair");
    let left = d.join("police.csv");
    let right = d.join("idva.csv");
    let out = d.join("clusters.csv");
    std::fs::write(
        &left,
        "ref,given_name,family_name,date_of_birth,sex,postcode,address\n\
         P1,Sarah,Jones,1985-04-12,F,PO1 2AB,12 High Street\n\
         P2,Mark,Brown,1979-01-30,M,SO23 8UG,4 Elm Close\n\
         P3,Aisha,Khan,1992-11-02,F,RG1 4QP,\n",
    )
    .expect("write");
    std::fs::write(
        &right,
        "case_no,given_name,family_name,date_of_birth,sex,postcode,address\n\
         C9,Sally,Jones,1985-12-04,F,PO1 2AB,12 High St\n\
         C8,Aisha,Kahn,1992-11-02,,RG1 4QP,\n\
         C7,Peter,Wood,1960-06-06,M,BH1 1AA,\n",
    )
    .expect("write");
    ok(&haven(&["link", "pair", s(&left), s(&right), "--left-id", "ref", "--right-id", "case_no", "--out", s(&out), "--one-to-one"]));
    let rows = read_csv(&out);
    assert_eq!(rows.len(), 6);
    let c: HashMap<&str, &str> = rows.iter().map(|r| (r["id"].as_str(), r["cluster_id"].as_str())).collect();
    assert_eq!(c["P1"], c["C9"]);
    assert_eq!(c["P3"], c["C8"]);
    assert_ne!(c["P2"], c["C7"]);
    assert_ne!(c["P1"], c["P3"]);
    assert!(rows.iter().any(|r| r["source"] == "right"));
}

#[test]
fn bad_input_names_file_line_and_column() {
    let d = dir("bad");
    let input = d.join("referrals.csv");
    let out = d.join("clusters.csv");
    std::fs::write(&input, "id,given_name,family_name,date_of_birth\n1,Ann,Lee,1980-01-02\n2,Bob,Ray,1980-13-40\n").expect("write");
    let run = haven(&["link", "dedupe", s(&input), "--id", "id", "--out", s(&out)]);
    assert!(!run.status.success());
    let err = String::from_utf8_lossy(&run.stderr);
    assert!(err.contains("referrals.csv"), "{err}");
    assert!(err.contains("line 3"), "{err}");
    assert!(err.contains("date_of_birth"), "{err}");
    assert!(!out.exists(), "no output on error");

    let run = haven(&["link", "dedupe", s(&input), "--id", "person", "--out", s(&out)]);
    let err = String::from_utf8_lossy(&run.stderr);
    assert!(!run.status.success() && err.contains("'person'"), "{err}");

    std::fs::write(&input, "id,given_name\n1,Ann\n2,Bob,extra\n").expect("write");
    let run = haven(&["link", "dedupe", s(&input), "--id", "id", "--out", s(&out)]);
    let err = String::from_utf8_lossy(&run.stderr);
    assert!(!run.status.success() && err.contains("line 3"), "{err}");

    // Lenient dates: unreadable dates become missing.
    std::fs::write(&input, "id,date_of_birth\n1,1980-01-02\n2,1980-13-40\n").expect("write");
    ok(&haven(&["link", "dedupe", s(&input), "--id", "id", "--out", s(&out), "--lenient-dates", "-q"]));
    assert_eq!(read_csv(&out).len(), 2);
}

#[test]
fn config_maps_other_column_layouts() {
    let d = dir("config");
    let input = d.join("febrl.csv");
    let out = d.join("clusters.csv");
    let config = d.join("febrl.toml");
    std::fs::write(
        &input,
        "rec_id,given_name,surname,street_number,address_1,suburb,postcode,date_of_birth\n\
         rec-1-org,joshua,bishop,12,main street,kingston,2615,19560409\n\
         rec-1-dup-0,josh,bishpo,12,main st,kingston,2615,19560904\n\
         rec-2-org,emma,watson,3,high road,belconnen,2617,19801231\n",
    )
    .expect("write");
    std::fs::write(
        &config,
        "[columns]\nfamily_name = \"surname\"\ngiven_name = \"given_name\"\ndate_of_birth = \"date_of_birth\"\n\
         date_format = \"YYYYMMDD\"\npostcode = \"postcode\"\naddress = [\"street_number\", \"address_1\", \"suburb\"]\n\
         invalid_dates = \"missing\"\n\n[thresholds]\naccept = 0.9\nreview = 0.3\nreject = 0.01\n",
    )
    .expect("write");
    ok(&haven(&["link", "dedupe", s(&input), "--id", "rec_id", "--config", s(&config), "--out", s(&out)]));
    let rows = read_csv(&out);
    let c: HashMap<&str, &str> = rows.iter().map(|r| (r["id"].as_str(), r["cluster_id"].as_str())).collect();
    assert_eq!(c["rec-1-org"], c["rec-1-dup-0"]);
    assert_ne!(c["rec-1-org"], c["rec-2-org"]);

    // A config naming a column the file lacks is an error naming it.
    std::fs::write(&config, "[columns]\nsex = \"gender\"\n").expect("write");
    let run = haven(&["link", "dedupe", s(&input), "--id", "rec_id", "--config", s(&config), "--out", s(&out)]);
    let err = String::from_utf8_lossy(&run.stderr);
    assert!(!run.status.success() && err.contains("'gender'"), "{err}");
    // Unknown keys are rejected, not ignored.
    std::fs::write(&config, "[thresholds]\naccpet = 0.9\n").expect("write");
    let run = haven(&["link", "dedupe", s(&input), "--id", "rec_id", "--config", s(&config), "--out", s(&out)]);
    let err = String::from_utf8_lossy(&run.stderr);
    assert!(!run.status.success() && err.contains("accpet"), "{err}");
}
