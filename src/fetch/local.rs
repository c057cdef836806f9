//! Local HTML files: `--dir PATH` sources and `quotewire extract`.
//!
//! Walks directories (sorted, so runs are reproducible), reads `.html`, `.htm` and
//! `.html.gz` files with a size cap, and gives each a `file://` URL. Symbolic links to
//! directories are not followed (no loops), and a linked file is read only when it resolves
//! inside the walked directory (no escape from a confined root).

use std::io::Read;
use std::path::{Path, PathBuf};

use super::FetchError;

/// Largest local file read (after decompression), matching the default HTTP body cap.
pub const MAX_LOCAL_FILE_BYTES: usize = 10 * 1024 * 1024;

/// Lists HTML files under `path` (a file or a directory, walked recursively).
pub fn list_html_files(path: &Path) -> Result<Vec<PathBuf>, FetchError> {
    let error = |e: std::io::Error| FetchError::File { path: path.display().to_string(), message: e.to_string() };
    let meta = std::fs::metadata(path).map_err(error)?;
    if meta.is_file() {
        return Ok(vec![path.to_path_buf()]);
    }
    let root = std::fs::canonicalize(path).map_err(error)?;
    let mut out = Vec::new();
    let mut stack = vec![path.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let mut entries: Vec<PathBuf> =
            std::fs::read_dir(&dir).map_err(error)?.filter_map(|e| e.ok().map(|e| e.path())).collect();
        entries.sort();
        for entry in entries {
            let Ok(kind) = std::fs::symlink_metadata(&entry).map(|m| m.file_type()) else { continue };
            if kind.is_dir() {
                stack.push(entry);
            } else if is_html_name(&entry) && (kind.is_file() || resolves_inside(&entry, &root)) {
                out.push(entry);
            }
        }
    }
    out.sort();
    Ok(out)
}

/// Whether a symbolic link resolves to a regular file inside `root`.
fn resolves_inside(link: &Path, root: &Path) -> bool {
    std::fs::canonicalize(link).is_ok_and(|target| target.starts_with(root) && target.is_file())
}

fn is_html_name(path: &Path) -> bool {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("").to_ascii_lowercase();
    name.ends_with(".html") || name.ends_with(".htm") || name.ends_with(".html.gz") || name.ends_with(".htm.gz")
}

/// Reads an HTML file, decompressing `.gz`, refusing files over the cap.
pub fn read_html_file(path: &Path) -> Result<Vec<u8>, FetchError> {
    let error = |message: String| FetchError::File { path: path.display().to_string(), message };
    let file = std::fs::File::open(path).map_err(|e| error(e.to_string()))?;
    let mut out = Vec::new();
    let limit = MAX_LOCAL_FILE_BYTES as u64 + 1;
    let gz = path.extension().is_some_and(|e| e.eq_ignore_ascii_case("gz"));
    if gz {
        flate2::read::GzDecoder::new(file)
            .take(limit)
            .read_to_end(&mut out)
            .map_err(|e| error(format!("bad gzip data: {e}")))?;
    } else {
        file.take(limit).read_to_end(&mut out).map_err(|e| error(e.to_string()))?;
    }
    if out.len() > MAX_LOCAL_FILE_BYTES {
        return Err(error(format!("larger than {MAX_LOCAL_FILE_BYTES} bytes")));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn walks_html_files_and_reads_gzip() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("sub")).unwrap();
        std::fs::write(dir.path().join("b.html"), "<p>b</p>").unwrap();
        std::fs::write(dir.path().join("notes.txt"), "x").unwrap();
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        std::io::Write::write_all(&mut gz, b"<p>a</p>").unwrap();
        std::fs::write(dir.path().join("sub/a.html.gz"), gz.finish().unwrap()).unwrap();
        let files = list_html_files(dir.path()).unwrap();
        assert_eq!(files.len(), 2);
        let gz_file = files.iter().find(|f| f.to_string_lossy().ends_with(".gz")).unwrap();
        assert_eq!(read_html_file(gz_file).unwrap(), b"<p>a</p>");
        std::fs::write(dir.path().join("bad.html.gz"), b"not gzip").unwrap();
        assert!(read_html_file(&dir.path().join("bad.html.gz")).is_err());
        assert!(list_html_files(&dir.path().join("missing")).is_err());
    }

    #[test]
    fn symbolic_links_neither_loop_nor_leave_the_directory() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("root");
        std::fs::create_dir(&root).unwrap();
        std::fs::write(root.join("a.html"), "<p>a</p>").unwrap();
        std::fs::write(dir.path().join("secret.html"), "<p>outside</p>").unwrap();
        std::os::unix::fs::symlink(&root, root.join("loop")).unwrap();
        std::os::unix::fs::symlink(dir.path().join("secret.html"), root.join("escape.html")).unwrap();
        std::os::unix::fs::symlink(root.join("a.html"), root.join("alias.html")).unwrap();
        let files = list_html_files(&root).unwrap();
        let names: Vec<String> = files.iter().map(|f| f.file_name().unwrap().to_string_lossy().into_owned()).collect();
        assert_eq!(names, ["a.html", "alias.html"]);
    }
}
