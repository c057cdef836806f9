//! Averaged multi-class perceptron weights used while training, and their conversion to the
//! pruned, quantised `i16` rows a shipped model holds.
//!
//! Updates are integers and the running average uses the "w - u / c" identity (Daumé 2006), so
//! training is exact and deterministic: no floating-point sums whose order could vary.

use super::scheme::NUM_CLASSES;

/// Weights being trained: one row of [`NUM_CLASSES`] per feature.
pub(crate) struct AveragedWeights {
    weights: Vec<i32>,
    /// Sum of `step * delta` for every update, for the average.
    steps: Vec<i64>,
    /// Number of examples seen so far (starts at 1).
    step: i64,
}

impl AveragedWeights {
    pub fn new(rows: usize) -> Self {
        AveragedWeights { weights: vec![0; rows * NUM_CLASSES], steps: vec![0; rows * NUM_CLASSES], step: 1 }
    }

    /// Adds the rows' current weights to `scores`.
    #[inline]
    pub fn score(&self, rows: &[u32], scores: &mut [i64; NUM_CLASSES]) {
        for &r in rows {
            let start = r as usize * NUM_CLASSES;
            for (s, w) in scores.iter_mut().zip(&self.weights[start..start + NUM_CLASSES]) {
                *s += i64::from(*w);
            }
        }
    }

    /// Adds `delta` to `class` in each row.
    pub fn update(&mut self, rows: &[u32], class: u8, delta: i32) {
        for &r in rows {
            let i = r as usize * NUM_CLASSES + class as usize;
            self.weights[i] += delta;
            self.steps[i] += self.step * i64::from(delta);
        }
    }

    /// Marks the end of one example.
    pub fn tick(&mut self) {
        self.step += 1;
    }

    /// The averaged weight of every slot.
    pub fn averaged(&self) -> Vec<f64> {
        let c = self.step as f64;
        self.weights.iter().zip(&self.steps).map(|(&w, &u)| f64::from(w) - u as f64 / c).collect()
    }
}

/// Quantises averaged weights to `i16` with one global scale (the largest magnitude maps to
/// `i16::MAX`) and zeroes those whose magnitude is below `prune_below` (in weight units).
/// Returns the quantised weights.
pub(crate) fn quantise(averaged: &[f64], prune_below: f64) -> Vec<i16> {
    let max = averaged.iter().fold(0.0f64, |m, w| m.max(w.abs()));
    if max == 0.0 {
        return vec![0; averaged.len()];
    }
    let scale = f64::from(i16::MAX) / max;
    averaged
        .iter()
        .map(|&w| {
            if w.abs() < prune_below {
                0
            } else {
                (w * scale).round().clamp(f64::from(i16::MIN), f64::from(i16::MAX)) as i16
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn average_counts_each_weight_for_the_steps_it_was_in_force() {
        let mut w = AveragedWeights::new(1);
        w.update(&[0], 0, 1); // made during step 1
        w.tick();
        w.tick();
        w.tick();
        // In force for steps 2, 3 and 4 of 4 -> 3/4 (w - u / c = 1 - 1/4).
        assert_eq!(w.averaged()[0], 0.75);
        assert_eq!(w.averaged()[1], 0.0);
    }

    #[test]
    fn quantise_keeps_the_largest_weight_and_prunes_small_ones() {
        let q = quantise(&[2.0, -1.0, 0.01], 0.05);
        assert_eq!(q, vec![i16::MAX, -16384, 0]);
    }
}
