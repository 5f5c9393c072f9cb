//! territories use cases.
