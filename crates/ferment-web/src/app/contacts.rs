//! contacts use cases.
