//! users use cases.
