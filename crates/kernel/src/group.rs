//! A kernel's children (the worker process, cargo and rustc) end with it.
//!
//! A kernel, and a spare, leads its own process group, which its children
//! join. A cargo left running after its kernel ends would go on writing into
//! the build folder the next kernel claims (and evcxr would load that
//! cargo's library as its own cell's), so before the kernel exits, and when a
//! signal ends it, the rest of its group is sent SIGTERM. Jupyter signals a
//! cold kernel's group itself; a spare's launcher forwards signals to the
//! spare only.

/// Whether this process leads its process group (else: started by hand
/// from a shell, whose group is not ours to signal).
fn leads_group() -> bool {
    // SAFETY: getpgrp and getpid have no preconditions.
    unsafe { libc::getpgrp() == libc::getpid() }
}

/// Sends SIGTERM to the rest of our process group (we ignore it from now on).
pub fn stop_children() {
    if leads_group() {
        // SAFETY: ignoring SIGTERM, then signalling our own group.
        unsafe {
            libc::signal(libc::SIGTERM, libc::SIG_IGN);
            libc::killpg(libc::getpgrp(), libc::SIGTERM);
        }
    }
}

/// Has SIGTERM, SIGHUP and SIGINT end the whole group, not only us.
pub fn stop_children_on_signals() {
    if !leads_group() {
        return;
    }
    for signal in [libc::SIGTERM, libc::SIGHUP, libc::SIGINT] {
        // SAFETY: `on_signal` only calls async-signal-safe functions.
        unsafe { libc::signal(signal, on_signal as *const () as libc::sighandler_t) };
    }
}

extern "C" fn on_signal(signal: libc::c_int) {
    // SAFETY: signal, killpg and _exit are async-signal-safe.
    unsafe {
        libc::signal(libc::SIGTERM, libc::SIG_IGN);
        libc::killpg(libc::getpgrp(), libc::SIGTERM);
        libc::_exit(128 + signal);
    }
}
