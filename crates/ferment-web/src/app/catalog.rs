//! catalog use cases.
