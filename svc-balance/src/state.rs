//! The states of an endpoint, in its `state` word.
//!
//! Who may move an endpoint out of each state:
//!
//! * [`PENDING`]: the driver only (it polls the service's readiness);
//! * [`READY`]: a handle (compare-and-swap to [`CLAIMED`]) or the driver (compare-and-swap
//!   to [`EJECTED`] / [`REMOVED`]); the CAS decides who wins;
//! * [`CLAIMED`]: the handle that claimed it only, to [`READY`], [`PENDING`] or
//!   [`PROBING`] after its call or its disarm, with a swap: if the driver had set
//!   [`ATTENTION`] meanwhile (it wanted to eject or remove the endpoint), the handle
//!   notifies it, and the driver tries again. The flag lives in the state word itself,
//!   so the handshake is two read-modify-writes of one location: no store-load race.
//! * [`PROBING`], [`EJECTED`]: the driver only;
//! * nobody leaves [`REMOVED`].

/// Not ready; the driver polls its readiness (or waits for its waker).
pub(crate) const PENDING: u32 = 0;
/// Ready and unclaimed: pickable.
pub(crate) const READY: u32 = 1;
/// Reserved by one handle for its next call.
pub(crate) const CLAIMED: u32 = 2;
/// On probation: its one probation request is in flight or just answered.
pub(crate) const PROBING: u32 = 3;
/// Out of rotation for a penalty after consecutive failures.
pub(crate) const EJECTED: u32 = 4;
/// Removed by discovery; dropped once its in-flight requests completed.
pub(crate) const REMOVED: u32 = 5;

/// Flag bit set on a [`CLAIMED`] endpoint by a driver that wants it back.
pub(crate) const ATTENTION: u32 = 1 << 31;
