//! The `gazette` command: a thin wrapper over the library (see `src/cli/`).

mod cli;

/// mimalloc: articles make and drop thousands of small blocks each, which glibc's malloc
/// serves slowly (docs/speed.md).
#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;

extern "C" {
    fn mi_option_set(option: i32, value: std::os::raw::c_long);
    #[cfg(test)]
    fn mi_option_get(option: i32) -> std::os::raw::c_long;
}

/// `mi_option_purge_delay` in mimalloc's `mi_option_t` (v3). A run's memory is reused
/// article after article, so giving it back to the OS (by default a second after it is
/// freed) only costs page faults and system time; the peak stays the same.
const MI_OPTION_PURGE_DELAY: i32 = 15;

fn main() -> std::process::ExitCode {
    // SAFETY: sets a plain integer option; any value is valid, -1 means never purge.
    unsafe { mi_option_set(MI_OPTION_PURGE_DELAY, -1) };
    cli::main()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Guards the option's number against another mimalloc version: purge_delay is the
    /// option whose default is 1000 ms, and setting it takes.
    #[test]
    fn purge_delay_is_the_option_set() {
        // SAFETY: reads and sets a plain integer option.
        unsafe {
            assert_eq!(mi_option_get(MI_OPTION_PURGE_DELAY), 1000);
            mi_option_set(MI_OPTION_PURGE_DELAY, -1);
            assert_eq!(mi_option_get(MI_OPTION_PURGE_DELAY), -1);
        }
    }
}
