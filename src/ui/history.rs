//! Undo and redo of what changes the analysis: the shared parameters (every field, the seeds,
//! the FSDP window, "Reset parameters") and each sample's marks. A drag or a run of edits to one
//! thing in quick succession is one step, so Ctrl+Z undoes the whole drag.

use crate::analysis::params::AnalysisParams;
use crate::analysis::transitions::Marks;

/// What undo restores.
#[derive(Debug, Clone, PartialEq)]
pub struct Snapshot {
    pub params: AnalysisParams,
    /// Every sample's marks, in sample order.
    pub marks: Vec<Marks>,
}

/// What a change touched; changes to the same thing close together merge into one step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Touch {
    Params,
    Seed(usize),
    FsdpWindow,
    Marks(usize),
}

/// Changes closer than this (seconds) to the same thing are one step.
const MERGE_SECONDS: f64 = 0.6;
/// The most steps kept.
const LIMIT: usize = 500;

/// The undo and redo stacks.
#[derive(Debug, Default)]
pub struct History {
    undo: Vec<Snapshot>,
    redo: Vec<Snapshot>,
    /// The last change recorded, and when: the next one to the same thing within
    /// [`MERGE_SECONDS`] extends it.
    last: Option<(Touch, f64)>,
}

impl History {
    /// Records a change made at `now` (seconds) from `before`.
    pub fn record(&mut self, before: Snapshot, touch: Touch, now: f64) {
        let merge = self
            .last
            .is_some_and(|(t, at)| t == touch && (0.0..MERGE_SECONDS).contains(&(now - at)));
        if !merge {
            self.undo.push(before);
            if self.undo.len() > LIMIT {
                self.undo.remove(0);
            }
        }
        self.redo.clear();
        self.last = Some((touch, now));
    }

    /// The state to go back to, given the current one (kept for redo).
    pub fn undo(&mut self, current: Snapshot) -> Option<Snapshot> {
        let back = self.undo.pop()?;
        self.redo.push(current);
        self.last = None;
        Some(back)
    }

    /// The state undone last, given the current one (kept for undo).
    pub fn redo(&mut self, current: Snapshot) -> Option<Snapshot> {
        let forward = self.redo.pop()?;
        self.undo.push(current);
        self.last = None;
        Some(forward)
    }

    pub fn can_undo(&self) -> bool {
        !self.undo.is_empty()
    }

    pub fn can_redo(&self) -> bool {
        !self.redo.is_empty()
    }

    /// Forgets everything (a new set of samples was loaded: old marks no longer apply).
    pub fn clear(&mut self) {
        *self = History::default();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with_seed(s: f64) -> Snapshot {
        let mut params = AnalysisParams::default();
        params.fit.seeds[0] = s;
        Snapshot {
            params,
            marks: vec![Marks::default()],
        }
    }

    #[test]
    fn a_drag_is_one_step_and_redo_returns_to_its_end() {
        let mut h = History::default();
        // A drag: 5.90 → 5.80 → 5.70 → 5.60, a frame apart.
        for (k, s) in [5.9, 5.8, 5.7].iter().enumerate() {
            h.record(with_seed(*s), Touch::Seed(0), 0.1 * k as f64);
        }
        // Another thing, later.
        h.record(with_seed(5.6), Touch::FsdpWindow, 2.0);
        let now = with_seed(5.6);
        let back = h.undo(now.clone()).expect("one step");
        assert_eq!(back, with_seed(5.6), "the window change undone");
        let back = h.undo(back).expect("the drag");
        assert_eq!(back, with_seed(5.9), "the whole drag undone");
        assert!(!h.can_undo());
        let fwd = h.redo(back).expect("redo");
        assert_eq!(fwd, with_seed(5.6));
        let fwd = h.redo(fwd).expect("redo");
        assert_eq!(fwd, now);
        assert!(!h.can_redo());
    }

    #[test]
    fn a_new_change_clears_redo_and_slow_edits_are_steps() {
        let mut h = History::default();
        h.record(with_seed(5.9), Touch::Seed(0), 0.0);
        h.record(with_seed(5.8), Touch::Seed(0), 5.0);
        let back = h.undo(with_seed(5.7)).expect("step");
        assert_eq!(back, with_seed(5.8));
        h.record(with_seed(5.8), Touch::Params, 6.0);
        assert!(!h.can_redo());
        assert_eq!(h.undo(with_seed(1.0)), Some(with_seed(5.8)));
        assert_eq!(h.undo(with_seed(5.8)), Some(with_seed(5.9)));
        assert_eq!(h.undo(with_seed(5.9)), None);
    }
}
