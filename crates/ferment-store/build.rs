//! Rebuilds the crate when a migration file is added or changed: `sqlx::migrate!` embeds the
//! `migrations/` folder at compile time, and Cargo does not otherwise notice a new file there.

fn main() {
    println!("cargo:rerun-if-changed=migrations");
}
