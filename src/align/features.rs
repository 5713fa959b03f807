//! Sentence features for alignment: stemmed words with IDF weights (with the alternatives of a
//! lexicon gloss, `security|safety`, as one slot), names/numbers/acronyms taken from the
//! original text, and character trigrams; and the similarity of two feature sets.

use std::collections::HashMap;

use unicode_normalization::{IsNormalized, UnicodeNormalization};

/// Letters kept for a word's stem: a language-independent truncation stemmer (robust to
/// inflection in every language and to gloss noise).
const STEM_CHARS: usize = 5;

/// Maps stems to ids and counts document frequencies.
#[derive(Debug, Default)]
pub struct Vocabulary {
    ids: HashMap<String, u32>,
    df: Vec<u32>,
    documents: u32,
    idf: Vec<f32>,
}

impl Vocabulary {
    pub fn id(&mut self, stem: &str) -> u32 {
        if let Some(&id) = self.ids.get(stem) {
            return id;
        }
        let id = self.df.len() as u32;
        self.ids.insert(stem.to_string(), id);
        self.df.push(0);
        id
    }

    /// Counts one unit (sentence) containing `ids` (each id once).
    pub fn count(&mut self, ids: impl IntoIterator<Item = u32>) {
        self.documents += 1;
        for id in ids {
            self.df[id as usize] += 1;
        }
    }

    /// Fixes the IDF weights after all units were counted.
    pub fn finish(&mut self) {
        let n = self.documents.max(1) as f32;
        self.idf = self
            .df
            .iter()
            .map(|&df| (1.0 + n / (1.0 + df as f32)).ln())
            .collect();
    }

    pub fn idf(&self, id: u32) -> f32 {
        self.idf.get(id as usize).copied().unwrap_or(1.0)
    }

    pub fn df(&self, id: u32) -> u32 {
        self.df.get(id as usize).copied().unwrap_or(0)
    }

    pub fn documents(&self) -> u32 {
        self.documents
    }

    /// Distinct stems.
    pub fn len(&self) -> usize {
        self.df.len()
    }

    pub fn is_empty(&self) -> bool {
        self.df.is_empty()
    }
}

/// The word slots of a sentence, flat: slot k is `ids[ends[k - 1]..ends[k]]` (the
/// alternatives of one word position). Two allocations per sentence instead of one per word.
#[derive(Debug, Clone, Default)]
pub struct Slots {
    ids: Vec<u32>,
    ends: Vec<u32>,
}

impl Slots {
    /// Empty slots with room for `ids` alternatives in `slots` word positions.
    pub fn with_capacity(ids: usize, slots: usize) -> Self {
        Slots {
            ids: Vec::with_capacity(ids),
            ends: Vec::with_capacity(slots),
        }
    }

    pub fn len(&self) -> usize {
        self.ends.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// The slots in order, each as its alternatives.
    pub fn iter(&self) -> impl Iterator<Item = &[u32]> + '_ {
        runs(&self.ends).map(|run| &self.ids[run])
    }

    /// Every id of every slot.
    pub fn ids(&self) -> &[u32] {
        &self.ids
    }

    /// Adds a slot of the given alternatives, each once (empty slots are not kept).
    pub fn push(&mut self, alternatives: impl IntoIterator<Item = u32>) {
        let start = self.ids.len();
        for id in alternatives {
            if !self.ids[start..].contains(&id) {
                self.ids.push(id);
            }
        }
        if self.ids.len() > start {
            self.ends.push(self.ids.len() as u32);
        }
    }

    /// Appends the slots of another sentence.
    pub fn extend(&mut self, other: &Slots) {
        let offset = self.ids.len() as u32;
        self.ids.extend_from_slice(&other.ids);
        self.ends.extend(other.ends.iter().map(|e| e + offset));
    }
}

/// The consecutive runs that end offsets describe: run k is `ends[k - 1]..ends[k]` (the
/// first starts at 0).
fn runs(ends: &[u32]) -> impl Iterator<Item = std::ops::Range<usize>> + '_ {
    let starts = std::iter::once(0).chain(ends.iter().copied());
    starts
        .zip(ends)
        .map(|(start, &end)| start as usize..end as usize)
}

/// The features of one sentence (or of several merged into a bead).
#[derive(Debug, Clone, Default)]
pub struct Features {
    /// Alternatives per word position (one id for plain text), deduplicated by first id.
    pub slots: Slots,
    /// Every id of the slots, sorted and unique (for look-ups and the index).
    pub bag: Vec<u32>,
    /// Hashed character trigrams, sorted and unique.
    pub trigrams: Vec<u32>,
    /// Characters of the original text (for the length model).
    pub chars: usize,
    /// The bag as a 256-bit Bloom filter (one bit per id): most look-ups of a word that is
    /// not in a sentence end here, without a search of the bag.
    pub bloom: [u64; 4],
    /// Positions of the slots that are names, numbers or acronyms (sorted): evidence that
    /// supports a match but cannot carry one alone.
    pub invariant_slots: Vec<u32>,
}

/// The Bloom filter bit of an id.
fn bloom_bit(id: u32) -> (usize, u64) {
    let bit = (id.wrapping_mul(2_654_435_761) >> 24) as usize; // 8 bits
    (bit / 64, 1 << (bit % 64))
}

/// The text side of [`Features`], before stems become ids: what can be computed for many
/// sentences at once, on several threads. Stems live in one string (`stems`, each ending
/// at its `stem_ends` offset), grouped into word positions by `slot_ends`.
#[derive(Debug, Clone, Default)]
pub struct Tokens {
    stems: String,
    stem_ends: Vec<u32>,
    /// One past the last stem of each slot (index into `stem_ends`).
    slot_ends: Vec<u32>,
    trigrams: Vec<u32>,
    chars: usize,
    /// Stems of the names, numbers and acronyms of the original text (index into
    /// `stem_ends`: the stems from `invariants_start` on).
    invariants_start: usize,
    /// The slots (by position) whose word is a name, number or acronym.
    invariant_slots: Vec<u32>,
}

impl Tokens {
    /// The tokens of a translation (or target-language text), with the invariants of the
    /// `original` text when there is one.
    pub fn of_translation(text: &str, original: Option<&str>) -> Tokens {
        let mut tokens = Tokens::default();
        // The first alternative of every word, each followed by a space (for trigrams).
        let mut plain = String::from(" ");
        for (position, token) in text.split_whitespace().enumerate() {
            let token = token.trim_start_matches('~');
            let slot_start = tokens.stem_ends.len();
            let first = token.split('|').next().unwrap_or("");
            let bare = first.trim_matches(|c: char| !c.is_alphanumeric());
            let invariant = !bare.is_empty() && is_invariant(bare, position == 0);
            for (k, alternative) in token.split('|').enumerate() {
                for_each_word(alternative, |w| {
                    tokens.push_stem_once(stem(w), slot_start);
                    if k == 0 {
                        plain.push_str(w);
                        plain.push(' ');
                    }
                });
            }
            if tokens.stem_ends.len() > slot_start {
                if invariant {
                    tokens.invariant_slots.push(tokens.slot_ends.len() as u32);
                }
                tokens.slot_ends.push(tokens.stem_ends.len() as u32);
            }
        }
        tokens.trigrams = trigram_hashes(&plain);
        tokens.chars = original.unwrap_or(text).chars().count();
        tokens.invariants_start = tokens.stem_ends.len();
        if let Some(original) = original {
            for_each_invariant_stem(original, |s| tokens.push_stem(s));
        }
        tokens
    }

    fn stem_at(&self, k: usize) -> &str {
        let start = if k == 0 {
            0
        } else {
            self.stem_ends[k - 1] as usize
        };
        &self.stems[start..self.stem_ends[k] as usize]
    }

    fn push_stem(&mut self, stem: &str) {
        self.stems.push_str(stem);
        self.stem_ends.push(self.stems.len() as u32);
    }

    /// Adds a stem to the slot that began at `slot_start` unless the slot has it already.
    fn push_stem_once(&mut self, stem: &str, slot_start: usize) {
        if !(slot_start..self.stem_ends.len()).any(|k| self.stem_at(k) == stem) {
            self.push_stem(stem);
        }
    }

    /// The stems of each slot.
    fn slots(&self) -> impl Iterator<Item = impl Iterator<Item = &str> + '_> + '_ {
        runs(&self.slot_ends).map(move |run| run.map(|k| self.stem_at(k)))
    }

    fn invariants(&self) -> impl Iterator<Item = &str> + '_ {
        (self.invariants_start..self.stem_ends.len()).map(|k| self.stem_at(k))
    }
}

/// Calls `f` with the stem of each name, number and acronym of an original text, in order.
fn for_each_invariant_stem(original: &str, mut f: impl FnMut(&str)) {
    for (i, token) in original.split_whitespace().enumerate() {
        let token = token.trim_matches(|c: char| !c.is_alphanumeric());
        if token.is_empty() || !is_invariant(token, i == 0) {
            continue;
        }
        for_each_word(token, |w| f(stem(w)));
    }
}

/// Bits of a trigram sketch.
pub type Sketch = [u64; 32];

/// Sets the bits of `trigrams` in a sketch: the union of several sentences' trigrams as a
/// 2,048-bit set (the parallel aligner's multi-sentence beads). Computed when a run is
/// formed rather than kept per sentence (256 bytes each: 51 MB for 200,000 sentences).
fn add_to_sketch(s: &mut Sketch, trigrams: &[u32]) {
    for &t in trigrams {
        let bit = (t.wrapping_mul(2_654_435_761) >> 21) as usize; // 11 bits
        s[bit / 64] |= 1 << (bit % 64);
    }
}

/// Calls `f` with each lower-cased word of a text (letters and digits; numbers without
/// separators; every Chinese character and kana alone), from one reused buffer.
fn for_each_word(text: &str, mut f: impl FnMut(&str)) {
    let normalised: std::borrow::Cow<str> =
        if unicode_normalization::is_nfc_quick(text.chars()) == IsNormalized::Yes {
            std::borrow::Cow::Borrowed(text)
        } else {
            std::borrow::Cow::Owned(text.nfc().collect())
        };
    let mut current = String::new();
    let mut chars = normalised.chars().flat_map(char::to_lowercase).peekable();
    while let Some(c) = chars.next() {
        let separator_in_number = (c == '.' || c == ',')
            && current.ends_with(|p: char| p.is_ascii_digit())
            && chars.peek().is_some_and(char::is_ascii_digit);
        if is_written_without_spaces(c) {
            if !current.is_empty() {
                f(&current);
                current.clear();
            }
            f(c.encode_utf8(&mut [0; 4]));
        } else if c.is_alphanumeric() {
            current.push(c);
        } else if !separator_in_number && !current.is_empty() {
            f(&current);
            current.clear();
        }
    }
    if !current.is_empty() {
        f(&current);
    }
}

/// True for a character of a script written without spaces between words (Chinese
/// characters, Japanese kana): each is a word of its own, so that an unsegmented sentence
/// and a segmented translation share their words (the Bible en–zh dev text).
fn is_written_without_spaces(c: char) -> bool {
    matches!(c,
        '\u{3040}'..='\u{30FF}' // Hiragana, Katakana
        | '\u{3400}'..='\u{4DBF}' // CJK extension A
        | '\u{4E00}'..='\u{9FFF}' // CJK unified ideographs
        | '\u{F900}'..='\u{FAFF}' // CJK compatibility ideographs
        | '\u{20000}'..='\u{3134F}') // CJK extensions B to G
}

/// The stem of a word: its first [`STEM_CHARS`] characters.
pub fn stem(word: &str) -> &str {
    match word.char_indices().nth(STEM_CHARS) {
        Some((end, _)) => &word[..end],
        None => word,
    }
}

/// True for the tokens of an original text that survive translation: names (capitalised,
/// not sentence-initial), acronyms and numbers.
fn is_invariant(token: &str, first: bool) -> bool {
    token.chars().any(|c| c.is_ascii_digit())
        || (token.chars().next().is_some_and(char::is_uppercase) && !first)
        || (token.chars().filter(|c| c.is_alphabetic()).count() >= 2
            && token
                .chars()
                .filter(|c| c.is_alphabetic())
                .all(char::is_uppercase))
}

/// Hashed character trigrams of a text of lower-cased words, each followed by a space, after
/// a leading space (" w1 w2 ").
fn trigram_hashes(words: &str) -> Vec<u32> {
    let mut out: Vec<u32> = Vec::with_capacity(words.len());
    let mut window = [0u32; 3];
    for (k, c) in words.chars().enumerate() {
        window = [window[1], window[2], c as u32];
        if k >= 2 {
            let mut h: u32 = 2_166_136_261;
            for c in window {
                h = (h ^ c).wrapping_mul(16_777_619);
            }
            out.push(h);
        }
    }
    out.sort_unstable();
    out.dedup();
    out.shrink_to_fit();
    out
}

impl Features {
    /// Features of a text in the target language (or of a translation into it). Words of a
    /// gloss may carry alternatives (`a|b`) and the `~` guess mark.
    pub fn of_translation(text: &str, vocabulary: &mut Vocabulary) -> Features {
        Features::of_tokens(Tokens::of_translation(text, None), vocabulary)
    }

    /// The features of tokens (from [`Tokens::of_translation`]): stems become ids.
    pub fn of_tokens(mut tokens: Tokens, vocabulary: &mut Vocabulary) -> Features {
        // Room for every stem (invariants included) as a slot of its own, at most.
        let stems = tokens.stem_ends.len();
        let mut slots = Slots::with_capacity(stems, stems);
        for stems in tokens.slots() {
            slots.push(stems.map(|s| vocabulary.id(s)).collect::<Vec<_>>());
        }
        let mut f = Features {
            slots,
            chars: tokens.chars,
            invariant_slots: std::mem::take(&mut tokens.invariant_slots),
            ..Features::default()
        };
        f.fill_bag();
        let invariants: Vec<u32> = tokens.invariants().map(|s| vocabulary.id(s)).collect();
        f.add_invariant_ids(&invariants);
        f.trigrams = tokens.trigrams;
        f
    }

    /// Features from their parts (the bag and Bloom filter are derived).
    pub fn from_parts(
        slots: Slots,
        trigrams: Vec<u32>,
        chars: usize,
        invariant_slots: Vec<u32>,
    ) -> Features {
        let mut f = Features {
            slots,
            trigrams,
            chars,
            invariant_slots,
            ..Features::default()
        };
        f.fill_bag();
        f
    }

    /// Adds the names, numbers and acronyms of the original (untranslated) text as slots.
    pub fn add_invariants(&mut self, original: &str, vocabulary: &mut Vocabulary) {
        let mut ids = Vec::new();
        for_each_invariant_stem(original, |s| ids.push(vocabulary.id(s)));
        self.add_invariant_ids(&ids);
        self.chars = original.chars().count();
    }

    /// Adds each id not in the bag yet as a slot of its own.
    fn add_invariant_ids(&mut self, ids: &[u32]) {
        if ids.is_empty() {
            return;
        }
        for &id in ids {
            if !self.bag.contains(&id) {
                self.invariant_slots.push(self.slots.len() as u32);
                self.slots.push([id]);
                self.bag.push(id);
            }
        }
        self.bag.sort_unstable();
        self.fill_bloom();
    }

    fn fill_bag(&mut self) {
        let mut bag: Vec<u32> = self.slots.ids().to_vec();
        bag.sort_unstable();
        bag.dedup();
        self.bag = bag;
        self.fill_bloom();
    }

    fn fill_bloom(&mut self) {
        self.bloom = [0; 4];
        for &id in &self.bag {
            let (word, bit) = bloom_bit(id);
            self.bloom[word] |= bit;
        }
    }

    /// True when `id` is in the bag.
    pub fn contains(&self, id: u32) -> bool {
        let (word, bit) = bloom_bit(id);
        self.bloom[word] & bit != 0 && self.bag.binary_search(&id).is_ok()
    }

    /// The features of several sentences as one unit (a bead of 2 or more).
    pub fn merged(parts: &[&Features]) -> Features {
        let mut f = Features::default();
        for p in parts {
            f.slots.extend(&p.slots);
            f.trigrams.extend(&p.trigrams);
            f.chars += p.chars;
        }
        f.trigrams.sort_unstable();
        f.trigrams.dedup();
        f.fill_bag();
        f
    }

    /// Total IDF weight of the slots (each slot counts its best alternative once).
    pub fn weight(&self, vocabulary: &Vocabulary) -> f32 {
        self.slots
            .iter()
            .map(|slot| {
                slot.iter()
                    .map(|&id| vocabulary.idf(id))
                    .fold(0.0f32, f32::max)
            })
            .sum()
    }
}

/// Weights of the similarity's parts.
#[derive(Debug, Clone, Copy)]
pub struct SimilarityWeights {
    /// Share of the IDF-weighted word overlap; the rest is character trigrams.
    pub words: f32,
}

impl Default for SimilarityWeights {
    fn default() -> Self {
        SimilarityWeights { words: 0.6 }
    }
}

/// Similarity in [0, 1] of a source (translated) unit and a target unit: a weighted Dice of
/// IDF-weighted word slots (a slot matches when any alternative is in the target) and a Dice
/// of character trigrams.
pub fn similarity(
    source: &Features,
    source_weight: f32,
    target: &Features,
    target_weight: f32,
    vocabulary: &Vocabulary,
    weights: SimilarityWeights,
) -> f32 {
    let word = slot_dice(
        source.slots.iter(),
        |id| target.contains(*id),
        source_weight + target_weight,
        vocabulary,
    );
    let shared = sorted_intersection(&source.trigrams, &target.trigrams);
    let chars = dice(shared, source.trigrams.len() + target.trigrams.len());
    weights.words * word + (1.0 - weights.words) * chars
}

/// IDF-weighted Dice of source slots against a target: each slot counts its best
/// alternative that `present` finds in the target.
fn slot_dice<'a>(
    slots: impl Iterator<Item = &'a [u32]>,
    present: impl Fn(&u32) -> bool,
    total_weight: f32,
    vocabulary: &Vocabulary,
) -> f32 {
    let matched: f32 = slots
        .map(|slot| {
            slot.iter()
                .filter(|id| present(id))
                .map(|&id| vocabulary.idf(id))
                .fold(0.0f32, f32::max)
        })
        .sum();
    if total_weight > 0.0 {
        (2.0 * matched / total_weight).min(1.0)
    } else {
        0.0
    }
}

/// The share of the IDF weight of `source`'s slots found in `target` that comes from
/// words other than names, numbers and acronyms (0 when nothing is shared): how much of a
/// match's word evidence would remain without them.
pub fn content_share(source: &Features, target: &Features, vocabulary: &Vocabulary) -> f32 {
    let (mut content, mut total) = (0.0f32, 0.0f32);
    for (k, slot) in source.slots.iter().enumerate() {
        let matched = slot
            .iter()
            .filter(|&&id| target.contains(id))
            .map(|&id| vocabulary.idf(id))
            .fold(0.0f32, f32::max);
        total += matched;
        if source.invariant_slots.binary_search(&(k as u32)).is_err() {
            content += matched;
        }
    }
    if total > 0.0 { content / total } else { 0.0 }
}

/// The IDF-weighted Dice of the two sentences' content words alone (names, numbers and
/// acronyms left out on both sides): how well the rest of the sentences agree.
pub fn content_dice(source: &Features, target: &Features, vocabulary: &Vocabulary) -> f32 {
    let content_weight = |f: &Features| -> f32 {
        f.slots
            .iter()
            .enumerate()
            .filter(|(k, _)| f.invariant_slots.binary_search(&(*k as u32)).is_err())
            .map(|(_, slot)| {
                slot.iter()
                    .map(|&id| vocabulary.idf(id))
                    .fold(0.0f32, f32::max)
            })
            .sum()
    };
    let matched: f32 = source
        .slots
        .iter()
        .enumerate()
        .filter(|(k, _)| source.invariant_slots.binary_search(&(*k as u32)).is_err())
        .map(|(_, slot)| {
            slot.iter()
                .filter(|&&id| target.contains(id))
                .map(|&id| vocabulary.idf(id))
                .fold(0.0f32, f32::max)
        })
        .sum();
    let total = content_weight(source) + content_weight(target);
    if total > 0.0 {
        (2.0 * matched / total).min(1.0)
    } else {
        0.0
    }
}

/// Dice coefficient from the shared count and the sum of both sizes.
fn dice(shared: usize, sizes: usize) -> f32 {
    if sizes > 0 {
        (2.0 * shared as f32 / sizes as f32).min(1.0)
    } else {
        0.0
    }
}

/// The IDF weight of `source`'s slots found in any of `targets`: each slot counts its best
/// alternative present in one of them.
pub fn matched_weight(source: &Features, targets: &[Features], vocabulary: &Vocabulary) -> f32 {
    source
        .slots
        .iter()
        .map(|slot| {
            slot.iter()
                .filter(|&&id| targets.iter().any(|t| t.contains(id)))
                .map(|&id| vocabulary.idf(id))
                .fold(0.0f32, f32::max)
        })
        .sum()
}

/// The similarity the parallel aligner uses for a bead of several source sentences against
/// several target sentences, as if each side were one text: a slot matches when any target
/// part has one of its alternatives; the trigram part is the Dice of the OR-ed sketches.
pub fn similarity_of_parts(
    source: &[Features],
    source_weight: f32,
    target: &[Features],
    target_weight: f32,
    vocabulary: &Vocabulary,
    weights: SimilarityWeights,
) -> f32 {
    let matched: f32 = source
        .iter()
        .map(|s| matched_weight(s, target, vocabulary))
        .sum();
    similarity_of_matched_parts(
        matched,
        &RunSketch::of(source),
        source_weight,
        &RunSketch::of(target),
        target_weight,
        weights,
    )
}

/// The trigram sketch of several sentences taken as one text (a bitwise OR), with its
/// number of set bits.
#[derive(Debug, Clone, Copy)]
pub struct RunSketch {
    pub bits: Sketch,
    pub ones: u32,
}

impl RunSketch {
    pub fn of(parts: &[Features]) -> RunSketch {
        let mut bits = [0u64; 32];
        for p in parts {
            add_to_sketch(&mut bits, &p.trigrams);
        }
        RunSketch::from_bits(bits)
    }

    pub fn from_bits(bits: Sketch) -> RunSketch {
        RunSketch {
            ones: bits.iter().map(|x| x.count_ones()).sum(),
            bits,
        }
    }

    /// This run extended by one more sentence.
    pub fn with(&self, part: &Features) -> RunSketch {
        let mut bits = self.bits;
        add_to_sketch(&mut bits, &part.trigrams);
        RunSketch::from_bits(bits)
    }
}

/// [`similarity_of_parts`] from the matched weight of the source slots (the sum of
/// [`matched_weight`] over the source parts) and the two sides' run sketches, which a
/// caller may have cached.
pub fn similarity_of_matched_parts(
    matched: f32,
    source: &RunSketch,
    source_weight: f32,
    target: &RunSketch,
    target_weight: f32,
    weights: SimilarityWeights,
) -> f32 {
    let total = source_weight + target_weight;
    let word = if total > 0.0 {
        (2.0 * matched / total).min(1.0)
    } else {
        0.0
    };
    let shared: u32 = source
        .bits
        .iter()
        .zip(&target.bits)
        .map(|(x, y)| (x & y).count_ones())
        .sum();
    let chars = dice(shared as usize, (source.ones + target.ones) as usize);
    weights.words * word + (1.0 - weights.words) * chars
}

fn sorted_intersection(a: &[u32], b: &[u32]) -> usize {
    let (mut i, mut j, mut n) = (0, 0, 0);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                n += 1;
                i += 1;
                j += 1;
            }
        }
    }
    n
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alternatives_match_and_invariants_survive() {
        let mut v = Vocabulary::default();
        let mut src = Features::of_translation("the security|safety of ~institution", &mut v);
        src.add_invariants("Keamanan Huawei 830.000 orang", &mut v);
        let tgt =
            Features::of_translation("Huawei safety: 830,000 people and institutions", &mut v);
        let other = Features::of_translation("a completely different sentence", &mut v);
        v.count(src.bag.clone());
        v.count(tgt.bag.clone());
        v.count(other.bag.clone());
        v.finish();
        let w = |f: &Features| f.weight(&v);
        let sim = similarity(
            &src,
            w(&src),
            &tgt,
            w(&tgt),
            &v,
            SimilarityWeights::default(),
        );
        let low = similarity(
            &src,
            w(&src),
            &other,
            w(&other),
            &v,
            SimilarityWeights::default(),
        );
        assert!(sim > 0.4 && low < 0.2, "{sim} {low}");
        let mut words = Vec::new();
        for_each_word("830.000 orang", |w| words.push(w.to_string()));
        assert_eq!(words, vec!["830000", "orang"]);
    }

    #[test]
    fn chinese_characters_are_words_so_segmented_and_unsegmented_text_meet() {
        let words = |text: &str| {
            let mut out = Vec::new();
            for_each_word(text, |w| out.push(w.to_string()));
            out
        };
        // A segmented machine translation and the unsegmented original share their
        // characters; Latin words and numbers next to them stay whole.
        assert_eq!(
            words("上帝 创造 了 天地"),
            ["上", "帝", "创", "造", "了", "天", "地"]
        );
        assert_eq!(
            words("起初神创造天地。"),
            ["起", "初", "神", "创", "造", "天", "地"]
        );
        assert_eq!(words("第3章GPS定位"), ["第", "3", "章", "gps", "定", "位"]);
        assert_eq!(
            words("ひらがなカタカナ"),
            ["ひ", "ら", "が", "な", "カ", "タ", "カ", "ナ"]
        );
        assert_eq!(words("한국어 문장"), ["한국어", "문장"]);
    }
}
