//! Background work yields the CPU to the window. On a laptop's few cores the analysis pool keeps
//! every core busy, and a frame drawn beside it waited its turn for one: 42 ms a frame (14 ms
//! median after thinning the plots) on 2 cores while a 10,000-pattern series was analysed. With
//! the pool's workers and the analysis worker at a lower priority (nice 10 on Linux), the frame
//! gets a core whenever it needs one and the analysis uses the rest of the time, as before.

/// The nice value of background threads (Linux): lower priority than the window's thread.
pub const BACKGROUND_NICE: i32 = 10;

/// Lowers the calling thread's priority to [`BACKGROUND_NICE`] unless it is lower already
/// (Linux; elsewhere nothing). Best effort: a refusal leaves the thread as it was.
pub fn lower_this_thread() {
    #[cfg(target_os = "linux")]
    {
        // On Linux a nice value belongs to one thread, named by its thread id. A thread already
        // at a lower priority (a process started with `nice -n 15`) keeps it.
        let me = Some(rustix::thread::gettid());
        if rustix::process::getpriority_process(me).is_ok_and(|now| now < BACKGROUND_NICE) {
            let _ = rustix::process::setpriority_process(me, BACKGROUND_NICE);
        }
    }
}

/// Makes the global rayon pool's workers background threads. For the window: called once
/// before any parallel work (later, the pool exists and this returns false). Commands keep
/// the ordinary pool: nothing competes with them.
pub fn background_pool() -> bool {
    rayon::ThreadPoolBuilder::new()
        .start_handler(|_| lower_this_thread())
        .build_global()
        .is_ok()
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use super::*;

    #[test]
    fn a_thread_already_below_the_background_priority_keeps_it() {
        let after = std::thread::spawn(|| {
            let me = Some(rustix::thread::gettid());
            rustix::process::setpriority_process(me, BACKGROUND_NICE + 5).expect("raise nice");
            lower_this_thread();
            rustix::process::getpriority_process(me)
        })
        .join()
        .expect("thread");
        assert_eq!(after.ok(), Some(BACKGROUND_NICE + 5));
    }

    #[test]
    fn a_background_thread_runs_at_the_background_nice_value() {
        let nice = std::thread::spawn(|| {
            let before = rustix::process::getpriority_process(Some(rustix::thread::gettid()));
            lower_this_thread();
            let after = rustix::process::getpriority_process(Some(rustix::thread::gettid()));
            (before, after)
        })
        .join()
        .expect("thread");
        let (Ok(before), Ok(after)) = nice else {
            panic!("getpriority: {nice:?}")
        };
        // Raising one's nice value is always allowed; a higher one is kept.
        assert_eq!(after, before.max(BACKGROUND_NICE), "{before} → {after}");
        // Only that thread: this one is as it was.
        let here = rustix::process::getpriority_process(Some(rustix::thread::gettid()));
        assert_eq!(here.ok(), Some(before));
    }
}
