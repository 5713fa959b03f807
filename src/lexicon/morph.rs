//! Indonesian/Malay morphology: candidate roots of an affixed word, most likely first.
//!
//! A rule-based stripper in the spirit of Nazief–Adriani: inflectional particles (-lah,
//! -kah, -tah, -pun) and possessives (-nya, -ku, -mu), derivational suffixes (-kan, -an,
//! -i), and up to two layers of prefixes (di-, ke-, se-, ter-, ber-, per-, meN-, peN-,
//! memper-, diper-) with the sound changes of meN-/peN- (menulis → tulis, memukul → pukul,
//! menyelidiki → selidik, mengirim → kirim). Confixes (ke-…-an, per-…-an, peN-…-an) fall
//! out of combining a prefix and a suffix. The caller checks candidates against its lexicon.

/// Candidate roots of `word` (lower case), without `word` itself, best first, no duplicates.
pub fn candidates(word: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let push = |w: String, out: &mut Vec<String>| {
        if w.chars().count() >= 2 && w != word && !out.contains(&w) {
            out.push(w);
        }
    };
    for inflected in strip_inflection(word) {
        for (derived, suffix) in strip_suffix(&inflected) {
            let stems = strip_prefixes(&derived, 2);
            // peN-…-an and per-…-an name the act or its result (pencurian = theft): the root
            // reads better than the agent noun inside it (pencuri = thief).
            if suffix == "an" && derived.starts_with("pe") {
                for stem in stems {
                    push(stem, &mut out);
                }
                push(derived, &mut out);
                continue;
            }
            // Suffix only (bangunan → bangun), then prefixes of what is left.
            push(derived.clone(), &mut out);
            for stem in stems {
                push(stem, &mut out);
            }
        }
    }
    out
}

/// The word with and without its particle and possessive (kebijakannya → kebijakan).
fn strip_inflection(word: &str) -> Vec<String> {
    let mut forms = vec![word.to_string()];
    let mut current = word.to_string();
    for particles in [&["lah", "kah", "tah", "pun"][..], &["nya", "ku", "mu"][..]] {
        if let Some(stripped) = particles
            .iter()
            .find_map(|p| current.strip_suffix(p).filter(|s| s.chars().count() >= 3))
        {
            current = stripped.to_string();
            forms.push(current.clone());
        }
    }
    forms
}

/// The word itself and the word without -kan, -an or -i.
fn strip_suffix(word: &str) -> Vec<(String, &'static str)> {
    let mut forms = vec![(word.to_string(), "")];
    for suffix in ["kan", "an", "i"] {
        if let Some(stem) = word.strip_suffix(suffix).filter(|s| s.chars().count() >= 3) {
            forms.push((stem.to_string(), suffix));
        }
    }
    forms
}

/// Roots left after removing up to `layers` prefixes, with meN-/peN- sound changes.
fn strip_prefixes(word: &str, layers: usize) -> Vec<String> {
    let mut out = Vec::new();
    if layers == 0 {
        return out;
    }
    for root in strip_one_prefix(word) {
        if root.chars().count() < 3 {
            continue;
        }
        out.push(root.clone());
        out.extend(strip_prefixes(&root, layers - 1));
    }
    out
}

fn starts_with_vowel(s: &str) -> bool {
    s.starts_with(['a', 'e', 'i', 'o', 'u'])
}

/// The possible roots after one prefix.
fn strip_one_prefix(word: &str) -> Vec<String> {
    let mut roots = Vec::new();
    let mut add = |r: String| roots.push(r);
    // memper-/diper- before mem-/di-.
    for p in ["memper", "diper"] {
        if let Some(rest) = word.strip_prefix(p) {
            add(rest.to_string());
        }
    }
    for p in ["di", "ke", "se", "ter", "ber", "per"] {
        if let Some(rest) = word.strip_prefix(p) {
            add(rest.to_string());
        }
    }
    // ber-/ter- lose their r before a root that starts with r (berenang = ber + renang,
    // terasa = ter + rasa) or whose first syllable ends in -er (bekerja = ber + kerja,
    // beternak = ber + ternak); otherwise "be"/"te" are no prefix (tegas is a root, not
    // te + gas).
    let r_dropped = |rest: &str| rest.starts_with('r') || rest.get(1..3) == Some("er");
    for p in ["be", "te"] {
        if let Some(rest) = word.strip_prefix(p).filter(|r| r_dropped(r)) {
            add(rest.to_string());
        }
    }
    if let Some(rest) = word.strip_prefix("bel") {
        add(rest.to_string());
    }
    for (me, pe) in [("me", "pe")] {
        for prefix in [me, pe] {
            let Some(rest) = word.strip_prefix(prefix) else {
                continue;
            };
            // Roots that begin with m-, n-, ny- or ng- keep them (memiliki → milik, menanti →
            // nanti, menyatakan → nyata); the sound-change readings below come first.
            let keeps_nasal = rest.starts_with(['m', 'n']).then(|| rest.to_string());
            // menge-/penge- + monosyllable (mengebom → bom).
            if let Some(r) = rest.strip_prefix("nge") {
                add(r.to_string());
            }
            if let Some(r) = rest.strip_prefix("ng") {
                // mengambil → ambil, mengirim → kirim, menggali → gali, menghapus → hapus.
                add(r.to_string());
                if starts_with_vowel(r) {
                    add(format!("k{r}"));
                }
            } else if let Some(r) = rest.strip_prefix("ny") {
                // menyelidiki → selidik(i), menyusun → susun.
                add(format!("s{r}"));
                add(r.to_string());
            } else if let Some(r) = rest.strip_prefix('m') {
                // membangun → bangun, memukul → pukul, memfasilitasi → fasilitasi.
                add(r.to_string());
                if starts_with_vowel(r) {
                    add(format!("p{r}"));
                }
            } else if let Some(r) = rest.strip_prefix('n') {
                // menulis → tulis, mendorong → dorong, mencari → cari.
                add(r.to_string());
                if starts_with_vowel(r) {
                    add(format!("t{r}"));
                }
            } else {
                // melihat → lihat, merawat → rawat, mewakili → wakili.
                add(rest.to_string());
            }
            if let Some(root) = keeps_nasal {
                add(root);
            }
        }
    }
    roots
}

#[cfg(test)]
mod tests {
    use super::*;

    fn has(word: &str, root: &str) -> bool {
        candidates(word).iter().any(|c| c == root)
    }

    #[test]
    fn men_and_pen_sound_changes_are_undone() {
        assert!(has("menyelidiki", "selidik"));
        assert!(has("pembangunan", "bangun"));
        assert!(has("mengeksploitasi", "eksploitasi"));
        assert!(has("menulis", "tulis"));
        assert!(has("memukul", "pukul"));
        assert!(has("mengirim", "kirim"));
        assert!(has("mengambil", "ambil"));
        assert!(has("mengebom", "bom"));
        assert!(has("melindungi", "lindung"));
        assert!(has("memiliki", "milik"));
        assert!(has("menyatakan", "nyata"));
    }

    #[test]
    fn suffixes_particles_and_confixes_are_removed() {
        assert!(has("kebijakannya", "kebijakan"));
        assert!(has("keamanan", "aman"));
        assert!(has("kerjasamanya", "kerjasama"));
        assert!(has("perdagangan", "dagang"));
        assert!(has("diperkuat", "kuat"));
        assert!(has("memperkuat", "kuat"));
        assert!(has("bekerja", "kerja"));
        assert!(has("belajar", "ajar"));
        assert!(has("terbesar", "besar"));
        assert!(has("dilakukan", "laku"));
        assert!(has("bukanlah", "bukan"));
        assert!(has("berenang", "renang"));
    }

    #[test]
    fn te_and_be_are_prefixes_only_before_r_and_confix_roots_come_first() {
        assert!(!has("tegas", "gas"), "{:?}", candidates("tegas"));
        assert!(!has("belum", "lum"));
        let c = candidates("pencurian");
        let root = c.iter().position(|x| x == "curi").unwrap();
        let agent = c.iter().position(|x| x == "pencuri").unwrap();
        assert!(root < agent, "{c:?}");
    }

    #[test]
    fn the_plain_word_is_not_a_candidate_and_short_roots_are_dropped() {
        assert!(!candidates("negara").contains(&"negara".to_string()));
        assert!(candidates("di").is_empty());
    }
}
