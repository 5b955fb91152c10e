//! Progress reporting for long runs. The library draws nothing itself: the
//! CLI passes an implementation backed by a progress bar, a web job might
//! pass one that updates a status row.

/// Receives progress from the linkage stages. Called from worker threads.
pub trait Progress: Sync {
    /// A stage begins with `total` units of work.
    fn start(&self, _stage: &str, _total: u64) {}
    /// `done` units of the current stage are complete.
    fn set(&self, _done: u64) {}
    /// The current stage is complete.
    fn finish(&self) {}
}

/// Reports nothing.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoProgress;

impl Progress for NoProgress {}
