//! Splitting a folder that mixes materials or quantities into series, one per group.
//!
//! A folder is meant to hold one heating series; when it holds other files too (the LaMnO3
//! folder also holds Ni G(r) files; a background beside the sample), they are offered as series
//! of their own rather than mixed in. The rule, on the files that were read:
//!
//! 0. First, files whose quantity nothing states are read alike: when at least 2 of them, and
//!    more than half, were inferred as one quantity, those that stayed unknown (or fell on the
//!    other side of S(Q) − 1 / F(Q)) take it, with a note (`settle_inferred`; loose files too).
//! 1. Files are grouped by what they hold: the quantity, the x unit (Q, 2θ or r), the
//!    composition (else sample) stated in the header (a file stating none matches only files
//!    stating none), and whether the file name marks a background (a `bkg`, `bg`, `background`,
//!    `empty`, `dark` or `blank` word).
//! 2. Within such a group, file names split it further only when one name family is a clear
//!    series: at least 3 files and more than half of the group. The family of a name is its
//!    first word (split at `_ - . space`, digits read as `#`, lower case), or none when that word
//!    is a number or a temperature (`300K`, `25C`), a single letter (`a_210K`) or a segment word
//!    (`heating`, `cooling`, `ramp`, `hold`, `up`, `down`). Files outside the clear family are
//!    grouped by their own family.
//! 3. Grids are not a reason to split (rebinned patterns of one series differ in grid; the
//!    common-grid view interpolates and a series note says so).
//!
//! The main group is the one with the most pattern files (a background group ranks last; ties go
//! to the group whose first file is listed first); it comes first, then the others in listing
//! order. Loose files given together are never split: the user chose them. An empty list gives
//! one empty group.

use super::FileData;
use super::formats::{INFERRED_NOTE, UNSTATED_NOTE};
use crate::model::{Pattern, Quantity, XUnit};

/// Whether nothing stated the pattern's quantity (it was inferred from the values, or not).
fn quantity_from_values(p: &Pattern) -> bool {
    p.notes
        .iter()
        .any(|n| n.starts_with(INFERRED_NOTE) || n.starts_with(UNSTATED_NOTE))
}

/// Whether a pattern whose own values gave `own` may take `common` from the other files: when
/// its values did not tell, or told S(Q) − 1 from F(Q) (the pair the weakest tests separate),
/// and the axis is in the right space.
fn may_take(own: Quantity, common: Quantity, x_unit: XUnit) -> bool {
    let pair = [Quantity::Interference, Quantity::ReducedStructureFunction];
    let space = common.is_real_space() == (x_unit == XUnit::RAngstrom);
    own != common
        && space
        && (own == Quantity::Unknown || (pair.contains(&own) && pair.contains(&common)))
}

/// Rule 0, before grouping: the files of one folder whose quantity nothing stated are read
/// alike. When at least 2 of them, and more than half, were inferred as one quantity, the
/// others that stayed unknown (or fell on the other side of S(Q) − 1 / F(Q)) take it, with a
/// note; so one odd-looking pattern does not split a heating series. Returns how many changed.
pub(super) fn settle_inferred(files: &mut [(FileData, usize)]) -> usize {
    let from_values: Vec<Quantity> = files
        .iter()
        .flat_map(|(fd, _)| &fd.patterns)
        .filter(|p| quantity_from_values(p))
        .map(|p| p.quantity)
        .collect();
    let mut tally: Vec<(Quantity, usize)> = Vec::new();
    for q in from_values.iter().filter(|q| **q != Quantity::Unknown) {
        match tally.iter_mut().find(|(t, _)| t == q) {
            Some((_, n)) => *n += 1,
            None => tally.push((*q, 1)),
        }
    }
    let Some(&(common, count)) = tally.iter().max_by_key(|(_, n)| *n) else {
        return 0;
    };
    if count < 2 || count * 2 <= from_values.len() {
        return 0;
    }
    let mut changed = 0;
    for p in files.iter_mut().flat_map(|(fd, _)| fd.patterns.iter_mut()) {
        if quantity_from_values(p) && may_take(p.quantity, common, p.x_unit) {
            p.notes.push(format!(
                "quantity taken as {common}, as inferred for {count} of the {} patterns here whose quantity nothing states (this file's own values gave {}); force with --quantity",
                from_values.len(),
                p.quantity
            ));
            p.quantity = common;
            changed += 1;
        }
    }
    changed
}

/// What the split looks at in one read file.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct FileKey {
    pub stem: String,
    pub quantity: Quantity,
    pub x_unit: XUnit,
    /// Composition, else sample, from the header.
    pub material: Option<String>,
}

/// One group: indices into the files given to [`split`], in listing order.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Group {
    pub files: Vec<usize>,
    /// A short name for messages: the stems' common start, else the first stem.
    pub label: String,
}

/// The role and content part of a file's key (rule 1).
#[derive(Debug, Clone, PartialEq)]
struct Content {
    quantity: Quantity,
    x_unit: XUnit,
    material: Option<String>,
    background: bool,
}

impl Content {
    fn of(k: &FileKey) -> Self {
        Content {
            quantity: k.quantity,
            x_unit: k.x_unit,
            material: k.material.clone(),
            background: is_background(&k.stem),
        }
    }
}

fn words(stem: &str) -> impl Iterator<Item = &str> {
    stem.split(['_', '-', '.', ' ']).filter(|w| !w.is_empty())
}

fn is_background(stem: &str) -> bool {
    words(stem).any(|w| {
        matches!(
            w.to_ascii_lowercase().as_str(),
            "bkg" | "bg" | "background" | "empty" | "dark" | "blank"
        )
    })
}

/// The name family of a stem (rule 2), None when its first word names no material.
fn family(stem: &str) -> Option<String> {
    let first = words(stem).next()?;
    let letters = first.chars().filter(|c| c.is_alphabetic()).count();
    let temperature = first
        .trim_end_matches(['K', 'k', 'C'])
        .chars()
        .all(|c| c.is_ascii_digit() || c == '.');
    let lower = first.to_ascii_lowercase();
    let segment = matches!(
        lower.as_str(),
        "heating" | "cooling" | "heat" | "cool" | "ramp" | "hold" | "up" | "down"
    );
    if letters == 0 || temperature || (letters == 1 && first.chars().count() == 1) || segment {
        return None;
    }
    let mut out = String::new();
    for c in lower.chars() {
        if c.is_ascii_digit() {
            if !out.ends_with('#') {
                out.push('#');
            }
        } else {
            out.push(c);
        }
    }
    Some(out)
}

/// Splits files into groups (see the module rules); the main group first.
pub(super) fn split(keys: &[FileKey], patterns_per_file: &[usize]) -> Vec<Group> {
    let mut by_content: Vec<(Content, Vec<usize>)> = Vec::new();
    for (i, k) in keys.iter().enumerate() {
        let c = Content::of(k);
        match by_content.iter_mut().find(|(o, _)| *o == c) {
            Some((_, files)) => files.push(i),
            None => by_content.push((c, vec![i])),
        }
    }
    let mut groups: Vec<(bool, Vec<usize>)> = Vec::new();
    for (content, files) in by_content {
        for part in split_by_name(keys, files) {
            groups.push((content.background, part));
        }
    }
    let size = |files: &[usize]| -> usize {
        files
            .iter()
            .map(|&i| patterns_per_file.get(i).copied().unwrap_or(1))
            .sum()
    };
    let main = groups
        .iter()
        .enumerate()
        .max_by(|(ia, a), (ib, b)| (!a.0, size(&a.1)).cmp(&(!b.0, size(&b.1))).then(ib.cmp(ia)))
        .map_or(0, |(i, _)| i);
    let mut order: Vec<usize> = (0..groups.len()).filter(|&i| i != main).collect();
    order.sort_by_key(|&i| groups[i].1.first().copied());
    if !groups.is_empty() {
        order.insert(0, main);
    }
    let mut out: Vec<Group> = order
        .into_iter()
        .map(|i| {
            let files = std::mem::take(&mut groups[i].1);
            let label = label(keys, &files);
            Group { files, label }
        })
        .collect();
    if out.is_empty() {
        out.push(Group {
            files: Vec::new(),
            label: String::new(),
        });
    }
    out
}

/// Rule 2: a clear name family keeps its files together; the others go by their own family.
fn split_by_name(keys: &[FileKey], files: Vec<usize>) -> Vec<Vec<usize>> {
    let fams: Vec<Option<String>> = files.iter().map(|&i| family(&keys[i].stem)).collect();
    let clear = fams.iter().find(|f| {
        let n = fams.iter().filter(|g| g == f).count();
        n >= 3 && n * 2 > files.len()
    });
    let Some(clear) = clear.cloned() else {
        return vec![files];
    };
    let mut parts: Vec<(Option<String>, Vec<usize>)> = Vec::new();
    for (i, f) in files.into_iter().zip(fams) {
        let key = if f == clear { clear.clone() } else { f };
        match parts.iter_mut().find(|(k, _)| *k == key) {
            Some((_, v)) => v.push(i),
            None => parts.push((key, vec![i])),
        }
    }
    parts.into_iter().map(|(_, v)| v).collect()
}

/// The common start of the group's stems (trimmed of separators), else the first stem.
fn label(keys: &[FileKey], files: &[usize]) -> String {
    let stems: Vec<&str> = files.iter().map(|&i| keys[i].stem.as_str()).collect();
    let Some(first) = stems.first() else {
        return String::new();
    };
    let mut common = first.len();
    for s in &stems[1..] {
        common = common.min(
            first
                .char_indices()
                .zip(s.chars())
                .take_while(|((_, a), b)| a == b)
                .last()
                .map_or(0, |((i, a), _)| i + a.len_utf8()),
        );
    }
    let start = first[..common].trim_end_matches(['_', '-', '.', ' ']);
    if start.chars().count() >= 2 {
        start.to_string()
    } else {
        first.to_string()
    }
}

/// Which of the rules set `key` apart from `main`, in words.
pub(super) fn differences(key: &FileKey, main: &FileKey) -> Vec<String> {
    let mut out = Vec::new();
    if key.quantity != main.quantity {
        out.push(format!(
            "quantity {} (main: {})",
            key.quantity, main.quantity
        ));
    }
    if key.x_unit != main.x_unit {
        out.push(format!("x unit {} (main: {})", key.x_unit, main.x_unit));
    }
    if key.material != main.material {
        let say = |m: &Option<String>| m.clone().unwrap_or_else(|| "none stated".into());
        out.push(format!(
            "composition/sample {} (main: {})",
            say(&key.material),
            say(&main.material)
        ));
    }
    if is_background(&key.stem) != is_background(&main.stem) {
        out.push("a background file name".into());
    }
    if out.is_empty() {
        out.push(format!(
            "file names `{}…` outside the main series' name family",
            key.stem
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(stem: &str, quantity: Quantity, material: Option<&str>) -> FileKey {
        FileKey {
            stem: stem.into(),
            quantity,
            x_unit: if quantity.is_real_space() {
                XUnit::RAngstrom
            } else {
                XUnit::QInvAngstrom
            },
            material: material.map(str::to_string),
        }
    }

    fn files(groups: &[Group]) -> Vec<Vec<usize>> {
        groups.iter().map(|g| g.files.clone()).collect()
    }

    #[test]
    fn name_families() {
        assert_eq!(family("300K"), None);
        assert_eq!(family("a_210K"), None);
        assert_eq!(family("heating_001"), None);
        assert_eq!(family("Ni-neutron"), Some("ni".into()));
        assert_eq!(family("BAM11_AC_0001"), Some("bam#".into()));
        assert_eq!(family("C60-fine"), Some("c#".into()));
        assert!(is_background("Argon_1GPa_bkg") && is_background("background"));
        assert!(!is_background("Cerium"));
    }

    #[test]
    fn the_lamno3_folder_offers_the_nickel_files_apart() {
        let g = Quantity::ReducedPdf;
        let mut keys: Vec<FileKey> = [300, 550, 650, 700]
            .iter()
            .map(|t| key(&format!("{t}K"), g, None))
            .collect();
        keys.push(key("Ni-neutron", g, None));
        keys.push(key("Ni-xray", g, None));
        let groups = split(&keys, &[1; 6]);
        assert_eq!(files(&groups), vec![vec![0, 1, 2, 3], vec![4, 5]]);
        assert_eq!(groups[1].label, "Ni");
        let d = differences(&keys[4], &keys[0]);
        assert_eq!(
            d,
            ["file names `Ni-neutron…` outside the main series' name family"]
        );
    }

    #[test]
    fn quantity_material_and_background_split_too() {
        let s = Quantity::StructureFactor;
        let keys = vec![
            key("scan_1", s, Some("ZrCu")),
            key("scan_2", s, Some("ZrCu")),
            key("scan_2", Quantity::ReducedPdf, Some("ZrCu")),
            key("scan_3", s, Some("NiTi")),
            key("scan_bkg", s, Some("ZrCu")),
        ];
        let groups = split(&keys, &[1; 5]);
        assert_eq!(files(&groups), vec![vec![0, 1], vec![2], vec![3], vec![4]]);
        assert!(differences(&keys[2], &keys[0])[0].starts_with("quantity G(r) (main: S(Q))"));
        assert!(differences(&keys[3], &keys[0])[0].starts_with("composition/sample NiTi"));
        assert_eq!(differences(&keys[4], &keys[0]), ["a background file name"]);
    }

    #[test]
    fn a_background_never_leads_and_names_without_a_clear_family_stay_together() {
        let i = Quantity::Intensity;
        let keys = vec![key("background", i, None), key("Cerium", i, None)];
        let groups = split(&keys, &[1, 1]);
        assert_eq!(files(&groups), vec![vec![1], vec![0]]);
        // Four unrelated names, one quantity: no clear family, one group.
        let keys: Vec<FileKey> = ["nm_labelled", "non_finite", "non_numeric", "truncated"]
            .iter()
            .map(|n| key(n, Quantity::StructureFactor, None))
            .collect();
        assert_eq!(files(&split(&keys, &[1; 4])), vec![vec![0, 1, 2, 3]]);
        assert_eq!(files(&split(&[], &[])), vec![Vec::<usize>::new()]);
    }
}
