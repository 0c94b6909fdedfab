//! Huge pages for the tagger's tables that are read at random: the model's rows and the
//! caches of summed scores and token infos. Owns only the kernel advice; what is stored
//! where stays with `model` and `tagger`.
//!
//! The binary keeps the rest of its heap on small pages (`src/main.rs`): a fresh huge page
//! costs the kernel 2 MiB of zeroing however little of it is used, but these tables fill
//! theirs, and with small pages their lookups miss the TLB.

use std::alloc::Layout;
use std::ptr::NonNull;

use allocator_api2::alloc::{AllocError, Allocator, Global};

/// Asks the kernel to back the whole 2 MiB pages inside `len` bytes at `start` with huge
/// pages when they are first touched. Advice only: nothing changes where the kernel does
/// not take it (or on other systems).
fn advise(start: usize, len: usize) {
    #[cfg(target_os = "linux")]
    {
        const HUGE: usize = 2 << 20;
        let from = start.next_multiple_of(HUGE);
        let to = start.saturating_add(len) & !(HUGE - 1);
        if to > from {
            // SAFETY: advice on whole pages inside one live allocation; it changes no
            // memory's contents.
            unsafe { libc::madvise(from as *mut libc::c_void, to - from, libc::MADV_HUGEPAGE) };
        }
    }
    #[cfg(not(target_os = "linux"))]
    let _ = (start, len);
}

/// [`advise`] for `v`'s capacity: call it before the memory is first written.
pub(crate) fn huge_pages<T>(v: &Vec<T>) {
    advise(v.as_ptr() as usize, v.capacity() * std::mem::size_of::<T>());
}

/// The global allocator, advising huge pages for each block it hands out (a hash table's
/// memory is written only after it is allocated, so the advice comes in time).
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct HugePages;

// SAFETY: every block comes from and goes back to `Global`, unchanged.
unsafe impl Allocator for HugePages {
    fn allocate(&self, layout: Layout) -> Result<NonNull<[u8]>, AllocError> {
        let block = Global.allocate(layout)?;
        advise(block.as_ptr().cast::<u8>() as usize, block.len());
        Ok(block)
    }

    unsafe fn deallocate(&self, ptr: NonNull<u8>, layout: Layout) {
        // SAFETY: `ptr` was allocated by `allocate` above, that is by `Global`, with `layout`.
        unsafe { Global.deallocate(ptr, layout) }
    }
}

/// A hash map whose table is on huge pages.
pub(crate) type HugeMap<K, V, S> = hashbrown::HashMap<K, V, S, HugePages>;

#[cfg(test)]
mod tests {
    use super::*;
    use std::hash::BuildHasherDefault;

    /// The allocator only advises: a map on it stores, grows and frees like any other.
    #[test]
    fn a_map_on_huge_pages_is_an_ordinary_map() {
        let mut m: HugeMap<u64, u64, BuildHasherDefault<std::hash::DefaultHasher>> =
            HugeMap::default();
        for i in 0..300_000u64 {
            m.insert(i, i * 3);
        }
        assert_eq!(m.len(), 300_000);
        assert!((0..300_000u64).all(|i| m.get(&i) == Some(&(i * 3))));
        m.clear();
        assert!(m.is_empty());
        let mut v: Vec<u32> = Vec::with_capacity(1 << 21);
        huge_pages(&v);
        v.extend(0..1 << 21);
        assert_eq!(v[12345], 12345);
    }
}
