//! Fingerprints of a token sequence by winnowing (Schleimer, Wilkerson
//! and Aiken, "Winnowing: local algorithms for document fingerprinting",
//! SIGMOD 2003).
//!
//! Every run of [`K`] tokens (a k-gram) is hashed; in each window of [`W`]
//! consecutive hashes the smallest is chosen (the rightmost on a tie), once
//! per run of windows that share it. The paper's guarantee: two files that
//! share a run of at least `W + K - 1` tokens share at least one chosen
//! fingerprint, while runs shorter than `K` are never matched (noise).

use super::tokens::Token;

/// Tokens in a k-gram: shorter shared runs are noise. About one line of
/// normalised Rust (`let x = y.z(a)?;` is 11 tokens).
pub const K: usize = 12;
/// Hashes in a window: with `K`, any shared run of `W + K - 1` = 19 tokens,
/// about two lines, is found.
pub const W: usize = 8;

/// One chosen fingerprint: the k-gram's hash and where it starts (the index
/// of its first token).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Print {
    pub hash: u64,
    pub at: u32,
}

/// The hash of every k-gram of `tokens`, in order.
pub fn kgrams(tokens: &[Token]) -> Vec<u64> {
    if tokens.len() < K {
        return Vec::new();
    }
    tokens
        .windows(K)
        .map(|gram| {
            // FNV-1a over the kinds, then a final mix so the low bits spread.
            let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
            for token in gram {
                hash ^= u64::from(token.kind);
                hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
            }
            hash ^= hash >> 33;
            hash = hash.wrapping_mul(0xff51_afd7_ed55_8ccd);
            hash ^ (hash >> 33)
        })
        .collect()
}

/// The fingerprints winnowing chooses among `hashes`. A sequence shorter
/// than a window has its smallest hash chosen, so a short file still has one.
pub fn winnow(hashes: &[u64]) -> Vec<Print> {
    let mut chosen: Vec<Print> = Vec::new();
    if hashes.is_empty() {
        return chosen;
    }
    let window = W.min(hashes.len());
    for start in 0..=hashes.len() - window {
        // The rightmost smallest hash of this window.
        let mut best = start;
        for at in start..start + window {
            if hashes[at] <= hashes[best] {
                best = at;
            }
        }
        if chosen.last().is_none_or(|p| p.at as usize != best) {
            chosen.push(Print {
                hash: hashes[best],
                at: best as u32,
            });
        }
    }
    chosen
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tokens(kinds: &[u32]) -> Vec<Token> {
        kinds.iter().map(|&kind| Token { kind, line: 1 }).collect()
    }

    #[test]
    fn any_shared_run_of_w_plus_k_minus_1_tokens_is_found() {
        // Two sequences of pseudo-random tokens that share one run, placed
        // at every offset: the run always yields a common fingerprint.
        let mut seed = 7u32;
        let mut next = || {
            seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12345);
            (seed >> 16) % 50 + 200
        };
        let shared: Vec<u32> = (0..W + K - 1).map(|_| next()).collect();
        for offset in 0..20 {
            let mut a: Vec<u32> = (0..offset).map(|_| next()).collect();
            a.extend(&shared);
            a.extend((0..15).map(|_| next()));
            let mut b: Vec<u32> = (0..30).map(|_| next()).collect();
            b.extend(&shared);
            let fa = winnow(&kgrams(&tokens(&a)));
            let fb = winnow(&kgrams(&tokens(&b)));
            assert!(
                fa.iter().any(|p| fb.iter().any(|q| q.hash == p.hash)),
                "offset {offset}: no fingerprint in common"
            );
        }
    }

    #[test]
    fn short_runs_are_never_hashed_and_fingerprints_are_few() {
        assert!(kgrams(&tokens(&[1; K - 1])).is_empty());
        let many: Vec<u32> = (0..400).map(|i| (i * 7919 % 97) as u32).collect();
        let prints = winnow(&kgrams(&tokens(&many)));
        // The paper's density: about 2 / (W + 1) of the k-grams.
        assert!(prints.len() < 400 * 3 / (W + 1), "{}", prints.len());
        assert!(prints.len() > 400 / (W + 1), "{}", prints.len());
    }
}
