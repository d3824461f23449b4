//! What every parameter and mark means (tooltips), and the Help window: the connection modes,
//! the transition temperatures, the FSDP moment and area, r1 and r6, in a few lines each.

use eframe::egui;

/// The tooltip for a control, found by its label (also its accessible name). Every number,
/// checkbox and mark in the side panel has one.
pub fn explanation(label: &str) -> Option<&'static str> {
    let text = match label {
        "Qmin (1/Å)" | "Set Qmin (1/Å)" => {
            "Lowest Q used in the Fourier transform to G(r). Auto: the first point of each pattern."
        }
        "Qmax (1/Å)" | "Set Qmax (1/Å)" => {
            "Highest Q used in the Fourier transform to G(r). A lower Qmax cuts noise and \
             broadens peaks (resolution ≈ 2π/Qmax Å). Auto: the last point of each pattern."
        }
        "Below Qmin" => {
            "How S(Q) continues below the first point used, down to Q = 0, in the transform. \
             hold (default, as LiquidDiffract): S(Q) = S(Qmin), so F(Q) falls linearly to 0; \
             linear: S falls linearly to S(0) = 0; none: nothing is added, which leaves a ripple \
             of period 2π/Qmin under G(r)."
        }
        "Lorch modification" => {
            "Multiplies F(Q) by sin(πQ/Qmax)/(πQ/Qmax) before the transform: less termination \
             ripple in G(r), at the cost of slightly broader peaks."
        }
        "rho0 (1/Å³)" | "Set rho0 (1/Å³)" => {
            "Average number density ρ0 in atoms/Å³, used for g(r) = 1 + G(r)/(4πrρ0). Auto: \
             from a file header when one states it (rho0, rho, number density), else the \
             default 0.0545. The value in use and its source are shown above G(r). Check it: \
             below the first peak G(r) should follow −4πρ0 r."
        }
        "r max (Å)" => "Largest r of G(r) and g(r).",
        "dr (Å)" => "Step of the r grid of G(r) and g(r).",
        "FSDP from (1/Å)" | "FSDP to (1/Å)" => {
            "The window [Qa, Qb] around the first sharp diffraction peak (about 2.2–3.0 1/Å). \
             Its first moment Q̄1 = ΣQ·S/ΣS and area A1 = ∫S dQ are plotted against T. In \
             Move mode, drag its edges on the S(Q) plot."
        }
        "1-atom seed (Å)" => {
            "Start of the vertex-sharing Gaussian: clusters sharing 1 atom sit 2R apart \
             (5.938 Å for R = 2.969 Å). Its centre may move ± the seed tolerance."
        }
        "2-atom seed (Å)" => {
            "Start of the edge-sharing Gaussian: 2 shared atoms, √3·R apart (5.142 Å)."
        }
        "3-atom seed (Å)" => {
            "Start of the face-sharing Gaussian: 3 shared atoms, √(8/3)·R apart (4.848 Å)."
        }
        "4-atom seed (Å)" => {
            "Start of the intercross Gaussian: 4 shared atoms, √2·R apart (4.199 Å)."
        }
        "Seed tolerance (Å)" => {
            "How far each Gaussian's centre may move from its seed (the study uses 0.1 Å). A \
             centre that ends on seed ± tolerance is held, not measured: it is marked \
             '(at bound)'."
        }
        "Fit from (Å)" | "Fit to (Å)" => {
            "The r range of g(r) fitted with the four Gaussians: the second peak."
        }
        "Free widths" => "Each Gaussian has its own width (off: one width shared by all four).",
        "Constant baseline" => "A constant is fitted beside the four Gaussians.",
        "Sequential (start from previous T)" => {
            "Each temperature's fit starts from the previous temperature's result rather than \
             from the seeds. Faster to converge on smooth series; a bad fit can carry over."
        }
        "R (Å)" => {
            "Average cluster radius R (bond-length weighted). 'Seeds from R' sets the seeds to \
             2R, √3R, √(8/3)R and √2R."
        }
        "Override T_r" | "T_r (K)" => {
            "T_r, onset of relaxation: where the FSDP moment (and area) leave their \
             low-temperature linear trend. Detected from the series; override to set it by hand \
             (or drag its line in Move mode)."
        }
        "Override T_g" | "T_g (K)" => {
            "T_g, glass transition: a change of slope of the FSDP moment. Detected from the \
             series; override to set it by hand (or drag its line in Move mode)."
        }
        "Override T_x" | "T_x (K)" => {
            "T_x, onset of crystallisation: a jump of the FSDP area and splitting of G(r) peaks. \
             Detected from the series; override to set it by hand (or drag its line in Move mode)."
        }
        "Set DSC T_g (K)" | "DSC T_g (K)" => {
            "T_g measured by calorimetry (DSC), drawn dashed for comparison; not used in the \
             analysis."
        }
        "Set DSC T_x (K)" | "DSC T_x (K)" => {
            "T_x measured by calorimetry (DSC), drawn dashed for comparison; not used in the \
             analysis."
        }
        "Move mode" => {
            "Drags on the plots move the fit seeds, the marks and the FSDP window instead of \
             panning or zooming."
        }
        "Presentation mode" => {
            "Everything drawn 1.5 times larger (text, lines, markers), for a projector. Ctrl + \
             and Ctrl − zoom in finer steps, Ctrl 0 resets."
        }
        l if l.starts_with("Show ") => "Draw this sample in the S(Q), ΔS(Q) and versus-T overlays.",
        _ => return None,
    };
    Some(text)
}

/// The Help window's sections: a title and a few lines each.
pub const HELP: [(&str, &str); 5] = [
    (
        "Connection modes",
        "Neighbouring atomic clusters share 1 atom (vertex), 2 (edge), 3 (face) or 4 atoms \
         (intercross). With the average cluster radius R their centres sit 2R, √3R, √(8/3)R \
         and √2R apart (5.938, 5.142, 4.848 and 4.199 Å for R = 2.969 Å). The second peak of \
         g(r) is fitted with four Gaussians seeded there, each centre free within ± the seed \
         tolerance; a mode's fraction is its Gaussian's area over the sum of the four.",
    ),
    (
        "T_r, T_g and T_x",
        "T_r, the onset of relaxation, is where the FSDP moment (and area) leave their \
         low-temperature linear trend. T_g, the glass transition, is a change of slope of the \
         moment. T_x, the onset of crystallisation, is a jump of the FSDP area with peaks \
         splitting in G(r). Each is detected from the series with an uncertainty; override or \
         drag one to set it, and compare with calorimetric (DSC) values, drawn dashed.",
    ),
    (
        "FSDP moment and area",
        "In the window [Qa, Qb] around the first sharp diffraction peak: the first moment \
         Q̄1 = ΣQ·S(Q)/ΣS(Q), the intensity-weighted centre, which tracks packing density \
         (thermal expansion lowers it), and the area A1 = ∫S(Q) dQ.",
    ),
    (
        "r1 and r6",
        "The integrated intensities of the 1st and 6th positive lobes of G(r) (the r ranges \
         where G(r) ≥ 0, counted from low r), plotted relative to their means: r1 reports \
         short-range order, r6 medium-range order.",
    ),
    (
        "Fit QA",
        "A value '(at bound)' is held by its limit, not measured, and its error means nothing: \
         move the seed, widen the tolerance or the fit window. White rings on the versus-T \
         fractions mark temperatures where a centre is held (on a series of more than 200 \
         patterns, of every k-th pattern).",
    ),
];

/// The Help window.
pub fn window(ctx: &egui::Context, open: &mut bool) {
    egui::Window::new("Help")
        .open(open)
        .default_width(420.0)
        .vscroll(true)
        .show(ctx, |ui| {
            for (title, text) in HELP {
                ui.strong(title);
                ui.label(text);
                ui.add_space(6.0);
            }
            ui.weak("Hover any parameter or mark for what it means.");
        });
}
