//! `--format parquet`: `aligned.parquet`, `claims.parquet` (one row per claim member) and
//! `sentences.parquet` with typed columns — strings, 64-bit integers, doubles, booleans,
//! lists of sentence indices, nulls where the JSON Lines leave a field out — for pandas,
//! polars, DuckDB and Spark. Written with the `parquet` crate's column writers, uncompressed
//! (the crate is built without codecs), one row group per file.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use parquet::data_type::{
    BoolType, ByteArray, ByteArrayType, DataType, DoubleType, FloatType, Int64Type,
};
use parquet::file::properties::WriterProperties;
use parquet::file::writer::{SerializedColumnWriter, SerializedFileWriter};
use parquet::schema::types::{Type, TypePtr};

use super::exporter::{ExportInput, Exporter};
use crate::error::{Error, Result};

pub struct Parquet;

/// The values of one column, a row each.
enum Values {
    /// `None` is null (an optional column).
    Text(Vec<Option<String>>),
    Integer(Vec<Option<i64>>),
    Real(Vec<Option<f64>>),
    /// Single precision: the scores, which are `f32` (the JSON Lines print the same value).
    Single(Vec<Option<f32>>),
    Flag(Vec<bool>),
    /// A list of integers per row (never null; may be empty).
    Integers(Vec<Vec<i64>>),
}

/// A table being built: named columns of equal length.
#[derive(Default)]
struct Table {
    columns: Vec<(&'static str, Values)>,
}

impl Table {
    fn with(mut self, name: &'static str, values: Values) -> Self {
        self.columns.push((name, values));
        self
    }

    fn text(self, name: &'static str, values: impl Iterator<Item = String>) -> Self {
        self.optional_text(name, values.map(Some))
    }

    fn optional_text(
        self,
        name: &'static str,
        values: impl Iterator<Item = Option<String>>,
    ) -> Self {
        self.with(name, Values::Text(values.collect()))
    }

    fn integer(self, name: &'static str, values: impl Iterator<Item = i64>) -> Self {
        self.with(name, Values::Integer(values.map(Some).collect()))
    }

    fn real(self, name: &'static str, values: impl Iterator<Item = f64>) -> Self {
        self.optional_real(name, values.map(Some))
    }

    fn optional_real(self, name: &'static str, values: impl Iterator<Item = Option<f64>>) -> Self {
        self.with(name, Values::Real(values.collect()))
    }

    fn single(self, name: &'static str, values: impl Iterator<Item = Option<f32>>) -> Self {
        self.with(name, Values::Single(values.collect()))
    }

    fn flag(self, name: &'static str, values: impl Iterator<Item = bool>) -> Self {
        self.with(name, Values::Flag(values.collect()))
    }

    fn integers(self, name: &'static str, values: impl Iterator<Item = Vec<i64>>) -> Self {
        self.with(name, Values::Integers(values.collect()))
    }

    /// The Parquet schema: strings as UTF-8 byte arrays, lists in the standard three-level
    /// form, a column optional exactly when it holds a null.
    fn schema(&self) -> parquet::errors::Result<TypePtr> {
        use parquet::basic::{ConvertedType, LogicalType, Repetition, Type as Physical};
        let mut fields = Vec::with_capacity(self.columns.len());
        for (name, values) in &self.columns {
            let nullable = match values {
                Values::Text(v) => v.iter().any(Option::is_none),
                Values::Integer(v) => v.iter().any(Option::is_none),
                Values::Real(v) => v.iter().any(Option::is_none),
                Values::Single(v) => v.iter().any(Option::is_none),
                Values::Flag(_) | Values::Integers(_) => false,
            };
            let repetition = if nullable {
                Repetition::OPTIONAL
            } else {
                Repetition::REQUIRED
            };
            let primitive = |physical| Type::primitive_type_builder(name, physical);
            let field = match values {
                Values::Text(_) => primitive(Physical::BYTE_ARRAY)
                    .with_logical_type(Some(LogicalType::String))
                    .with_converted_type(ConvertedType::UTF8)
                    .with_repetition(repetition)
                    .build()?,
                Values::Integer(_) => primitive(Physical::INT64)
                    .with_repetition(repetition)
                    .build()?,
                Values::Real(_) => primitive(Physical::DOUBLE)
                    .with_repetition(repetition)
                    .build()?,
                Values::Single(_) => primitive(Physical::FLOAT)
                    .with_repetition(repetition)
                    .build()?,
                Values::Flag(_) => primitive(Physical::BOOLEAN)
                    .with_repetition(repetition)
                    .build()?,
                Values::Integers(_) => {
                    let element = Type::primitive_type_builder("element", Physical::INT64)
                        .with_repetition(Repetition::REQUIRED)
                        .build()?;
                    let list = Type::group_type_builder("list")
                        .with_repetition(Repetition::REPEATED)
                        .with_fields(vec![Arc::new(element)])
                        .build()?;
                    Type::group_type_builder(name)
                        .with_repetition(Repetition::REQUIRED)
                        .with_logical_type(Some(LogicalType::List))
                        .with_converted_type(ConvertedType::LIST)
                        .with_fields(vec![Arc::new(list)])
                        .build()?
                }
            };
            fields.push(Arc::new(field));
        }
        Ok(Arc::new(
            Type::group_type_builder("schema")
                .with_fields(fields)
                .build()?,
        ))
    }

    /// The table as the bytes of a Parquet file.
    fn to_bytes(&self) -> parquet::errors::Result<Vec<u8>> {
        let properties = Arc::new(WriterProperties::builder().build());
        let mut writer = SerializedFileWriter::new(Vec::new(), self.schema()?, properties)?;
        let mut group = writer.next_row_group()?;
        for (_, values) in &self.columns {
            let Some(mut column) = group.next_column()? else {
                break;
            };
            match values {
                Values::Text(v) => write_optional::<ByteArrayType>(
                    &mut column,
                    v.iter().map(|s| s.as_deref().map(ByteArray::from)),
                )?,
                Values::Integer(v) => write_optional::<Int64Type>(&mut column, v.iter().copied())?,
                Values::Real(v) => write_optional::<DoubleType>(&mut column, v.iter().copied())?,
                Values::Single(v) => write_optional::<FloatType>(&mut column, v.iter().copied())?,
                Values::Flag(v) => {
                    column.typed::<BoolType>().write_batch(v, None, None)?;
                }
                Values::Integers(rows) => {
                    // Three-level list: definition 1 for an element, 0 for an empty list;
                    // repetition 0 starts a row, 1 continues its list.
                    let mut values = Vec::new();
                    let (mut definition, mut repetition) = (Vec::new(), Vec::new());
                    for row in rows {
                        if row.is_empty() {
                            definition.push(0);
                            repetition.push(0);
                        }
                        for (k, &x) in row.iter().enumerate() {
                            values.push(x);
                            definition.push(1);
                            repetition.push(i16::from(k > 0));
                        }
                    }
                    column.typed::<Int64Type>().write_batch(
                        &values,
                        Some(&definition),
                        Some(&repetition),
                    )?;
                }
            }
            column.close()?;
        }
        group.close()?;
        writer.into_inner()
    }
}

/// Writes a column that may hold nulls: the present values, and definition levels only
/// when a value is null (the column is then optional, see [`Table::schema`]).
fn write_optional<T: DataType>(
    column: &mut SerializedColumnWriter,
    values: impl Iterator<Item = Option<T::T>>,
) -> parquet::errors::Result<()> {
    let values: Vec<Option<T::T>> = values.collect();
    let levels: Option<Vec<i16>> = values
        .iter()
        .any(Option::is_none)
        .then(|| values.iter().map(|v| i16::from(v.is_some())).collect());
    let present: Vec<T::T> = values.into_iter().flatten().collect();
    column
        .typed::<T>()
        .write_batch(&present, levels.as_deref(), None)?;
    Ok(())
}

fn indices(idx: &[usize]) -> Vec<i64> {
    idx.iter().map(|&i| i as i64).collect()
}

fn aligned(input: &ExportInput) -> Table {
    let a = input.alignments;
    Table::default()
        .text("src_doc", a.iter().map(|r| r.src_doc.clone()))
        .integers("src_ids", a.iter().map(|r| indices(&r.src_ids)))
        .text("src_lang", a.iter().map(|r| r.src_lang.clone()))
        .text("src_text", a.iter().map(|r| r.src_text.clone()))
        .text(
            "src_translation",
            a.iter().map(|r| r.src_translation.clone()),
        )
        .text("tgt_doc", a.iter().map(|r| r.tgt_doc.clone()))
        .integers("tgt_ids", a.iter().map(|r| indices(&r.tgt_ids)))
        .text("tgt_lang", a.iter().map(|r| r.tgt_lang.clone()))
        .text("tgt_text", a.iter().map(|r| r.tgt_text.clone()))
        .single("score", a.iter().map(|r| Some(r.score)))
        .single("similarity", a.iter().map(|r| Some(r.similarity)))
        .single("confidence", a.iter().map(|r| r.confidence))
        .integer("rank", a.iter().map(|r| r.rank as i64))
        .optional_text("tier", a.iter().map(|r| r.tier.clone()))
        .text("mode", a.iter().map(|r| r.mode.clone()))
        .text("backend", a.iter().map(|r| r.backend.clone()))
        .text(
            "flags",
            a.iter()
                .map(|r| serde_json::to_string(&r.flags).unwrap_or_default()),
        )
}

/// One row per member of every claim, the claim's fields repeated (a long table that
/// groups back by `claim_id`).
fn claims(input: &ExportInput) -> Table {
    let rows: Vec<(&crate::claims::Claim, usize)> = input
        .claims
        .iter()
        .flat_map(|c| (0..c.members.len()).map(move |k| (c, k)))
        .collect();
    fn member<'c>(&(c, k): &(&'c crate::claims::Claim, usize)) -> &'c crate::claims::Member {
        &c.members[k]
    }
    Table::default()
        .text("claim_id", rows.iter().map(|(c, _)| c.claim_id.clone()))
        .text("tier", rows.iter().map(|(c, _)| c.tier.clone()))
        .single("confidence", rows.iter().map(|(c, _)| Some(c.confidence)))
        .single("score", rows.iter().map(|(c, _)| Some(c.score)))
        .text("languages", rows.iter().map(|(c, _)| c.languages.join(",")))
        .integer("member", rows.iter().map(|&(_, k)| k as i64))
        .text("doc", rows.iter().map(|r| member(r).doc.clone()))
        .integers("idx", rows.iter().map(|r| indices(&member(r).idx)))
        .text("lang", rows.iter().map(|r| member(r).lang.clone()))
        .text("text", rows.iter().map(|r| member(r).text.clone()))
        .optional_text(
            "translation",
            rows.iter().map(|r| member(r).translation.clone()),
        )
        .text(
            "flags",
            rows.iter().map(|(c, k)| {
                let own: Vec<_> = c.flags.iter().filter(|f| f.member == *k).collect();
                serde_json::to_string(&own).unwrap_or_default()
            }),
        )
}

fn sentences(input: &ExportInput) -> Table {
    let s = input.sentences;
    Table::default()
        .text("doc", s.iter().map(|r| r.doc.clone()))
        .integer("idx", s.iter().map(|r| r.idx as i64))
        .integer("start", s.iter().map(|r| r.start as i64))
        .integer("end", s.iter().map(|r| r.end as i64))
        .integer("paragraph", s.iter().map(|r| r.paragraph as i64))
        .text("text", s.iter().map(|r| r.text.clone()))
        .optional_text("lang", s.iter().map(|r| r.lang.clone()))
        .real("lang_confidence", s.iter().map(|r| r.lang_confidence))
        .text(
            "lang_source",
            s.iter().map(|r| {
                serde_json::to_value(r.lang_source)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_string))
                    .unwrap_or_default()
            }),
        )
        .flag("boilerplate", s.iter().map(|r| r.boilerplate))
        .optional_text(
            "boilerplate_rule",
            s.iter().map(|r| r.boilerplate_rule.clone()),
        )
        .optional_text("speaker", s.iter().map(|r| r.speaker.clone()))
        .flag("claim_like", s.iter().map(|r| r.claim_like))
        .text("claim_rule", s.iter().map(|r| r.claim_rule.to_string()))
        .optional_text("translation", s.iter().map(|r| r.translation.clone()))
        .optional_text("backend", s.iter().map(|r| r.backend.clone()))
        .optional_real(
            "translation_coverage",
            s.iter().map(|r| r.translation_coverage),
        )
        .flag("cached", s.iter().map(|r| r.cached.unwrap_or(false)))
        .optional_text(
            "translation_error",
            s.iter().map(|r| r.translation_error.clone()),
        )
}

impl Exporter for Parquet {
    fn name(&self) -> &'static str {
        "parquet"
    }

    /// Several files: no stream.
    fn file_name(&self) -> Option<&'static str> {
        None
    }

    fn write_stream(
        &self,
        _w: &mut dyn std::io::Write,
        _input: &ExportInput,
    ) -> std::io::Result<()> {
        Err(std::io::Error::other("parquet writes several files"))
    }

    /// `aligned.parquet`, and `claims.parquet` and `sentences.parquet` when the run has
    /// claims and sentences (`export` of an `aligned.jsonl` has neither).
    fn write(&self, dir: &Path, input: &ExportInput) -> Result<Vec<PathBuf>> {
        let mut tables = vec![("aligned.parquet", aligned(input))];
        if input.mode == "comparable" && !input.sentences.is_empty() {
            tables.push(("claims.parquet", claims(input)));
        }
        if !input.sentences.is_empty() {
            tables.push(("sentences.parquet", sentences(input)));
        }
        let mut written = Vec::with_capacity(tables.len());
        for (name, table) in tables {
            let path = dir.join(name);
            let bytes = table.to_bytes().map_err(|e| Error::Output {
                path: path.clone(),
                source: std::io::Error::other(e.to_string()),
            })?;
            crate::output::write_atomically(&path, |w| w.write_all(&bytes))?;
            written.push(path);
        }
        Ok(written)
    }
}
