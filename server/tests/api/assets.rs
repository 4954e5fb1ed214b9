//! The front end's files under `/pkg`: precompressed copies and cache headers by name.

use reqwest::StatusCode;

use crate::helpers::{new_client, spawn_app_with};

/// A site folder with one unhashed and one hashed file, each with a brotli copy.
fn site() -> std::path::PathBuf {
    let n = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or_default();
    let root = std::env::temp_dir().join(format!("touchpoint-site-{}-{n}", std::process::id()));
    let pkg = root.join("pkg");
    std::fs::create_dir_all(&pkg).expect("site dir");
    std::fs::write(pkg.join("touchpoint.css"), "body{}").expect("css");
    std::fs::write(pkg.join("touchpoint.css.br"), "brotli css").expect("css.br");
    std::fs::write(pkg.join("touchpoint.Xq3_kL9-aZ0.wasm"), "wasm").expect("wasm");
    std::fs::write(pkg.join("touchpoint.Xq3_kL9-aZ0.wasm.br"), "brotli wasm").expect("wasm.br");
    root
}

#[tokio::test]
async fn pkg_files_are_sent_precompressed_and_hashed_names_cached_for_a_year() {
    let root = site();
    let site_root = root.to_string_lossy().to_string();
    let app = spawn_app_with(|a| a.site_root = site_root).await;
    let client = new_client();

    let hashed = client
        .get(app.url("/pkg/touchpoint.Xq3_kL9-aZ0.wasm"))
        .header("accept-encoding", "gzip, deflate, br")
        .send()
        .await
        .expect("wasm");
    assert_eq!(hashed.status(), StatusCode::OK);
    assert_eq!(hashed.headers()["content-encoding"], "br");
    assert_eq!(hashed.headers()["content-type"], "application/wasm");
    assert_eq!(
        hashed.headers()["cache-control"],
        "public, max-age=31536000, immutable"
    );
    assert_eq!(hashed.text().await.expect("body"), "brotli wasm");

    // A browser that does not take brotli gets the plain file.
    let plain = client
        .get(app.url("/pkg/touchpoint.Xq3_kL9-aZ0.wasm"))
        .send()
        .await
        .expect("wasm");
    assert!(plain.headers().get("content-encoding").is_none());
    assert_eq!(plain.text().await.expect("body"), "wasm");

    // An unhashed name (a debug build) is revalidated on every use.
    let css = client
        .get(app.url("/pkg/touchpoint.css"))
        .header("accept-encoding", "br")
        .send()
        .await
        .expect("css");
    assert_eq!(css.status(), StatusCode::OK);
    assert_eq!(css.headers()["content-encoding"], "br");
    assert_eq!(css.headers()["cache-control"], "no-cache");

    let missing = client
        .get(app.url("/pkg/nothing.js"))
        .send()
        .await
        .expect("missing");
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
    assert_eq!(missing.headers()["cache-control"], "no-cache");

    // HTML pages are never cached.
    let page = client.get(app.url("/login")).send().await.expect("page");
    assert_eq!(page.headers()["cache-control"], "no-store");
    let _ = std::fs::remove_dir_all(root);
}
