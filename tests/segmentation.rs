//! Segmentation on real seed-corpus text and on constructed tricky cases (English,
//! Indonesian, Chinese).

use transalign::config::{Config, Overrides, RawConfig};
use transalign::ingest::document_from_text;
use transalign::segment::Segmenter;

fn config() -> Config {
    Config::validate(RawConfig::default(), None, "", &Overrides::default()).unwrap()
}

fn sentences(text: &str, lang: &str) -> Vec<String> {
    let config = config();
    let doc = document_from_text("t", text);
    Segmenter::new(&config.segment)
        .segment(&doc, lang)
        .into_iter()
        .map(|s| s.text)
        .collect()
}

fn seed(name: &str) -> String {
    std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("examples/corpus")
            .join(name),
    )
    .unwrap()
}

#[test]
fn seed_dateline_is_not_split_at_jan() {
    let s = sentences(&seed("000_0230af871a96b133.txt"), "en");
    assert_eq!(
        s[0],
        "LONDON/BRUSSELS, Jan. 27 (Xinhua) -- Senior Chinese diplomats in Europe have recently slammed the \"groundless\" accusation against Chinese telecommunication giant Huawei, stressing that Huawei does not pose any threat to any country."
    );
}

#[test]
fn seed_quotes_stay_with_their_attribution() {
    let s = sentences(&seed("000_0230af871a96b133.txt"), "en");
    assert!(s.contains(&"\"If left unchecked, they could disrupt market rules, undermine company confidence, poison business cooperation, and cause uncertainties and instabilities in the world economy,\" he wrote.".to_string()), "{s:#?}");
    let s = sentences(&seed("002_31f4b67c5741125d.txt"), "en");
    assert!(s.iter().any(|x| x.starts_with(
        "Such false remarks are a copy of the “China Threat Theory”, which will not only mislead"
    )));
}

#[test]
fn seed_indonesian_numbers_are_not_split() {
    let s = sentences(&seed("003_eb641ee9339536e9.txt"), "id");
    assert!(s.contains(&"Dalam 30 tahun terakhir, Huawei telah mengembangkan lebih dari 1.500 jaringan di lebih dari 170 negara dan wilayah, memiliki 228 perusahaan Fortune 500 sebagai klien dan melayani lebih dari 3 miliar orang di seluruh dunia.".to_string()));
    let with_830 = s
        .iter()
        .find(|x| x.contains("830.000 komputer"))
        .expect("830.000 sentence");
    assert!(
        with_830.starts_with("Menurut laporan Tim Teknis"),
        "{with_830}"
    );
}

#[test]
fn seed_speaker_prefixes_start_their_sentence() {
    let s = sentences(&seed("003_eb641ee9339536e9.txt"), "id");
    assert!(
        s.contains(&"Wang Wenbin: Saya tidak mengetahui situasi yang Anda sebutkan.".to_string())
    );
    assert!(s.iter().any(|x| x.starts_with("Reuters: Ada laporan bahwa perbatasan darat antara Korea Utara dan Tiongkok telah dibuka kembali")));
}

#[test]
fn english_tricky_cases() {
    assert_eq!(
        sentences(
            "Mr. Smith of the U.S. Navy arrived on Jan. 5. He said: \"We will stay.\" No. 10 Downing St. was quiet. She asked, \"Why?\" Nobody knew.",
            "en"
        ),
        [
            "Mr. Smith of the U.S. Navy arrived on Jan. 5.",
            "He said: \"We will stay.\"",
            "No. 10 Downing St. was quiet.",
            "She asked, \"Why?\"",
            "Nobody knew."
        ]
    );
}

#[test]
fn indonesian_tricky_cases() {
    assert_eq!(
        sentences(
            "Bantuan berupa beras, minyak, dsb. dikirim ke Jl. Merdeka No. 12. Bpk. Joko hadir. Harga naik dari 1.250 menjadi 830.000 rupiah, dst. sampai akhir tahun.",
            "id"
        ),
        [
            "Bantuan berupa beras, minyak, dsb. dikirim ke Jl. Merdeka No. 12.",
            "Bpk. Joko hadir.",
            "Harga naik dari 1.250 menjadi 830.000 rupiah, dst. sampai akhir tahun."
        ]
    );
}

#[test]
fn chinese_tricky_cases() {
    assert_eq!(
        sentences(
            "外交部发言人汪文斌表示：“网络攻击很难溯源。”他还说，中方坚决反对！这是真的吗？是的。",
            "zh"
        ),
        [
            "外交部发言人汪文斌表示：“网络攻击很难溯源。”",
            "他还说，中方坚决反对！",
            "这是真的吗？",
            "是的。"
        ]
    );
}

#[test]
fn a_sentence_never_spans_two_paragraphs() {
    let s = sentences(
        "The first paragraph has no full stop\nThe second starts here. It ends.",
        "en",
    );
    assert_eq!(
        s,
        [
            "The first paragraph has no full stop",
            "The second starts here.",
            "It ends."
        ]
    );
}

#[test]
fn configured_abbreviations_are_honoured() {
    let mut raw = RawConfig::default();
    raw.segment
        .abbreviations
        .insert("id".into(), vec!["Kemlu.".into()]);
    let config = Config::validate(raw, None, "", &Overrides::default()).unwrap();
    let doc = document_from_text("t", "Juru bicara Kemlu. Wang hadir. Dia pergi.");
    let got: Vec<String> = Segmenter::new(&config.segment)
        .segment(&doc, "id")
        .into_iter()
        .map(|s| s.text)
        .collect();
    assert_eq!(got, ["Juru bicara Kemlu. Wang hadir.", "Dia pergi."]);
}
