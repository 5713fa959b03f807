//! Writing results: JSON Lines of sentences, `summary.json`, always through a temporary file
//! renamed on success so an interrupted run never leaves a half-written file that looks complete.

use std::collections::HashSet;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};

use serde::Serialize;

use crate::error::{Error, Result};

/// Writes `path` through a temporary file in the same directory, renamed on success.
pub fn write_atomically(
    path: &Path,
    write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> Result<()> {
    replace_file(path, Durability::Synced, write).map_err(|source| Error::Output {
        path: path.to_path_buf(),
        source,
    })
}

/// Whether [`replace_file`] waits for the new file to reach the disk before the rename.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Durability {
    /// Outputs: after a crash the old file or the complete new one, never a torn one.
    Synced,
    /// A file rewritten after every cache flush (the ledger): the rename alone keeps it
    /// whole, and a lost update only makes the next open recount.
    Renamed,
}

/// [`write_atomically`] with the I/O error as it is. The temporary file is created anew
/// (`O_CREAT | O_EXCL`, so never through a planted symlink) under a random name,
/// `.NAME.PID-HOST.RANDOM.tmp`; temporary files that killed processes of this host left in
/// the directory are removed first (see [`remove_leftovers`]).
pub fn replace_file(
    path: &Path,
    durability: Durability,
    write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> std::io::Result<()> {
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    remove_leftovers_once(dir);
    let file_name = path
        .file_name()
        .map_or_else(|| "output".into(), |n| n.to_string_lossy());
    let temp = tempfile::Builder::new()
        .prefix(&format!(
            ".{file_name}.{}-{}.",
            std::process::id(),
            host_tag()
        ))
        .suffix(".tmp")
        .rand_bytes(6)
        .tempfile_in(dir)?;
    let mut writer = BufWriter::new(temp);
    write(&mut writer)?;
    writer.flush()?;
    let temp = writer.into_inner().map_err(|e| e.into_error())?;
    if durability == Durability::Synced {
        temp.as_file().sync_all()?;
    }
    // On failure the temporary file is removed when `temp` drops.
    temp.persist(path).map(drop).map_err(|e| e.error)
}

/// This host's name as it appears in temporary file names: letters, digits and `-` only.
fn host_tag() -> &'static str {
    static TAG: OnceLock<String> = OnceLock::new();
    TAG.get_or_init(|| {
        let mut buffer = [0u8; 256];
        // SAFETY: the buffer is valid for its length; gethostname writes at most that.
        let ok = unsafe { libc::gethostname(buffer.as_mut_ptr().cast(), buffer.len()) } == 0;
        let name = if ok {
            let end = buffer.iter().position(|&b| b == 0).unwrap_or(buffer.len());
            String::from_utf8_lossy(&buffer[..end]).into_owned()
        } else {
            String::new()
        };
        let tag: String = name
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
            .take(32)
            .collect();
        if tag.is_empty() { "host".into() } else { tag }
    })
}

/// [`remove_leftovers`] once per directory and process.
fn remove_leftovers_once(dir: &Path) {
    static DONE: Mutex<Option<HashSet<PathBuf>>> = Mutex::new(None);
    let mut done = DONE.lock().unwrap_or_else(|e| e.into_inner());
    if done
        .get_or_insert_with(HashSet::new)
        .insert(dir.to_path_buf())
    {
        let removed = remove_leftovers(dir);
        if removed > 0 {
            tracing::info!(
                "removed {removed} temporary file(s) that killed runs left in {}",
                crate::display::path(dir)
            );
        }
    }
}

/// Removes the temporary files of [`replace_file`] (and of older builds, `.NAME.PID.tmp`)
/// whose process is gone: regular files only (never a symlink), of this host only (a
/// directory on a shared file system may hold another machine's live ones). Returns how
/// many were removed.
pub fn remove_leftovers(dir: &Path) -> usize {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    let mut removed = 0;
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(pid) = name.to_str().and_then(leftover_pid) else {
            continue;
        };
        let regular = entry
            .path()
            .symlink_metadata()
            .is_ok_and(|m| m.file_type().is_file());
        if regular && !process_is_alive(pid) && std::fs::remove_file(entry.path()).is_ok() {
            removed += 1;
        }
    }
    removed
}

/// The process id in a temporary file name of this host: `.NAME.PID-HOST.RANDOM.tmp`, or
/// an older build's `.NAME.PID.tmp`.
fn leftover_pid(name: &str) -> Option<i32> {
    let inner = name.strip_prefix('.')?.strip_suffix(".tmp")?;
    let mut parts = inner.rsplitn(3, '.');
    let last = parts.next()?;
    if let Ok(pid) = last.parse::<i32>() {
        return Some(pid).filter(|&p| p > 0 && parts.next().is_some());
    }
    let (pid, host) = parts.next()?.split_once('-')?;
    parts.next()?;
    (host == host_tag()).then_some(())?;
    pid.parse().ok().filter(|&p| p > 0)
}

/// True when a process `pid` exists on this host (signal 0 checks without sending).
fn process_is_alive(pid: i32) -> bool {
    // SAFETY: kill with signal 0 sends nothing; it only checks that the process exists.
    let result = unsafe { libc::kill(pid, 0) };
    result == 0 || std::io::Error::last_os_error().raw_os_error() == Some(libc::EPERM)
}

/// Writes one JSON object per item, one per line.
pub fn write_jsonl<T: Serialize>(out: &mut dyn Write, items: &[T]) -> std::io::Result<()> {
    for item in items {
        serde_json::to_writer(&mut *out, item)?;
        out.write_all(b"\n")?;
    }
    Ok(())
}

/// Writes a pretty-printed JSON document with a final newline.
pub fn write_json<T: Serialize>(out: &mut dyn Write, value: &T) -> std::io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, value)?;
    out.write_all(b"\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn temporary_names_carry_the_process_and_host() {
        let host = host_tag();
        assert_eq!(
            leftover_pid(&format!(".summary.json.123-{host}.aB3xYz.tmp")),
            Some(123)
        );
        assert_eq!(leftover_pid(".summary.json.4567.tmp"), Some(4567));
        assert_eq!(leftover_pid(".summary.json.123-otherhost.aB3xYz.tmp"), None);
        assert_eq!(leftover_pid("summary.json"), None);
        assert_eq!(leftover_pid(".notes.tmp"), None);
    }

    #[test]
    fn a_planted_symlink_is_never_written_through() {
        let dir = tempfile::tempdir().unwrap();
        let outside = dir.path().join("outside.txt");
        std::fs::write(&outside, "mine\n").unwrap();
        let target = dir.path().join("out/summary.json");
        std::fs::create_dir(dir.path().join("out")).unwrap();
        std::os::unix::fs::symlink(&outside, &target).unwrap();
        replace_file(&target, Durability::Synced, |w| w.write_all(b"{}\n")).unwrap();
        assert_eq!(std::fs::read_to_string(&outside).unwrap(), "mine\n");
        let meta = target.symlink_metadata().unwrap();
        assert!(meta.file_type().is_file(), "the output replaced the link");
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "{}\n");
    }
}
