//! Sentence vectors for alignment: exact nearest neighbours by blocked dot products over
//! unit vectors (cosine), spread over the machine's cores, in both directions at once; and
//! the texts of overlaps (runs of consecutive sentences) that parallel mode embeds.

use std::thread;

pub use half::f16;

use crate::embed::Vectors;

/// Unit vectors of one side, one per sentence (or per overlap); `None` when a text has no
/// vector (its embedding failed). Components are half-precision floats, as in the cache:
/// the vectors of a 100,000-sentence document's overlaps take half the memory of f32.
pub type Side<'a> = [Option<&'a [f16]>];

/// True when the processor has AVX2, FMA and F16C (checked once).
fn wide() -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        use std::sync::OnceLock;
        static WIDE: OnceLock<bool> = OnceLock::new();
        *WIDE.get_or_init(|| {
            std::arch::is_x86_feature_detected!("avx2")
                && std::arch::is_x86_feature_detected!("fma")
                && std::arch::is_x86_feature_detected!("f16c")
        })
    }
    #[cfg(not(target_arch = "x86_64"))]
    false
}

/// Cosine of two unit vectors: with AVX2, FMA and F16C when the processor has them, else
/// the portable loop.
pub fn dot(a: &[f16], b: &[f16]) -> f32 {
    #[cfg(target_arch = "x86_64")]
    if wide() {
        // SAFETY: the processor supports AVX2, FMA and F16C (checked by `wide`).
        return unsafe { dot_f16c(a, b) };
    }
    let mut total = 0.0;
    let (mut x, mut y) = ([0.0f32; 32], [0.0f32; 32]);
    for (a, b) in a.chunks(32).zip(b.chunks(32)) {
        let n = a.len().min(b.len());
        widen(a, &mut x[..n]);
        widen(b, &mut y[..n]);
        total += dot_lanes::<false>(&x[..n], &y[..n]);
    }
    total
}

/// Eight half-precision components at a time widened in registers, four accumulators.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma,f16c")]
unsafe fn dot_f16c(a: &[f16], b: &[f16]) -> f32 {
    use std::arch::x86_64::{
        __m128i, _mm_loadu_si128, _mm256_add_ps, _mm256_cvtph_ps, _mm256_fmadd_ps,
        _mm256_setzero_ps, _mm256_storeu_ps,
    };
    let n = a.len().min(b.len());
    let mut acc = [_mm256_setzero_ps(); 4];
    let mut i = 0;
    while i + 32 <= n {
        for (k, acc) in acc.iter_mut().enumerate() {
            // SAFETY: i + 8k + 8 ≤ n, so both loads of eight u16-sized f16 are in bounds.
            let (x, y) = unsafe {
                (
                    _mm256_cvtph_ps(_mm_loadu_si128(a.as_ptr().add(i + 8 * k).cast::<__m128i>())),
                    _mm256_cvtph_ps(_mm_loadu_si128(b.as_ptr().add(i + 8 * k).cast::<__m128i>())),
                )
            };
            *acc = _mm256_fmadd_ps(x, y, *acc);
        }
        i += 32;
    }
    let sum = _mm256_add_ps(_mm256_add_ps(acc[0], acc[1]), _mm256_add_ps(acc[2], acc[3]));
    let mut lanes = [0.0f32; 8];
    // SAFETY: `lanes` has room for eight f32.
    unsafe { _mm256_storeu_ps(lanes.as_mut_ptr(), sum) };
    let tail: f32 = (i..n).map(|k| a[k].to_f32() * b[k].to_f32()).sum();
    lanes.iter().sum::<f32>() + tail
}

/// Half-precision components as f32 (`into` sets how many).
fn widen(from: &[f16], into: &mut [f32]) {
    use half::slice::HalfFloatSliceExt;
    from[..into.len()].convert_to_f32_slice(into);
}

/// The dot product written so the compiler vectorises it; `FUSED` uses
/// fused multiply-adds (only where the hardware has them: in software they are slow).
#[inline(always)]
fn dot_lanes<const FUSED: bool>(a: &[f32], b: &[f32]) -> f32 {
    // Four independent accumulators of eight lanes: the multiply-adds of one do not wait
    // for the previous one's result.
    let mut lanes = [0.0f32; 32];
    let (a_chunks, b_chunks) = (a.chunks_exact(32), b.chunks_exact(32));
    let tail: f32 = a_chunks
        .remainder()
        .iter()
        .zip(b_chunks.remainder())
        .map(|(x, y)| x * y)
        .sum();
    for (x, y) in a_chunks.zip(b_chunks) {
        for k in 0..32 {
            lanes[k] = if FUSED {
                x[k].mul_add(y[k], lanes[k])
            } else {
                lanes[k] + x[k] * y[k]
            };
        }
    }
    lanes.iter().sum::<f32>() + tail
}

/// The dot products of four queries with two base rows (all of one length), eight lanes
/// per pair: each value loaded serves two or four products, so the loads stay below the
/// multiply-adds. With AVX2 and FMA (`FUSED`) in registers, else the portable loop.
#[inline(always)]
fn dots_4x2<const FUSED: bool>(queries: [&[f32]; 4], base: [&[f32]; 2]) -> [[f32; 2]; 4] {
    #[cfg(target_arch = "x86_64")]
    if FUSED {
        // SAFETY: FUSED is only instantiated inside the AVX2 + FMA search loop.
        return unsafe { dots_4x2_fma(queries, base) };
    }
    let mut out = [[0.0f32; 2]; 4];
    for (query, out) in queries.iter().zip(&mut out) {
        for (row, out) in base.iter().zip(out.iter_mut()) {
            *out = dot_lanes::<FUSED>(query, row);
        }
    }
    out
}

#[cfg(target_arch = "x86_64")]
#[inline(always)]
unsafe fn dots_4x2_fma(queries: [&[f32]; 4], base: [&[f32]; 2]) -> [[f32; 2]; 4] {
    use std::arch::x86_64::{
        _mm256_fmadd_ps, _mm256_loadu_ps, _mm256_setzero_ps, _mm256_storeu_ps,
    };
    let dimension = queries
        .iter()
        .chain(&base)
        .map(|v| v.len())
        .min()
        .unwrap_or(0);
    let lanes = dimension / 8 * 8;
    // SAFETY: only called where the processor has AVX2 (see `dots_4x2`).
    let mut acc = [[unsafe { _mm256_setzero_ps() }; 2]; 4];
    let mut o = 0;
    while o < lanes {
        // SAFETY: o + 8 ≤ lanes ≤ the length of every slice.
        unsafe {
            let y0 = _mm256_loadu_ps(base[0].as_ptr().add(o));
            let y1 = _mm256_loadu_ps(base[1].as_ptr().add(o));
            for (query, acc) in queries.iter().zip(&mut acc) {
                let x = _mm256_loadu_ps(query.as_ptr().add(o));
                acc[0] = _mm256_fmadd_ps(x, y0, acc[0]);
                acc[1] = _mm256_fmadd_ps(x, y1, acc[1]);
            }
        }
        o += 8;
    }
    let mut out = [[0.0f32; 2]; 4];
    for (q, acc) in acc.iter().enumerate() {
        for (b, acc) in acc.iter().enumerate() {
            let mut lanes8 = [0.0f32; 8];
            // SAFETY: `lanes8` has room for eight f32.
            unsafe { _mm256_storeu_ps(lanes8.as_mut_ptr(), *acc) };
            let tail: f32 = (lanes..dimension).map(|k| queries[q][k] * base[b][k]).sum();
            out[q][b] = lanes8.iter().sum::<f32>() + tail;
        }
    }
    out
}

/// Nearest neighbours in both directions.
#[derive(Debug, Clone, Default)]
pub struct Neighbours {
    /// For every query, its most similar base rows as (row, cosine), best first.
    pub of_query: Vec<Vec<(u32, f32)>>,
    /// For every base row, its most similar queries as (query, cosine), best first.
    pub of_base: Vec<Vec<(u32, f32)>>,
}

/// A short list of the best (index, score) pairs seen, best first.
#[derive(Debug, Clone)]
struct Best {
    limit: usize,
    items: Vec<(u32, f32)>,
}

impl Best {
    fn new(limit: usize) -> Self {
        Best {
            limit,
            items: Vec::with_capacity(limit + 1),
        }
    }

    /// The score a new item must beat to enter.
    fn floor(&self) -> f32 {
        if self.items.len() < self.limit {
            f32::NEG_INFINITY
        } else {
            self.items.last().map_or(f32::NEG_INFINITY, |x| x.1)
        }
    }

    fn offer(&mut self, index: u32, score: f32) {
        if self.limit == 0 || score <= self.floor() {
            return;
        }
        let at = self
            .items
            .partition_point(|&(i, s)| s > score || (s == score && i < index));
        self.items.insert(at, (index, score));
        self.items.truncate(self.limit);
    }

    fn merge(&mut self, other: Best) {
        for (i, s) in other.items {
            self.offer(i, s);
        }
    }
}

/// Rows of queries handled together against a tile of base rows (both stay in cache).
const QUERY_BLOCK: usize = 64;
const BASE_TILE: usize = 256;

/// How nearest neighbours are found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Search {
    /// Every pair scored: exact, time n·m·d.
    Exact,
    /// An HNSW index per side (instant-distance): time about (n + m)·log·d, approximate.
    Approximate,
    /// Exact up to [`EXACT_PAIRS`] pairs, approximate beyond.
    Auto,
}

/// Pairs up to which [`Search::Auto`] scores every pair. Measured on two cores with 384-d
/// vectors (`cargo bench --bench align -- vectors`): 20,000 × 20,000 take 6.5 s exact and
/// 50 s through the index, whose cost grows about linearly while the exact search grows
/// with the product; they meet near 150,000 × 150,000.
pub const EXACT_PAIRS: usize = 20_000_000_000;

/// The neighbours in both directions, by the method `search` asks for.
pub fn nearest_by(
    search: Search,
    queries: &Side,
    base: &Side,
    k: usize,
    k_base: usize,
) -> Neighbours {
    let exact = match search {
        Search::Exact => true,
        Search::Approximate => false,
        Search::Auto => queries.len().saturating_mul(base.len()) <= EXACT_PAIRS,
    };
    if exact {
        nearest(queries, base, k, k_base)
    } else {
        Neighbours {
            of_query: approximate(queries, base, k),
            of_base: approximate(base, queries, k_base),
        }
    }
}

/// A unit vector as an HNSW point (distance = 1 − cosine).
#[derive(Clone)]
struct Point<'a>(&'a [f16]);

impl instant_distance::Point for Point<'_> {
    fn distance(&self, other: &Self) -> f32 {
        1.0 - dot(self.0, other.0)
    }
}

/// The `k` nearest base rows of every query through an HNSW index of the base (fixed seed;
/// construction breadth 40, search breadth 2·k, at least 32).
fn approximate(queries: &Side, base: &Side, k: usize) -> Vec<Vec<(u32, f32)>> {
    let present: Vec<(u32, &[f16])> = base
        .iter()
        .enumerate()
        .filter_map(|(i, v)| v.map(|v| (i as u32, v)))
        .collect();
    if present.is_empty() || k == 0 {
        return vec![Vec::new(); queries.len()];
    }
    let breadth = (2 * k).max(32);
    let map = instant_distance::Builder::default()
        .seed(0x5eed)
        .ef_construction(40)
        .ef_search(breadth)
        .build(
            present.iter().map(|(_, v)| Point(v)).collect(),
            present.iter().map(|(i, _)| *i).collect(),
        );
    let mut search = instant_distance::Search::default();
    queries
        .iter()
        .map(|q| match q {
            None => Vec::new(),
            Some(q) => map
                .search(&Point(q), &mut search)
                .take(k)
                .map(|item| (*item.value, 1.0 - item.distance))
                .collect(),
        })
        .collect()
}

/// The `k` nearest base rows of every query and the `k_base` nearest queries of every base
/// row, exactly (every pair is scored once). Time n·m·d, memory (n·k + m·k_base) per thread.
pub fn nearest(queries: &Side, base: &Side, k: usize, k_base: usize) -> Neighbours {
    let threads = thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(queries.len().div_ceil(QUERY_BLOCK).max(1));
    let chunk = queries.len().div_ceil(threads.max(1)).max(1);
    let parts: Vec<(Vec<Best>, Vec<Best>)> = thread::scope(|scope| {
        let handles: Vec<_> = queries
            .chunks(chunk)
            .enumerate()
            .map(|(c, rows)| scope.spawn(move || nearest_part(rows, c * chunk, base, k, k_base)))
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("a neighbour search thread panicked"))
            .collect()
    });
    let mut of_query = Vec::with_capacity(queries.len());
    let mut of_base: Vec<Best> = vec![Best::new(k_base); base.len()];
    for (rows, columns) in parts {
        of_query.extend(rows.into_iter().map(|b| b.items));
        for (total, part) in of_base.iter_mut().zip(columns) {
            total.merge(part);
        }
    }
    Neighbours {
        of_query,
        of_base: of_base.into_iter().map(|b| b.items).collect(),
    }
}

fn nearest_part(
    queries: &Side,
    offset: usize,
    base: &Side,
    k: usize,
    k_base: usize,
) -> (Vec<Best>, Vec<Best>) {
    #[cfg(target_arch = "x86_64")]
    if wide() {
        // SAFETY: the processor supports AVX2 and FMA (checked by `wide`).
        return unsafe { nearest_part_avx2(queries, offset, base, k, k_base) };
    }
    nearest_part_lanes::<false>(queries, offset, base, k, k_base)
}

/// The search loop compiled for AVX2 and FMA, with the dot product inlined.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
unsafe fn nearest_part_avx2(
    queries: &Side,
    offset: usize,
    base: &Side,
    k: usize,
    k_base: usize,
) -> (Vec<Best>, Vec<Best>) {
    nearest_part_lanes::<true>(queries, offset, base, k, k_base)
}

#[inline(always)]
fn nearest_part_lanes<const FUSED: bool>(
    queries: &Side,
    offset: usize,
    base: &Side,
    k: usize,
    k_base: usize,
) -> (Vec<Best>, Vec<Best>) {
    let mut rows: Vec<Best> = vec![Best::new(k); queries.len()];
    let mut columns: Vec<Best> = vec![Best::new(k_base); base.len()];
    let dimension = queries
        .iter()
        .chain(base)
        .flatten()
        .map(|v| v.len())
        .next()
        .unwrap_or(0);
    // Each block of queries and each tile of base rows is widened to f32 once per pass and
    // then scored against the whole other side's block: the conversion costs 1/16 of the
    // products.
    let mut block_f32 = vec![0.0f32; QUERY_BLOCK * dimension];
    let mut tile_f32 = vec![0.0f32; BASE_TILE * dimension];
    for (block_start, block) in queries.chunks(QUERY_BLOCK).enumerate() {
        let block_start = block_start * QUERY_BLOCK;
        widen_rows(block, &mut block_f32, dimension);
        for (tile_start, tile) in base.chunks(BASE_TILE).enumerate() {
            let tile_start = tile_start * BASE_TILE;
            widen_rows(tile, &mut tile_f32, dimension);
            // Four queries against two base rows at a time; the rest one pair at a time.
            let (full_q, full_b) = (block.len() / 4 * 4, tile.len() / 2 * 2);
            let query_at = |q: usize| &block_f32[q * dimension..(q + 1) * dimension];
            let base_at = |b: usize| &tile_f32[b * dimension..(b + 1) * dimension];
            let mut offer = |q: usize, b: usize, score: f32| {
                if block[q].is_some() && tile[b].is_some() {
                    rows[block_start + q].offer((tile_start + b) as u32, score);
                    columns[tile_start + b].offer((offset + block_start + q) as u32, score);
                }
            };
            for q in (0..full_q).step_by(4) {
                let queries = [
                    query_at(q),
                    query_at(q + 1),
                    query_at(q + 2),
                    query_at(q + 3),
                ];
                for b in (0..full_b).step_by(2) {
                    let scores = dots_4x2::<FUSED>(queries, [base_at(b), base_at(b + 1)]);
                    for (dq, pair) in scores.iter().enumerate() {
                        offer(q + dq, b, pair[0]);
                        offer(q + dq, b + 1, pair[1]);
                    }
                }
                for b in full_b..tile.len() {
                    for (dq, query) in queries.iter().enumerate() {
                        offer(q + dq, b, dot_lanes::<FUSED>(query, base_at(b)));
                    }
                }
            }
            for q in full_q..block.len() {
                for b in 0..tile.len() {
                    offer(q, b, dot_lanes::<FUSED>(query_at(q), base_at(b)));
                }
            }
        }
    }
    (rows, columns)
}

/// The rows present, widened into consecutive `dimension`-long runs of `into`.
#[inline(always)]
fn widen_rows(rows: &Side, into: &mut [f32], dimension: usize) {
    for (row, into) in rows.iter().zip(into.chunks_exact_mut(dimension.max(1))) {
        if let Some(row) = row {
            widen(row, &mut into[..row.len().min(dimension)]);
        }
    }
}

/// The cosine of unrelated pairs, estimated from a fixed sample of source × target pairs,
/// so that cosines of any model map onto one scale: `rescale` gives 0 for the baseline and
/// 1 for identical vectors.
#[derive(Debug, Clone, Copy)]
pub struct Baseline {
    pub mean: f32,
    /// The standard deviation of the sampled cosines.
    pub spread: f32,
    /// What a cosine's distance from `mean` is multiplied by: `1 / (1 − mean)`, or another
    /// side's scale when matched to it ([`Baseline::matched_to`]).
    scale: f32,
}

impl Baseline {
    /// Pairs sampled (with a fixed seed: runs are reproducible).
    const SAMPLES: usize = 4096;

    pub fn of(source: &Side, target: &Side) -> Baseline {
        Self::sampled(source, target, &|_, _| true)
    }

    /// The baseline of the pairs `(s, t)` that `admit` lets in (a sample of them).
    pub fn sampled(source: &Side, target: &Side, admit: &dyn Fn(usize, usize) -> bool) -> Baseline {
        let s: Vec<usize> = (0..source.len()).filter(|&i| source[i].is_some()).collect();
        let t: Vec<usize> = (0..target.len()).filter(|&j| target[j].is_some()).collect();
        let mut rng = fastrand::Rng::with_seed(0x7a11);
        let n = Self::SAMPLES.min(s.len() * t.len());
        let mut cosines = Vec::with_capacity(n);
        // Draws are bounded, so a side where `admit` lets almost nothing in still ends.
        for _ in 0..n * 4 {
            if cosines.len() == n {
                break;
            }
            let (i, j) = (s[rng.usize(..s.len())], t[rng.usize(..t.len())]);
            if let (true, Some(a), Some(b)) = (admit(i, j), source[i], target[j]) {
                cosines.push(dot(a, b));
            }
        }
        if cosines.is_empty() {
            return Baseline {
                mean: 0.0,
                spread: 0.0,
                scale: 1.0,
            };
        }
        let count = cosines.len() as f32;
        let mean = (cosines.iter().sum::<f32>() / count).clamp(-0.99, 0.99);
        let spread = (cosines.iter().map(|c| (c - mean).powi(2)).sum::<f32>() / count).sqrt();
        Baseline {
            mean,
            spread,
            scale: 1.0 / (1.0 - mean),
        }
    }

    /// This baseline's cosines put on `real`'s scale: a cosine as far above this mean, in
    /// this spread, as a cosine of `real`'s is above its own is rescaled to the same value.
    /// Decoy vectors come from the other language's sentences, whose cosines with a source
    /// spread about twice as wide as cross-lingual ones (seed corpus, e5: 0.040 against
    /// 0.022): unmatched, their best would beat any real match.
    pub fn matched_to(self, real: Baseline) -> Baseline {
        let ratio = if self.spread > 0.0 && real.spread > 0.0 {
            real.spread / self.spread
        } else {
            1.0
        };
        Baseline {
            scale: real.scale * ratio,
            ..self
        }
    }

    /// `(cosine − mean) · scale` (`/ (1 − mean)` unless matched), at least 0.
    pub fn rescale(self, cosine: f32) -> f32 {
        ((cosine - self.mean) * self.scale).max(0.0)
    }
}

/// The mean of the vectors of a side (`None` when it has none), as f16 so that [`dot`]
/// reads it: its dot product with a vector is the mean cosine of that vector with the side.
pub fn centroid(side: &Side) -> Option<Vec<f16>> {
    let rows: Vec<&[f16]> = side.iter().flatten().copied().collect();
    let dimension = rows.first()?.len();
    let mut total = vec![0.0f32; dimension];
    let mut row = vec![0.0f32; dimension];
    for vector in &rows {
        widen(vector, &mut row);
        for (t, x) in total.iter_mut().zip(&row) {
            *t += x;
        }
    }
    let count = rows.len() as f32;
    Some(total.iter().map(|t| f16::from_f32(t / count)).collect())
}

/// The text of a run of consecutive sentences, as parallel mode embeds it.
pub fn overlap_text(sentences: &[&str]) -> String {
    sentences
        .iter()
        .map(|s| s.trim())
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// For every sentence, the vectors of the overlaps of 1..=`overlap` sentences starting at it
/// (`None` where an overlap has no vector).
pub fn span_vectors<'v>(
    texts: &[&str],
    overlap: usize,
    vectors: &'v Vectors,
) -> Vec<Vec<Option<&'v [f16]>>> {
    (0..texts.len())
        .map(|i| {
            (1..=overlap.min(texts.len() - i))
                .map(|n| vectors.get(&overlap_text(&texts[i..i + n])))
                .collect()
        })
        .collect()
}

/// Stand-ins for the overlaps of `spans` (as [`span_vectors`] gives them) that have no
/// vector: the normalised mean of their sentences' vectors, when all of them have one
/// (`stand_ins[i][n - 1]`, `None` where the overlap has its own vector or no stand-in).
pub fn stand_ins(spans: &[Vec<Option<&[f16]>>]) -> Vec<Vec<Option<Vec<f16>>>> {
    let singles: Vec<Option<&[f16]>> = spans
        .iter()
        .map(|row| row.first().copied().flatten())
        .collect();
    spans
        .iter()
        .enumerate()
        .map(|(i, row)| {
            row.iter()
                .enumerate()
                .map(|(k, vector)| {
                    let parts = &singles[i..i + k + 1];
                    if vector.is_some() || k == 0 || parts.iter().any(Option::is_none) {
                        return None;
                    }
                    let mut mean = centroid(parts)?;
                    crate::embed::normalise(&mut mean);
                    Some(mean)
                })
                .collect()
        })
        .collect()
}

/// Every overlap text of up to `max` consecutive sentences, in order of start then length.
pub fn overlap_texts(sentences: &[&str], max: usize) -> Vec<String> {
    let mut out = Vec::new();
    for i in 0..sentences.len() {
        for n in 1..=max.min(sentences.len() - i) {
            out.push(overlap_text(&sentences[i..i + n]));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_matched_baseline_puts_a_wider_spread_on_the_real_scale() {
        // Cosines of the decoy pairs spread twice as wide around their mean as the real.
        let real = Baseline {
            mean: 0.8,
            spread: 0.02,
            scale: 1.0 / 0.2,
        };
        let decoy = Baseline {
            mean: 0.81,
            spread: 0.04,
            scale: 1.0 / 0.19,
        };
        let matched = decoy.matched_to(real);
        // Two spreads above the mean rescale alike on both sides.
        let on_real = real.rescale(0.8 + 2.0 * 0.02);
        let on_decoy = matched.rescale(0.81 + 2.0 * 0.04);
        assert!((on_real - on_decoy).abs() < 1e-5, "{on_real} {on_decoy}");
        assert!(
            decoy.rescale(0.81 + 2.0 * 0.04) > 2.0 * on_real,
            "unmatched: too strong"
        );
        // A sampled baseline measures its spread; one without pairs is neutral.
        let rows: Vec<Vec<f16>> = [[1.0, 0.0], [0.6, 0.8], [0.0, 1.0]]
            .iter()
            .map(|r| r.iter().map(|&x| f16::from_f32(x)).collect())
            .collect();
        let side: Vec<Option<&[f16]>> = rows.iter().map(|r| Some(r.as_slice())).collect();
        let sampled = Baseline::sampled(&side, &side, &|s, t| s != t);
        assert!(sampled.spread > 0.1 && sampled.mean > 0.4 && sampled.mean < 0.8);
        let none = Baseline::sampled(&side, &side, &|_, _| false);
        assert_eq!((none.mean, none.spread, none.rescale(0.5)), (0.0, 0.0, 0.5));
    }

    fn unit(v: &[f32]) -> Vec<f32> {
        let n = v.iter().map(|x| x * x).sum::<f32>().sqrt();
        v.iter().map(|x| x / n).collect()
    }

    fn random_units(n: usize, dimensions: usize, rng: &mut fastrand::Rng) -> Vec<Vec<f16>> {
        (0..n)
            .map(|_| {
                unit(&(0..dimensions).map(|_| rng.f32() - 0.5).collect::<Vec<_>>())
                    .into_iter()
                    .map(f16::from_f32)
                    .collect()
            })
            .collect()
    }

    fn views(v: &[Vec<f16>]) -> Vec<Option<&[f16]>> {
        v.iter().map(|x| Some(x.as_slice())).collect()
    }

    #[test]
    fn nearest_neighbours_match_a_brute_force_search_both_ways() {
        let mut rng = fastrand::Rng::with_seed(7);
        let q = random_units(70, 19, &mut rng);
        let b = random_units(300, 19, &mut rng);
        let qs = views(&q);
        let mut bs = views(&b);
        bs[5] = None;
        let found = nearest(&qs, &bs, 3, 2);
        for (i, v) in q.iter().enumerate() {
            let mut all: Vec<(u32, f32)> = b
                .iter()
                .enumerate()
                .filter(|(j, _)| *j != 5)
                .map(|(j, w)| (j as u32, dot(v, w)))
                .collect();
            all.sort_by(|x, y| y.1.total_cmp(&x.1));
            let want: Vec<u32> = all.iter().take(3).map(|x| x.0).collect();
            let got: Vec<u32> = found.of_query[i].iter().map(|x| x.0).collect();
            assert_eq!(got, want, "query {i}");
        }
        for (j, w) in b.iter().enumerate() {
            if j == 5 {
                assert!(found.of_base[j].is_empty());
                continue;
            }
            let mut all: Vec<(u32, f32)> = q
                .iter()
                .enumerate()
                .map(|(i, v)| (i as u32, dot(v, w)))
                .collect();
            all.sort_by(|x, y| y.1.total_cmp(&x.1));
            let want: Vec<u32> = all.iter().take(2).map(|x| x.0).collect();
            let got: Vec<u32> = found.of_base[j].iter().map(|x| x.0).collect();
            assert_eq!(got, want, "base row {j}");
        }
    }

    #[test]
    fn the_approximate_search_finds_almost_every_exact_neighbour() {
        let mut rng = fastrand::Rng::with_seed(3);
        let q = random_units(200, 24, &mut rng);
        let b = random_units(800, 24, &mut rng);
        let (qs, bs) = (views(&q), views(&b));
        let exact = nearest_by(Search::Exact, &qs, &bs, 1, 1);
        let approximate = nearest_by(Search::Approximate, &qs, &bs, 1, 1);
        let same = exact
            .of_query
            .iter()
            .zip(&approximate.of_query)
            .filter(|(e, a)| e.first().map(|x| x.0) == a.first().map(|x| x.0))
            .count();
        assert!(same >= 190, "{same} of 200 nearest neighbours agree");
        let (row, cosine) = approximate.of_query[0][0];
        assert!((cosine - dot(&q[0], &b[row as usize])).abs() < 1e-5);
    }

    #[test]
    fn overlaps_cover_every_run_up_to_the_maximum() {
        let texts = overlap_texts(&["a", "b ", "c"], 2);
        assert_eq!(texts, ["a", "a b", "b", "b c", "c"]);
    }

    #[test]
    fn an_overlap_not_embedded_stands_in_as_the_normalised_mean_of_its_sentences() {
        let half = |v: &[f32]| v.iter().map(|&x| f16::from_f32(x)).collect::<Vec<f16>>();
        let (x, y, z) = (half(&[1.0, 0.0]), half(&[0.0, 1.0]), half(&[0.6, 0.8]));
        let embedded_xy = half(&[0.8, 0.6]);
        // Sentences x, y, z; the overlap "x y" was embedded, "y z" and "x y z" were not.
        let spans: Vec<Vec<Option<&[f16]>>> = vec![
            vec![Some(&x), Some(&embedded_xy), None],
            vec![Some(&y), None],
            vec![Some(&z)],
        ];
        let means = stand_ins(&spans);
        assert!(
            means[0][0].is_none() && means[0][1].is_none(),
            "embedded ones keep theirs"
        );
        let yz = means[1][1].as_ref().expect("a stand-in for y z");
        let norm = (0.6f32 * 0.6 + 1.8 * 1.8).sqrt();
        assert!(
            (yz[0].to_f32() - 0.6 / norm).abs() < 2e-3
                && (yz[1].to_f32() - 1.8 / norm).abs() < 2e-3
        );
        let xyz = means[0][2].as_ref().expect("a stand-in for x y z");
        assert!((dot(xyz, xyz) - 1.0).abs() < 2e-3, "unit length");
        // A sentence without a vector leaves its overlaps without a stand-in.
        let spans: Vec<Vec<Option<&[f16]>>> = vec![vec![Some(&x), None], vec![None]];
        assert!(stand_ins(&spans)[0][1].is_none());
    }
}
