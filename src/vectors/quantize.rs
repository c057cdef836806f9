//! The codes of the vector index and the kernels that compare them: sign bits with Hamming
//! distance (popcount), int8 codes with a per-vector scale and their dot product.

/// One bit per dimension, set where the value lies above that dimension's threshold.
pub fn sign_bits(vector: &[f32], center: &[f32]) -> Vec<u64> {
    let mut bits = vec![0u64; vector.len().div_ceil(64)];
    for (i, (x, c)) in vector.iter().zip(center).enumerate() {
        if x > c {
            bits[i / 64] |= 1 << (i % 64);
        }
    }
    bits
}

/// Symmetric int8 quantisation: `value ≈ code * scale`, with the largest magnitude at ±127.
pub fn int8(vector: &[f32]) -> (Vec<i8>, f32) {
    let max = vector.iter().fold(0f32, |m, x| m.max(x.abs()));
    if max == 0.0 {
        return (vec![0; vector.len()], 0.0);
    }
    let scale = max / 127.0;
    // Values lie within ±127 after dividing by the scale, so the cast cannot saturate.
    let codes = vector.iter().map(|x| (x / scale).round().clamp(-127.0, 127.0) as i8).collect();
    (codes, scale)
}

/// Dot product of an f32 query with an int8 code (multiply by the code's scale for the
/// dot product with the vector it encodes).
pub fn dot_i8(query: &[f32], codes: &[i8]) -> f32 {
    // Eight running sums let the compiler vectorise without reassociating one long chain.
    let mut sums = [0f32; 8];
    let chunks = query.chunks_exact(8).zip(codes.chunks_exact(8));
    for (q, c) in chunks {
        for i in 0..8 {
            sums[i] += q[i] * f32::from(c[i]);
        }
    }
    let tail = query.len() - query.len() % 8;
    let rest: f32 = query[tail..].iter().zip(&codes[tail..]).map(|(q, c)| q * f32::from(*c)).sum();
    sums.iter().sum::<f32>() + rest
}

/// Hamming distance of two bit codes of equal length.
pub fn hamming(a: &[u64], b: &[u64]) -> u32 {
    a.iter().zip(b).map(|(x, y)| (x ^ y).count_ones()).sum()
}

/// Hamming distances from `query` to each code packed in `codes` (each `query.len()` words),
/// written to `out`. Uses the processor's popcount instruction where it has one.
pub fn hamming_many(query: &[u64], codes: &[u64], out: &mut [u16]) {
    #[cfg(target_arch = "x86_64")]
    {
        if std::arch::is_x86_feature_detected!("popcnt") {
            // SAFETY: the processor supports `popcnt`, the only feature the function enables.
            unsafe { hamming_many_popcnt(query, codes, out) };
            return;
        }
    }
    hamming_many_portable(query, codes, out);
}

fn hamming_many_portable(query: &[u64], codes: &[u64], out: &mut [u16]) {
    let words = query.len().max(1);
    for (code, d) in codes.chunks_exact(words).zip(out.iter_mut()) {
        // At most 64 bits per word and a few hundred words: fits u16 for any real dimension.
        *d = hamming(query, code) as u16;
    }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "popcnt")]
fn hamming_many_popcnt(query: &[u64], codes: &[u64], out: &mut [u16]) {
    hamming_many_portable(query, codes, out);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn int8_codes_reproduce_the_vector_closely() {
        let v: Vec<f32> = (0..384).map(|i| ((i * 37 % 101) as f32 - 50.0) / 50.0).collect();
        let (codes, scale) = int8(&v);
        let worst = v.iter().zip(&codes).map(|(x, c)| (x - f32::from(*c) * scale).abs()).fold(0f32, f32::max);
        assert!(worst <= scale / 2.0 + 1e-6, "worst error {worst}, scale {scale}");
        let exact: f32 = v.iter().map(|x| x * x).sum();
        let approx = dot_i8(&v, &codes) * scale;
        assert!((exact - approx).abs() / exact < 1e-3, "{exact} vs {approx}");
    }

    #[test]
    fn a_zero_vector_has_zero_codes() {
        assert_eq!(int8(&[0.0, 0.0]), (vec![0, 0], 0.0));
    }

    #[test]
    fn sign_bits_follow_the_threshold_and_hamming_counts_differences() {
        let center = vec![0.0; 70];
        let mut v = vec![-1.0; 70];
        v[0] = 1.0;
        v[65] = 1.0;
        let bits = sign_bits(&v, &center);
        assert_eq!(bits, vec![1, 2]);
        let mut w = v.clone();
        w[3] = 1.0;
        assert_eq!(hamming(&bits, &sign_bits(&w, &center)), 1);
        let mut out = [9u16; 2];
        let codes = [bits.clone(), sign_bits(&w, &center)].concat();
        hamming_many(&bits, &codes, &mut out);
        assert_eq!(out, [0, 1]);
        let mut portable = [9u16; 2];
        hamming_many_portable(&bits, &codes, &mut portable);
        assert_eq!(portable, out);
    }
}
