//! Attribute macros of the rt-stack runtime (work in progress).
