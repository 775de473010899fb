//! Interrupting a running cell from Jupyter's control channel.

use std::process::Child;
use std::sync::atomic::{AtomicBool, AtomicU8, Ordering};
use std::sync::{Arc, Mutex};

/// What the control channel needs to interrupt a running cell.
#[derive(Clone, Default)]
pub struct Interrupter {
    pub(crate) worker: Arc<Mutex<Option<Arc<Mutex<Child>>>>>,
    /// IDLE, PRELUDE or CELL: what the evaluator is running.
    pub(crate) running: Arc<AtomicU8>,
    pub(crate) interrupted: Arc<AtomicBool>,
    /// Set by an interrupt during the prelude: the cell waiting for it is
    /// answered `Interrupted` instead of run.
    pub(crate) cancel_waiting: Arc<AtomicBool>,
    /// Locked (shared) while the kernel works for someone waiting: spares of
    /// the project do not start building meanwhile (see `spare`).
    pub(crate) busy: Arc<Mutex<Option<std::fs::File>>>,
}

pub(crate) const IDLE: u8 = 0;
pub(crate) const PRELUDE: u8 = 1;
pub(crate) const CELL: u8 = 2;

impl Interrupter {
    /// Stops the cell that is running: its worker process is killed and
    /// evcxr starts a new one (the variables are lost, as on a crash). During
    /// the prelude, the cell waiting for it is not run; when idle, nothing.
    pub fn interrupt(&self) {
        match self.running.load(Ordering::SeqCst) {
            CELL => {
                self.interrupted.store(true, Ordering::SeqCst);
                self.stop_worker();
            }
            PRELUDE => self.cancel_waiting.store(true, Ordering::SeqCst),
            _ => {}
        }
    }

    /// Records what the evaluator runs: IDLE, PRELUDE or CELL; work in the
    /// background (a spare's prelude) does not count as busy.
    pub(crate) fn set_running(&self, state: u8, background: bool) {
        self.running.store(state, Ordering::SeqCst);
        if let Some(busy) = self.busy.lock().expect("busy marker").as_ref() {
            let _ = if state == IDLE || background {
                busy.unlock()
            } else {
                busy.lock_shared()
            };
        }
    }

    /// Kills the worker process (at shutdown).
    pub fn stop_worker(&self) {
        if let Some(child) = self.worker.lock().expect("worker handle").as_ref() {
            let _ = child.lock().expect("worker process").kill();
        }
    }
}
