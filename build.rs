//! Build script. Only with the `transformers` feature does it do anything: it records an
//! rpath to `$LIBTORCH/lib` in the binaries, tests and benchmarks, so they find libtorch
//! without `LD_LIBRARY_PATH` (torch-sys links libtorch but records no path to it).

use std::path::Path;

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-env-changed=LIBTORCH");
    if std::env::var_os("CARGO_FEATURE_TRANSFORMERS").is_none() {
        return;
    }
    if let Some(libtorch) = std::env::var_os("LIBTORCH") {
        let lib = Path::new(&libtorch).join("lib");
        println!("cargo:rustc-link-arg=-Wl,-rpath,{}", lib.display());
    }
}
