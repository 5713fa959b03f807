//! Calibrated confidence of comparable matches: the margin score mapped to the probability
//! that the match is right, by a logistic curve fitted on development data with known
//! answers (`transalign eval calibrate`), and the acceptance threshold chosen on it.

use serde::Serialize;

/// `confidence = 1 / (1 + e^-(intercept + slope · margin))`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Calibration {
    pub intercept: f64,
    pub slope: f64,
}

/// The lexical curve of the configuration's defaults ([`crate::config::LEXICAL_CALIBRATION`]).
pub const LEXICAL: Calibration = Calibration::from_array(crate::config::LEXICAL_CALIBRATION);

/// The fused curve of the defaults ([`crate::config::FUSED_CALIBRATION`]).
pub const FUSED: Calibration = Calibration::from_array(crate::config::FUSED_CALIBRATION);

impl Calibration {
    /// `[intercept, slope]`, as the configuration writes it.
    pub const fn as_array(self) -> [f64; 2] {
        [self.intercept, self.slope]
    }

    pub const fn from_array([intercept, slope]: [f64; 2]) -> Calibration {
        Calibration { intercept, slope }
    }

    /// The probability that a match with this margin score is right.
    pub fn confidence(&self, margin: f64) -> f64 {
        1.0 / (1.0 + (-(self.intercept + self.slope * margin)).exp())
    }

    /// Fits the curve to `(margin, correct)` samples by Newton's method on the log-loss
    /// (with a tiny ridge so that separable data still gives finite numbers). `None` when
    /// the samples are all right or all wrong: nothing to calibrate against.
    pub fn fit(samples: &[(f64, bool)]) -> Option<Calibration> {
        let positives = samples.iter().filter(|s| s.1).count();
        if positives == 0 || positives == samples.len() {
            return None;
        }
        const RIDGE: f64 = 1e-3;
        let (mut a, mut b) = (0.0f64, 0.0f64);
        for _ in 0..100 {
            let (mut ga, mut gb, mut haa, mut hab, mut hbb) =
                (-RIDGE * a, -RIDGE * b, 0.0, 0.0, 0.0);
            for &(x, correct) in samples {
                let p = 1.0 / (1.0 + (-(a + b * x)).exp());
                let residual = f64::from(u8::from(correct)) - p;
                ga += residual;
                gb += residual * x;
                let w = p * (1.0 - p);
                haa += w;
                hab += w * x;
                hbb += w * x * x;
            }
            let (haa, hbb) = (haa + RIDGE, hbb + RIDGE);
            let det = haa * hbb - hab * hab;
            if det.abs() < 1e-12 {
                break;
            }
            let (da, db) = ((hbb * ga - hab * gb) / det, (haa * gb - hab * ga) / det);
            a += da;
            b += db;
            if da.abs() + db.abs() < 1e-9 {
                break;
            }
        }
        (a.is_finite() && b.is_finite()).then_some(Calibration {
            intercept: a,
            slope: b,
        })
    }
}

/// One row of a reliability table: matches whose confidence fell in `[low, high)`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReliabilityBin {
    pub low: f64,
    pub high: f64,
    pub matches: usize,
    pub mean_confidence: f64,
    /// Share of the bin's matches that are right (`None` for an empty bin).
    pub observed_precision: Option<f64>,
}

/// Predicted confidence against observed precision, in `bins` equal-width bins.
pub fn reliability(
    samples: &[(f64, bool)],
    calibration: Calibration,
    bins: usize,
) -> Vec<ReliabilityBin> {
    let mut out: Vec<ReliabilityBin> = (0..bins)
        .map(|i| ReliabilityBin {
            low: i as f64 / bins as f64,
            high: (i + 1) as f64 / bins as f64,
            matches: 0,
            mean_confidence: 0.0,
            observed_precision: None,
        })
        .collect();
    let mut right = vec![0usize; bins];
    for &(margin, correct) in samples {
        let c = calibration.confidence(margin);
        let i = ((c * bins as f64) as usize).min(bins - 1);
        out[i].matches += 1;
        out[i].mean_confidence += c;
        right[i] += usize::from(correct);
    }
    for (bin, right) in out.iter_mut().zip(right) {
        if bin.matches > 0 {
            bin.mean_confidence /= bin.matches as f64;
            bin.observed_precision = Some(right as f64 / bin.matches as f64);
        }
    }
    out
}

/// What a minimum confidence accepts.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Acceptance {
    pub min_confidence: f64,
    pub accepted: usize,
    pub correct: usize,
    pub precision: f64,
}

/// The lowest minimum confidence (rounded down to 0.01) whose accepted matches have at least
/// `precision`; `None` when no threshold reaches it.
pub fn threshold_for_precision(
    samples: &[(f64, bool)],
    calibration: Calibration,
    precision: f64,
) -> Option<Acceptance> {
    let accept = |min: f64| -> Acceptance {
        let accepted: Vec<bool> = samples
            .iter()
            .filter(|s| calibration.confidence(s.0) >= min)
            .map(|s| s.1)
            .collect();
        let correct = accepted.iter().filter(|&&c| c).count();
        Acceptance {
            min_confidence: min,
            accepted: accepted.len(),
            correct,
            precision: if accepted.is_empty() {
                0.0
            } else {
                correct as f64 / accepted.len() as f64
            },
        }
    };
    (0..100)
        .map(|i| accept(i as f64 / 100.0))
        .find(|a| a.accepted > 0 && a.precision >= precision)
}

/// The text of `transalign eval calibrate` for `(source id, margin, correct)` samples: the
/// curve fitted on even source ids and its reliability table and threshold on the odd ones
/// (held out), then the curve fitted on all samples, as configuration lines. `None` when a
/// half has nothing to calibrate against.
pub fn report(samples: &[(usize, f64, bool)], precision: f64, bins: usize) -> Option<String> {
    use std::fmt::Write;
    let half = |parity: usize| -> Vec<(f64, bool)> {
        samples
            .iter()
            .filter(|s| s.0 % 2 == parity)
            .map(|s| (s.1, s.2))
            .collect()
    };
    let (fit_half, held_out) = (half(0), half(1));
    let all: Vec<(f64, bool)> = samples.iter().map(|s| (s.1, s.2)).collect();
    let on_fit_half = Calibration::fit(&fit_half)?;
    let on_all = Calibration::fit(&all)?;
    let mut out = String::new();
    let right = all.iter().filter(|s| s.1).count();
    let _ = writeln!(
        out,
        "{} rank-1 matches, {right} right; curve fitted on the {} of even source ids: intercept {:.2}, slope {:.2}",
        all.len(),
        fit_half.len(),
        on_fit_half.intercept,
        on_fit_half.slope
    );
    let _ = writeln!(
        out,
        "reliability on the {} held-out matches (odd source ids):",
        held_out.len()
    );
    let _ = writeln!(
        out,
        "| confidence | matches | mean confidence | observed precision |"
    );
    let _ = writeln!(out, "|---|---:|---:|---:|");
    for bin in reliability(&held_out, on_fit_half, bins) {
        let observed = bin
            .observed_precision
            .map_or_else(|| "–".to_string(), |p| format!("{p:.3}"));
        let mean = if bin.matches == 0 {
            "–".to_string()
        } else {
            format!("{:.3}", bin.mean_confidence)
        };
        let _ = writeln!(
            out,
            "| {:.1}–{:.1} | {} | {mean} | {observed} |",
            bin.low, bin.high, bin.matches
        );
    }
    match threshold_for_precision(&held_out, on_fit_half, precision) {
        Some(a) => {
            let _ = writeln!(
                out,
                "held out: min_confidence {:.2} accepts {} matches, {} right: precision {:.3}",
                a.min_confidence, a.accepted, a.correct, a.precision
            );
        }
        None => {
            let _ = writeln!(
                out,
                "held out: no minimum confidence reaches precision {precision}"
            );
        }
    }
    let _ = writeln!(out, "fitted on all {} matches, for [align]:", all.len());
    let _ = writeln!(
        out,
        "calibration = [{:.2}, {:.2}]",
        on_all.intercept, on_all.slope
    );
    if let Some(a) = threshold_for_precision(&all, on_all, precision) {
        let _ = writeln!(
            out,
            "min_confidence = {:.2}    # accepts {} of {}, precision {:.3}",
            a.min_confidence,
            a.accepted,
            all.len(),
            a.precision
        );
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fit_recovers_the_curve_that_made_the_samples() {
        // Deterministic samples from a known curve: at each margin, the right share of
        // 200 matches is correct.
        let truth = Calibration {
            intercept: -12.0,
            slope: 10.0,
        };
        let mut samples = Vec::new();
        for step in 0..60 {
            let margin = 0.8 + step as f64 * 0.02;
            let right = (truth.confidence(margin) * 200.0).round() as usize;
            samples.extend((0..200).map(|i| (margin, i < right)));
        }
        let fitted = Calibration::fit(&samples).unwrap();
        assert!(
            (fitted.intercept - truth.intercept).abs() < 0.5,
            "{fitted:?}"
        );
        assert!((fitted.slope - truth.slope).abs() < 0.5, "{fitted:?}");
        // The table of a calibrated curve is calibrated.
        for bin in reliability(&samples, fitted, 10) {
            if bin.matches >= 400 {
                let observed = bin.observed_precision.unwrap();
                assert!((observed - bin.mean_confidence).abs() < 0.05, "{bin:?}");
            }
        }
        let acceptance = threshold_for_precision(&samples, fitted, 0.9).unwrap();
        assert!(acceptance.precision >= 0.9);
        assert!(threshold_for_precision(&samples, fitted, 1.01).is_none());
        // Nothing to calibrate against.
        assert!(Calibration::fit(&[(1.0, true), (2.0, true)]).is_none());
    }

    #[test]
    fn the_default_curves_rise_with_the_margin() {
        for c in [LEXICAL, FUSED] {
            assert!(c.confidence(1.0) < c.confidence(1.2));
            assert!(c.confidence(0.5) < 0.01 && c.confidence(2.5) > 0.99);
        }
    }
}
