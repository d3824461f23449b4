//! Reductions already made, kept for a folder that is followed: at each update the series is
//! assembled again from what was read and reduced again, and only a pattern not seen before
//! (new, or written again with other values) is reduced; the others take their outcome from
//! here. A pattern is found by its exact Q, I and σ (compared whole, not only by a digest) and
//! the exact Q grid its plan was built on (the first I(Q) pattern of its grid group, which a
//! late file can change), under the settings and background the outcomes were made with:
//! other settings or another background empty the cache. Only reductions that succeeded are
//! kept (a failure's reason names its file, and two files can hold the same values). Entries not used by an update are dropped at its end
//! ([`ReduceCache::sweep`]), so the cache holds one series' worth.

use std::collections::HashMap;
use std::hash::{Hash as _, Hasher as _};

use super::{Background, Outcome};
use crate::analysis::reduce::ReduceSettings;
use crate::analysis::series::same_bits;
use crate::model::Pattern;

/// Outcomes of reduced patterns, by their input (see the module doc).
#[derive(Debug, Default)]
pub struct ReduceCache {
    made_with: Option<(ReduceSettings, Option<Background>)>,
    entries: HashMap<u64, Vec<Entry>>,
    /// Counts updates; an entry records the last one that used it.
    generation: u64,
    /// Patterns reduced (not taken from the cache) since the cache was made.
    pub reduced: usize,
}

#[derive(Debug)]
struct Entry {
    /// The grid the reduction plan was built on.
    plan_grid: Vec<f64>,
    x: Vec<f64>,
    y: Vec<f64>,
    dy: Option<Vec<f64>>,
    outcome: Outcome,
    used: u64,
}

impl Entry {
    fn is(&self, p: &Pattern, plan_grid: &[f64]) -> bool {
        let same = same_bits;
        same(&self.plan_grid, plan_grid)
            && same(&self.x, &p.x)
            && same(&self.y, &p.y)
            && match (&self.dy, &p.dy) {
                (None, None) => true,
                (Some(a), Some(b)) => same(a, b),
                _ => false,
            }
    }
}

fn digest(p: &Pattern) -> u64 {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    for v in p.x.iter().chain(&p.y).chain(p.dy.iter().flatten()) {
        v.to_bits().hash(&mut h);
    }
    p.dy.is_some().hash(&mut h);
    h.finish()
}

impl ReduceCache {
    /// Empties the cache when it was made with other settings or another background.
    pub(super) fn check(&mut self, settings: &ReduceSettings, background: Option<&Background>) {
        let same = self
            .made_with
            .as_ref()
            .is_some_and(|(s, b)| s == settings && b.as_ref() == background);
        if !same {
            self.entries.clear();
            self.made_with = Some((settings.clone(), background.cloned()));
        }
    }

    /// The outcome of a pattern with these values, reduced before on a plan of `plan_grid`
    /// (marked used).
    pub(super) fn get(&mut self, p: &Pattern, plan_grid: &[f64]) -> Option<Outcome> {
        let generation = self.generation;
        let entry = self
            .entries
            .get_mut(&digest(p))?
            .iter_mut()
            .find(|e| e.is(p, plan_grid))?;
        entry.used = generation;
        Some(entry.outcome.clone())
    }

    /// Counts a reduction made, and keeps it when it succeeded.
    pub(super) fn insert(&mut self, p: &Pattern, plan_grid: &[f64], outcome: &Outcome) {
        self.reduced += 1;
        if outcome.is_err() {
            return;
        }
        let entry = Entry {
            plan_grid: plan_grid.to_vec(),
            x: p.x.clone(),
            y: p.y.clone(),
            dy: p.dy.clone(),
            outcome: outcome.clone(),
            used: self.generation,
        };
        self.entries.entry(digest(p)).or_default().push(entry);
    }

    /// Starts an update: entries are marked as it uses them.
    pub fn begin(&mut self) {
        self.generation += 1;
    }

    /// Ends an update: drops the entries it did not use.
    pub fn sweep(&mut self) {
        let generation = self.generation;
        self.entries.retain(|_, v| {
            v.retain(|e| e.used == generation);
            !v.is_empty()
        });
    }

    /// Patterns held.
    pub fn len(&self) -> usize {
        self.entries.values().map(Vec::len).sum()
    }

    /// Whether nothing is held.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}
