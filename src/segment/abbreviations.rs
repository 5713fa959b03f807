//! Per-language abbreviations after which a full stop does not end a sentence.
//!
//! sentencex knows English and some European languages; Indonesian and Malay fall back to
//! its English list, so their abbreviations live here. Users add more in
//! `[segment.abbreviations]`.

/// Abbreviations shared by all Latin-script languages (titles, months, common Latin).
const COMMON: &[&str] = &[
    "no", "nos", "nr", "vs", "etc", "e.g", "i.e", "cf", "ca", "approx", "fig", "vol", "pp", "p",
    "ed", "eds", "dr", "prof", "st", "jr", "sr", "mr", "mrs", "ms", "messrs", "gen", "col", "lt",
    "sgt", "capt", "gov", "sen", "rep", "rev", "hon", "inc", "ltd", "co", "corp", "dept", "est",
    "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec", "u.s",
    "u.k", "u.n", "e.u", "a.m", "p.m", "ph.d",
];

const ENGLISH: &[&str] = &[
    "mt", "ft", "ave", "blvd", "rd", "univ", "assn", "bros", "gov't",
];

/// Indonesian and Malay (both use the same conventions for these).
const INDONESIAN_MALAY: &[&str] = &[
    "dll", "dsb", "dst", "dkk", "bpk", "bp", "ibu", "sdr", "sdri", "jl", "jln", "kab", "kec",
    "kel", "prov", "tel", "telp", "hlm", "yth", "tsb", "dgn", "utk", "spt", "sbg", "ttd", "an",
    "a.n", "u.p", "s.d", "drs", "dra", "ir", "h", "hj", "kh", "m.si", "s.h", "s.e", "s.pd",
    "s.kom", "m.a", "m.sc", "ds", "no", "kp", "rt", "rw", "pt", "tbk", "cv", "sdn", "bhd", "tuan",
    "pn", "en", "datuk", "dato",
];

/// The built-in list for `lang` (ISO 639-1), lower-case, without the final full stop.
pub fn builtin(lang: &str) -> Vec<&'static str> {
    let specific: &[&str] = match lang {
        "en" => ENGLISH,
        "id" | "ms" => INDONESIAN_MALAY,
        _ => &[],
    };
    COMMON.iter().chain(specific).copied().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn indonesian_has_its_own_abbreviations() {
        let id = builtin("id");
        for a in ["dll", "dsb", "dst", "no", "bpk", "jl"] {
            assert!(id.contains(&a), "{a}");
        }
        assert!(builtin("en").contains(&"jan"));
    }
}
