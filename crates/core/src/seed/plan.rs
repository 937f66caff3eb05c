//! Which rows get which special treatment. Every kind (each planted defect,
//! and the rarer normal states such as "disabled") is given to an exact
//! number of distinct rows, chosen from the seed, so the generator can
//! report precisely what it planted and tests can check each count.

use std::collections::HashMap;
use std::hash::Hash;

use rand::Rng;
use rand_chacha::ChaCha8Rng;

/// How many rows of `n` get a kind with this rate: at least one whenever
/// there are rows, so small test databases exercise every kind.
pub(crate) fn count_for(n: u64, rate: f64) -> u64 {
    if n == 0 {
        0
    } else {
        ((n as f64 * rate).ceil() as u64).max(1)
    }
}

/// Assigns kinds to row numbers `1..=n`, each kind to its count of rows,
/// no row twice. Kinds that no longer fit are given to fewer rows; the
/// returned counts say how many each really got.
pub(crate) fn assign<K: Copy + Eq + Hash>(
    rng: &mut ChaCha8Rng,
    n: u64,
    kinds: &[(K, f64)],
) -> (HashMap<u64, K>, Vec<(K, u64)>) {
    let mut map = HashMap::new();
    let mut counts = Vec::new();
    for &(kind, rate) in kinds {
        let want = count_for(n, rate);
        let mut got = 0;
        let mut tries = 0;
        while got < want && (map.len() as u64) < n && tries < want * 50 + 100 {
            tries += 1;
            let row = rng.gen_range(1..=n);
            if let std::collections::hash_map::Entry::Vacant(e) = map.entry(row) {
                e.insert(kind);
                got += 1;
            }
        }
        counts.push((kind, got));
    }
    (map, counts)
}

/// splitmix64: a per-row seed, so each row's values depend only on the
/// seed and its number, not on batch sizes or generation order.
pub(crate) fn mix(seed: u64, row: u64, salt: u64) -> u64 {
    let mut z = seed
        .wrapping_add(row.wrapping_mul(0x9E37_79B9_7F4A_7C15))
        .wrapping_add(salt.wrapping_mul(0xD1B5_4A32_D192_ED03));
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn exact_and_disjoint() {
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        let (map, counts) = assign(&mut rng, 1000, &[('a', 0.01), ('b', 0.005), ('c', 0.0)]);
        assert_eq!(counts, vec![('a', 10), ('b', 5), ('c', 1)]);
        assert_eq!(map.len(), 16);
        assert!(map.keys().all(|k| (1..=1000).contains(k)));
    }

    #[test]
    fn small_tables_are_not_overfilled() {
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        let (map, counts) = assign(&mut rng, 2, &[('a', 0.5), ('b', 0.5), ('c', 0.5)]);
        assert_eq!(map.len(), 2);
        assert_eq!(counts.iter().map(|c| c.1).sum::<u64>(), 2);
    }
}
