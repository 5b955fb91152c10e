use crate::start;
use haven_synth::{SynthReferral, referrals};

fn take(seed: u64, n: u64) -> Vec<SynthReferral> {
    referrals(seed, n, start()).collect()
}

#[test]
fn same_seed_same_referrals() {
    assert_eq!(take(11, 3000), take(11, 3000));
}

#[test]
fn different_seed_different_referrals() {
    assert_ne!(take(11, 200), take(12, 200));
}

#[test]
fn start_date_is_respected() {
    let d = chrono::NaiveDate::from_ymd_opt(2023, 1, 1).unwrap_or_default();
    let a: Vec<_> = referrals(5, 100, d).collect();
    assert!(a.iter().all(|r| r.referral_date >= d));
    assert!(a.first().is_some_and(|r| r.referral_date < d + chrono::Days::new(7)));
}

#[test]
fn exact_size_and_empty() {
    let it = referrals(3, 1234, start());
    assert_eq!(it.len(), 1234);
    assert_eq!(referrals(3, 0, start()).count(), 0);
    assert_eq!(referrals(3, 1, start()).count(), 1);
}
