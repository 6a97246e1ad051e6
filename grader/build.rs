//! `cfg(classroom)`: the instructor's part of the grader is built, which
//! takes the `classroom` feature (on by default; the student edition has
//! neither the feature nor the crate) and Linux, whose sandbox it needs.

fn main() {
    println!("cargo::rustc-check-cfg=cfg(classroom)");
    let feature = std::env::var_os("CARGO_FEATURE_CLASSROOM").is_some();
    let linux = std::env::var("CARGO_CFG_TARGET_OS").is_ok_and(|os| os == "linux");
    if feature && linux {
        println!("cargo::rustc-cfg=classroom");
    }
}
