//! Example programs of the rt-stack workspace.
