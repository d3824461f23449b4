//! The versus-T panels fit their axes to the glass: the crystallised points above T_x are
//! drawn where they fall, but never stretch the axes (they flattened the FSDP trends to a line).

use glassray::analysis::metric::Metric;
use glassray::analysis::transitions::Transition;
use glassray::ui::{GlassrayApp, PlotId};

use super::kit::{harness, settled, wait_for};

#[test]
fn the_versus_t_axes_fit_the_glass_not_the_crystal() {
    let mut h = harness(Vec::new());
    wait_for(&mut h, "the demo's analysis", settled);
    h.run_steps(3);
    for (plot, metric) in [
        (PlotId::FsdpMoment, Metric::FsdpFirstMoment),
        (PlotId::FsdpArea, Metric::FsdpArea),
    ] {
        let [_, _, y0, y1] = GlassrayApp::plot_bounds(&h.ctx, plot).expect("the panel was drawn");
        let (mut lo, mut hi, mut crystal_outside) = (f64::INFINITY, f64::NEG_INFINITY, 0);
        for s in h.state().samples() {
            let a = s.analysis().expect("analysed");
            let t_x = a
                .transitions
                .used(Transition::Crystallization)
                .expect("the demo crystallises")
                .kelvin;
            let c = a.curve(metric).expect("curve");
            for (t, v) in s.axis().iter().zip(&c.values) {
                if *t <= t_x {
                    lo = lo.min(*v);
                    hi = hi.max(*v);
                } else if *v < y0 || *v > y1 {
                    crystal_outside += 1;
                }
            }
        }
        let span = hi - lo;
        assert!(
            y0 <= lo && y1 >= hi,
            "{plot:?}: the glass {lo}–{hi} is not all shown in {y0}–{y1}"
        );
        assert!(
            y0 >= lo - 0.25 * span && y1 <= hi + 0.25 * span,
            "{plot:?}: {y0}–{y1} is stretched beyond the glass {lo}–{hi}"
        );
        // The test means something: crystallised values lie off these axes.
        assert!(crystal_outside > 0, "{plot:?}");
    }
}
