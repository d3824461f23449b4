//! Where the time of a run goes (`glassray analyze --timings`): named stages with their wall
//! times, summed over the series of the run and listed in the order each stage first ran.

use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Wall time per stage (shared by threads; a stage timed twice adds up).
#[derive(Debug, Default)]
pub struct Timings {
    stages: Mutex<Vec<(String, Duration)>>,
}

impl Timings {
    /// Runs `work`, adding its wall time to stage `name`.
    pub fn time<R>(&self, name: &str, work: impl FnOnce() -> R) -> R {
        let start = Instant::now();
        let out = work();
        self.add(name, start.elapsed());
        out
    }

    /// Adds `took` to stage `name`.
    pub fn add(&self, name: &str, took: Duration) {
        let mut stages = match self.stages.lock() {
            Ok(s) => s,
            Err(poisoned) => poisoned.into_inner(),
        };
        match stages.iter_mut().find(|(n, _)| n == name) {
            Some((_, d)) => *d += took,
            None => stages.push((name.to_owned(), took)),
        }
    }

    /// Every stage with its summed wall time, in first-run order.
    pub fn stages(&self) -> Vec<(String, Duration)> {
        match self.stages.lock() {
            Ok(s) => s.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    /// One line per stage: name, milliseconds (3 significant decimals).
    pub fn lines(&self) -> Vec<String> {
        let stages = self.stages();
        let width = stages
            .iter()
            .map(|(n, _)| n.chars().count())
            .max()
            .unwrap_or(0);
        stages
            .iter()
            .map(|(n, d)| format!("{n:<width$}  {:>9.3} ms", d.as_secs_f64() * 1e3))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stages_add_up_in_first_run_order() {
        let t = Timings::default();
        t.add("load", Duration::from_millis(3));
        let v = t.time("fits", || 7);
        assert_eq!(v, 7);
        t.add("load", Duration::from_millis(2));
        let stages = t.stages();
        assert_eq!(stages.len(), 2);
        assert_eq!(stages[0], ("load".to_owned(), Duration::from_millis(5)));
        assert_eq!(stages[1].0, "fits");
        let lines = t.lines();
        assert!(
            lines[0].starts_with("load") && lines[0].ends_with("5.000 ms"),
            "{lines:?}"
        );
    }
}
