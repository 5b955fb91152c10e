//! Browser tests: runs the node:test suites in `e2e/tests/` against this
//! build's `haven` binary, driving Debian's headless Chromium through
//! playwright-core.
//!
//! Needs `node`, `e2e/node_modules` (`npm ci` in `e2e/`) and Chromium at
//! `/usr/bin/chromium` (or `HAVEN_CHROMIUM`). When any is missing the test
//! prints a loud SKIPPED notice and passes, so `cargo test` works on a bare
//! machine — unless `HAVEN_REQUIRE_BROWSER=1` (as in `.ci/run`), when it fails.
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

/// Straight to stderr: libtest captures `eprintln!` of passing tests, and
/// these notices must be seen.
fn say(msg: &str) {
    let mut e = std::io::stderr().lock();
    let _ = writeln!(e, "{msg}");
    let _ = e.flush();
}

fn workspace_root() -> PathBuf {
    let here = Path::new(env!("CARGO_MANIFEST_DIR"));
    here.ancestors().nth(2).expect("crates/cli sits two levels below the workspace root").to_path_buf()
}

/// What the browser tests need and is not there, with how to get it.
fn missing(root: &Path) -> Vec<String> {
    let mut out = Vec::new();
    match Command::new("node").arg("--version").stdout(Stdio::null()).stderr(Stdio::null()).status() {
        Ok(s) if s.success() => {}
        _ => out.push("node (Node.js 20 or newer) on PATH: apt-get install -y nodejs npm".to_string()),
    }
    if !root.join("e2e/node_modules/playwright-core/package.json").is_file() {
        out.push(format!("{}: run `npm ci` in e2e/", root.join("e2e/node_modules/playwright-core").display()));
    }
    let chromium = std::env::var("HAVEN_CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".to_string());
    if !Path::new(&chromium).is_file() {
        out.push(format!("{chromium}: apt-get install -y chromium"));
    }
    out
}

#[test]
fn browser_tests_pass_in_headless_chromium() {
    let root = workspace_root();
    let required = std::env::var("HAVEN_REQUIRE_BROWSER").is_ok_and(|v| v == "1");
    let missing = missing(&root);
    if !missing.is_empty() {
        let list = missing.iter().map(|m| format!("  - {m}")).collect::<Vec<_>>().join("\n");
        if required {
            panic!("HAVEN_REQUIRE_BROWSER=1 but the browser tests cannot run; missing:\n{list}");
        }
        let bar = "*".repeat(72);
        say(&format!(
            "\n{bar}\n*** SKIPPED: browser tests (e2e/tests) did not run; missing:\n{list}\n*** Set HAVEN_REQUIRE_BROWSER=1 to make this a failure (CI does).\n{bar}\n"
        ));
        return;
    }

    let started = Instant::now();
    say(&format!("browser tests: node --test --test-concurrency=1 e2e/tests/ (haven at {})", env!("CARGO_BIN_EXE_haven")));
    // Output goes straight to this process's stdout/stderr, so it streams
    // as the tests run rather than being captured until the end.
    let status = Command::new("node")
        .args(["--test", "--test-concurrency=1", "--test-timeout=180000", "--test-reporter=spec", "e2e/tests/"])
        .current_dir(&root)
        .env("HAVEN_BIN", env!("CARGO_BIN_EXE_haven"))
        .env("NO_COLOR", "1")
        .env("FORCE_COLOR", "0")
        .stdin(Stdio::null())
        .stdout(Stdio::inherit())
        .stderr(Stdio::inherit())
        .status()
        .expect("could not start node");
    say(&format!("browser tests finished in {:.1}s with {status}", started.elapsed().as_secs_f64()));
    assert!(
        status.success(),
        "browser tests failed ({status}); see the output above for each failing test's page URL and screenshot (in {})",
        root.join("e2e/screenshots").display()
    );
}
