//! The reduction step of a run: every loaded series holding raw intensities I(Q) reduced to
//! S(Q) before the analysis ([`reduce_loads`]), with the settings a run was given
//! ([`ReductionConfig`]), or the reason it cannot be analysed without a composition.

use super::{
    BACKGROUND_IGNORED, Background, ReduceCache, ReductionRecord, SeriesReduction,
    reduce_series_cached,
};
use crate::analysis::reduce::ReduceSettings;
use crate::io::{MIXED_FOLDER_NOTE, SeriesLoad};
use crate::model::Quantity;
use crate::model::composition::Composition;

/// The reduction of a run, validated, with its background read.
#[derive(Debug, Clone)]
pub struct ReductionConfig {
    pub settings: ReduceSettings,
    pub background: Option<Background>,
    pub record: ReductionRecord,
}

/// What the reduction step did to one series.
#[derive(Debug, Clone, PartialEq)]
pub enum ReduceStep {
    /// No I(Q) pattern, or nothing to do.
    NotNeeded,
    Done(SeriesReduction),
    /// I(Q) patterns and no composition: the series cannot be analysed (the reason).
    NoComposition(String),
}

/// Reduces the I(Q) patterns of every load (when a reduction is configured); with none, a
/// series of I(Q) patterns gets the reason it cannot be analysed. A series that held only the
/// background file (split off a folder by its name) is left out.
pub fn reduce_loads(
    loads: &mut Vec<SeriesLoad>,
    reduction: Option<&ReductionConfig>,
    mut cache: Option<&mut ReduceCache>,
) -> Vec<ReduceStep> {
    if let Some(c) = cache.as_deref_mut() {
        c.begin();
    }
    let steps: Vec<ReduceStep> = loads
        .iter_mut()
        .map(|load| {
            let intensities = load
                .series
                .patterns
                .iter()
                .filter(|p| p.quantity == Quantity::Intensity)
                .count();
            match reduction {
                _ if intensities == 0 => ReduceStep::NotNeeded,
                None => ReduceStep::NoComposition(match &load.series.composition {
                    // The headers name it: say so, ready to paste.
                    Some(c) if Composition::parse(c).is_ok() => format!(
                        "{intensities} pattern(s) hold raw intensities I(Q): the files' headers say composition = {c}; pass --composition {c} (and --background FILE, --density G_CM3 if known) to reduce them to S(Q)"
                    ),
                    _ => format!(
                        "{intensities} pattern(s) hold raw intensities I(Q): pass --composition FORMULA (and --background FILE, --density G_CM3 if known) to reduce them to S(Q)"
                    ),
                }),
                Some(r) => {
                    let done = reduce_series_cached(
                        load,
                        r.background.as_ref(),
                        &r.settings,
                        cache.as_deref_mut(),
                    );
                    if load.series.composition.is_none() {
                        load.series.composition = Some(r.record.composition.clone());
                    }
                    ReduceStep::Done(done)
                }
            }
        })
        .collect();
    let only_background = |l: &SeriesLoad| {
        l.series.is_empty()
            && l.failed.is_empty()
            && l.ignored
                .iter()
                .any(|i| i.reason.starts_with(BACKGROUND_IGNORED))
    };
    let keep: Vec<bool> = loads.iter().map(|l| !only_background(l)).collect();
    let dropped: Vec<String> = loads
        .iter()
        .zip(&keep)
        .filter(|(_, k)| !**k)
        .map(|(l, _)| l.origin.clone())
        .collect();
    let mut k = keep.iter();
    loads.retain(|_| k.next().copied().unwrap_or(true));
    // A folder split only because it holds the background file is one series again.
    for origin in dropped {
        let same: Vec<usize> = (0..loads.len())
            .filter(|&i| loads[i].origin == origin)
            .collect();
        if let [only] = same[..] {
            let notes = &mut loads[only].series.notes;
            notes.retain(|n| !n.starts_with(MIXED_FOLDER_NOTE));
            notes.push(
                "the background file (--background) was taken out of the folder's patterns".into(),
            );
        }
    }
    if let Some(c) = cache {
        c.sweep();
    }
    steps
        .into_iter()
        .zip(keep)
        .filter_map(|(s, k)| k.then_some(s))
        .collect()
}
