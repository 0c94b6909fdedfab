//! The `gazette` command: a thin wrapper over the library (see `src/cli/`).

mod cli;

/// mimalloc: articles make and drop thousands of small blocks each, which glibc's malloc
/// serves slowly (docs/speed.md).
#[global_allocator]
static ALLOC: Mi = Mi;

/// [`mimalloc::MiMalloc`], but a block that needs no more than the 8-byte alignment every
/// mimalloc block has goes through `mi_malloc` instead of `mi_malloc_aligned`, which checks
/// the alignment at every call (about 745 allocations an article).
struct Mi;

// SAFETY: mimalloc's functions meet `GlobalAlloc`'s contract; `mi_malloc`'s blocks are at
// least 8-byte aligned, and the others go to `MiMalloc`.
unsafe impl std::alloc::GlobalAlloc for Mi {
    #[inline]
    unsafe fn alloc(&self, layout: std::alloc::Layout) -> *mut u8 {
        if layout.align() <= 8 {
            // SAFETY: as for `malloc`.
            unsafe { libmimalloc_sys::mi_malloc(layout.size()).cast() }
        } else {
            // SAFETY: forwarded as given.
            unsafe { mimalloc::MiMalloc.alloc(layout) }
        }
    }

    #[inline]
    unsafe fn alloc_zeroed(&self, layout: std::alloc::Layout) -> *mut u8 {
        if layout.align() <= 8 {
            // SAFETY: as for `calloc`.
            unsafe { libmimalloc_sys::mi_zalloc(layout.size()).cast() }
        } else {
            // SAFETY: forwarded as given.
            unsafe { mimalloc::MiMalloc.alloc_zeroed(layout) }
        }
    }

    #[inline]
    unsafe fn dealloc(&self, ptr: *mut u8, layout: std::alloc::Layout) {
        // SAFETY: `ptr` came from mimalloc (either path), which `mi_free` takes.
        unsafe { mimalloc::MiMalloc.dealloc(ptr, layout) }
    }

    #[inline]
    unsafe fn realloc(&self, ptr: *mut u8, layout: std::alloc::Layout, new_size: usize) -> *mut u8 {
        if layout.align() <= 8 {
            // SAFETY: as for `realloc`; the block keeps mimalloc's 8-byte alignment.
            unsafe { libmimalloc_sys::mi_realloc(ptr.cast(), new_size).cast() }
        } else {
            // SAFETY: forwarded as given.
            unsafe { mimalloc::MiMalloc.realloc(ptr, layout, new_size) }
        }
    }
}

extern "C" {
    fn mi_option_set(option: i32, value: std::os::raw::c_long);
    #[cfg(test)]
    fn mi_option_get(option: i32) -> std::os::raw::c_long;
}

/// `mi_option_purge_delay` in mimalloc's `mi_option_t` (v3). A run's memory is reused
/// article after article, so giving it back to the OS (by default a second after it is
/// freed) only costs page faults and system time; the peak stays the same.
const MI_OPTION_PURGE_DELAY: i32 = 15;

/// `mi_option_allow_thp` in `mi_option_t` (v3).
const MI_OPTION_ALLOW_THP: i32 = 43;

/// Huge pages only where the library asks for them (the tables read at random: the NER
/// model's, the tagger's caches, the gazetteer's index; `src/pages.rs`), not for the whole
/// heap. mimalloc advises
/// huge pages for every arena it maps; but a fresh huge page costs the kernel 2 MiB of
/// zeroing (and, in a VM, the host's faults) even where a few small blocks use it, which
/// made the heap 30 MB larger and cost 0.1-0.4 s of system time a run (docs/speed.md).
///
/// The arena that serves this process's first allocations was mapped before `main`, so
/// its advice is taken back here; arenas mapped later get none once the option is 0 (set
/// after mimalloc's start-up, the option does not turn huge pages off for the process,
/// so the library's own advice still works).
fn small_pages_for_the_heap() {
    // SAFETY: sets a plain integer option.
    unsafe { mi_option_set(MI_OPTION_ALLOW_THP, 0) };
    #[cfg(target_os = "linux")]
    {
        let probe = Box::new(0u64);
        let at = &*probe as *const u64 as usize;
        let Ok(maps) = std::fs::read_to_string("/proc/self/maps") else {
            return;
        };
        // `start-end perms ...`, in hex.
        let arena = maps.lines().find_map(|line| {
            let (start, rest) = line.split_once('-')?;
            let end = rest.split(' ').next()?;
            let start = usize::from_str_radix(start, 16).ok()?;
            let end = usize::from_str_radix(end, 16).ok()?;
            (start <= at && at < end).then_some((start, end))
        });
        if let Some((start, end)) = arena {
            // SAFETY: advice on a mapping of this process; it changes no memory's contents.
            unsafe {
                libc::madvise(
                    start as *mut libc::c_void,
                    end - start,
                    libc::MADV_NOHUGEPAGE,
                )
            };
        }
    }
}

fn main() -> std::process::ExitCode {
    // SAFETY: sets a plain integer option; any value is valid, -1 means never purge.
    unsafe { mi_option_set(MI_OPTION_PURGE_DELAY, -1) };
    small_pages_for_the_heap();
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

    /// Guards the other option's number: allow_thp defaults to 1 where the kernel has
    /// transparent huge pages (Linux), and setting it takes.
    #[test]
    #[cfg(target_os = "linux")]
    fn allow_thp_is_the_option_set() {
        // SAFETY: reads and sets a plain integer option.
        unsafe {
            assert_eq!(mi_option_get(MI_OPTION_ALLOW_THP), 1);
            mi_option_set(MI_OPTION_ALLOW_THP, 0);
            assert_eq!(mi_option_get(MI_OPTION_ALLOW_THP), 0);
        }
    }
}
