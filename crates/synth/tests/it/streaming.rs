use crate::start;
use haven_synth::{PersonRef, referrals};
use std::time::{Duration, Instant};

/// One million referrals stream through in bounded time and memory: nothing
/// is collected, and the generator keeps only a small record per victim.
/// Run with `cargo test -p haven-synth --release -- --ignored`.
#[test]
#[allow(clippy::disallowed_methods)] // the test itself measures time
#[ignore = "slow in debug; run in release"]
fn a_million_referrals_stream() {
    let t0 = Instant::now();
    let mut n = 0u64;
    let mut repeats = 0u64;
    let mut last = None;
    for r in referrals(2024, 1_000_000, start()) {
        n += 1;
        if matches!(r.victim, PersonRef::Existing(_)) {
            repeats += 1;
        }
        assert!(last.is_none_or(|d| d <= r.referral_date));
        last = Some(r.referral_date);
    }
    let took = t0.elapsed();
    eprintln!("1,000,000 referrals in {took:?}; repeats {:.1}%", repeats as f64 / n as f64 * 100.0);
    assert_eq!(n, 1_000_000);
    assert!(took < Duration::from_secs(60), "{took:?}");
}

#[test]
fn the_iterator_is_lazy() {
    // Creating a stream of a billion referrals allocates nothing per referral.
    let mut it = referrals(1, 1_000_000_000, start());
    assert!(it.next().is_some());
    assert_eq!(it.len(), 999_999_999);
}
