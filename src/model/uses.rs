//! What a step asks of the shared resources: the pool that serves it and the
//! link its payload crosses (the resources themselves are in `resource.rs`).

/// Index of a pool in [`super::Model::pools`].
pub type PoolId = usize;
/// Index of a link in [`super::Model::links`].
pub type LinkId = usize;

/// A payload moved over a link before a step's work.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Transfer {
    /// The link.
    pub link: LinkId,
    /// Payload size in bytes.
    pub bytes: f64,
}

/// The shared resources one step uses.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ResourceUse {
    /// The pool that serves the step, if any.
    pub pool: Option<PoolId>,
    /// A transfer before the work, if any.
    pub transfer: Option<Transfer>,
    /// Priority in a `Priority` pool (higher first).
    pub priority: i32,
}
