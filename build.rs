//! Build script. Only with the `bert` feature: checks that libtorch is where torch-sys looks
//! for it and bakes an rpath to its `lib/` into every binary, so `gazette` runs without
//! `LD_LIBRARY_PATH`. The default build does nothing here (no Python, no libtorch).

use std::path::PathBuf;

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    for var in ["LIBTORCH", "LIBTORCH_LIB", "LIBTORCH_USE_PYTORCH"] {
        println!("cargo:rerun-if-env-changed={var}");
    }
    if std::env::var_os("CARGO_FEATURE_BERT").is_none() {
        return;
    }
    let lib = if let Some(lib) = std::env::var_os("LIBTORCH_LIB") {
        Some(PathBuf::from(lib).join("lib"))
    } else if std::env::var_os("LIBTORCH_USE_PYTORCH").is_some() {
        std::process::Command::new("python3")
            .args([
                "-c",
                "import os, torch; print(os.path.join(os.path.dirname(torch.__file__), 'lib'))",
            ])
            .output()
            .ok()
            .filter(|o| o.status.success())
            .map(|o| PathBuf::from(String::from_utf8_lossy(&o.stdout).trim()))
    } else {
        std::env::var_os("LIBTORCH").map(|t| PathBuf::from(t).join("lib"))
    };
    let Some(lib) = lib else {
        return;
    };
    // The real directory, so the binary keeps working if the repo's `.libtorch` link goes.
    let lib = lib.canonicalize().unwrap_or(lib);
    if !lib.join("libtorch_cpu.so").exists() && !lib.join("libtorch_cpu.dylib").exists() {
        println!(
            "cargo:warning=libtorch not found in {} — run scripts/setup-libtorch first",
            lib.display()
        );
        return;
    }
    println!("cargo:rustc-link-arg=-Wl,-rpath,{}", lib.display());
}
