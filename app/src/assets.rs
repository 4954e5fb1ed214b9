//! The built front end's file names under `/pkg`. A release build made with
//! `LEPTOS_HASH_FILES=true` names them `touchpoint.<hash>.{js,wasm,css}` and writes the hashes
//! to `hash.txt` beside the server binary; those names can be cached for good.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use leptos::config::LeptosOptions;

/// The hashes cargo-leptos wrote beside the running binary, by extension (`js`, `wasm`, `css`).
fn hashes() -> &'static Vec<(String, String)> {
    static HASHES: OnceLock<Vec<(String, String)>> = OnceLock::new();
    HASHES.get_or_init(|| {
        let Some(path) = hash_file() else {
            return Vec::new();
        };
        std::fs::read_to_string(path)
            .map(|text| parse_hashes(&text))
            .unwrap_or_default()
    })
}

fn hash_file() -> Option<PathBuf> {
    let exe = std::env::current_exe().ok()?;
    Some(exe.parent()?.join("hash.txt"))
}

/// Reads `ext: hash` lines.
fn parse_hashes(text: &str) -> Vec<(String, String)> {
    text.lines()
        .filter_map(|line| line.split_once(':'))
        .map(|(ext, hash)| (ext.trim().to_string(), hash.trim().to_string()))
        .filter(|(ext, hash)| !ext.is_empty() && !hash.is_empty())
        .collect()
}

/// The file name of the front end's `ext` file under `/pkg`, hashed when `hashed`.
fn file_name(output_name: &str, ext: &str, hashed: bool) -> String {
    let hash = hashed
        .then(|| hashes().iter().find(|(e, _)| e == ext).map(|(_, h)| h))
        .flatten();
    match hash {
        Some(h) => format!("{output_name}.{h}.{ext}"),
        None => format!("{output_name}.{ext}"),
    }
}

/// Whether the front end in `site_root` was built with hashed file names matching this binary:
/// `hash.txt` is there and names files that exist. A stale `hash.txt` next to an unhashed
/// build answers false, so the page never links files that are not there.
pub fn hashed_build(site_root: &Path, pkg_dir: &str, output_name: &str) -> bool {
    let hashes = hashes();
    let wanted = ["js", "wasm", "css"];
    wanted
        .iter()
        .all(|ext| hashes.iter().any(|(e, _)| e == ext))
        && wanted.iter().all(|ext| {
            site_root
                .join(pkg_dir)
                .join(file_name(output_name, ext, true))
                .is_file()
        })
}

/// The stylesheet's address, `/pkg/touchpoint[.<hash>].css`.
pub fn css_href(options: &LeptosOptions) -> String {
    format!(
        "/{}/{}",
        options.site_pkg_dir,
        file_name(&options.output_name, "css", options.hash_files)
    )
}

/// Whether a file name under `/pkg` carries a content hash (`name.<hash>.ext`), so that it can
/// be cached for a year: a new build gets a new name.
pub fn is_hashed_name(file: &str) -> bool {
    let file = file
        .strip_suffix(".br")
        .or_else(|| file.strip_suffix(".gz"))
        .unwrap_or(file);
    let parts: Vec<&str> = file.split('.').collect();
    let [stem, .., hash, _ext] = parts.as_slice() else {
        return false;
    };
    parts.len() >= 3
        && !stem.is_empty()
        && hash.len() >= 8
        && hash
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_lines_are_read_by_extension() {
        let h = parse_hashes("js: AbC123\nwasm: dEf456\ncss: 789xyz\n\nbroken\n");
        assert_eq!(
            h,
            vec![
                ("js".into(), "AbC123".into()),
                ("wasm".into(), "dEf456".into()),
                ("css".into(), "789xyz".into()),
            ]
        );
    }

    #[test]
    fn unhashed_names_without_a_hashed_build() {
        let options = LeptosOptions::builder().output_name("touchpoint").build();
        assert_eq!(css_href(&options), "/pkg/touchpoint.css");
    }

    #[test]
    fn hashed_names_are_told_apart() {
        assert!(is_hashed_name("touchpoint.kWQ3bG9vZmV4cGxl.wasm"));
        assert!(is_hashed_name("touchpoint.kWQ3bG9vZmV4cGxl.wasm.br"));
        assert!(is_hashed_name("touchpoint.kWQ3bG9vZmV4cGxl.css.gz"));
        assert!(!is_hashed_name("touchpoint.wasm"));
        assert!(!is_hashed_name("touchpoint.wasm.br"));
        assert!(!is_hashed_name("touchpoint.css"));
        assert!(!is_hashed_name("touchpoint_bg.wasm.d.ts"));
    }
}
