//! The `gazette` binary's global allocator: the system allocator (glibc malloc) behind a
//! small per-thread cache of freed blocks of up to 512 bytes.
//!
//! Every article makes and drops about a thousand short-lived small blocks (strings,
//! attribute maps, per-sentence lists), and frees come in bursts when a document is dropped:
//! glibc's own thread cache holds seven blocks per size, so most frees and mallocs take its
//! slow paths (bins, consolidation). Here a freed small block goes on a per-thread list for
//! its 16-byte size class (at most [`PER_CLASS`] blocks, so at most about 8.6 MB per thread
//! is kept) and the next allocation of that class takes it back. Every block still comes from
//! and, once a list is full, goes back to the system allocator, so blocks may move between
//! threads freely. Owns nothing else; the library does not use it.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::UnsafeCell;

/// Size classes of 16 bytes up to this size.
const MAX_SMALL: usize = 512;
const CLASSES: usize = MAX_SMALL / 16;
/// Blocks kept per class and thread.
const PER_CLASS: usize = 1024;
/// Blocks of the system allocator are at least this aligned (glibc on 64-bit: 16).
const MAX_ALIGN: usize = 16;

/// Per class, a list threaded through the free blocks themselves (each block's first
/// eight bytes point to the next), and its length.
struct Cache {
    head: [*mut u8; CLASSES],
    len: [u32; CLASSES],
}

thread_local! {
    // Const-initialised and without `Drop`: no destructor is registered, so the cache can
    // be reached at any point of a thread's life, teardown included (blocks left in it
    // when a thread ends stay allocated; at most `PER_CLASS` per class). It is 384 bytes:
    // the blocks carry the lists.
    static CACHE: UnsafeCell<Cache> = const {
        UnsafeCell::new(Cache {
            head: [std::ptr::null_mut(); CLASSES],
            len: [0; CLASSES],
        })
    };
}

pub struct SmallCache;

/// The class of a layout served from the cache, or `None` for the system allocator.
#[inline]
fn class_of(layout: &Layout) -> Option<usize> {
    let size = layout.size();
    if size == 0 || size > MAX_SMALL || layout.align() > MAX_ALIGN {
        return None;
    }
    Some((size - 1) / 16)
}

/// The layout a block of class `c` is allocated with: the class's full size, so that any
/// block of the class can serve any request of it.
#[inline]
fn class_layout(c: usize) -> Layout {
    // 16-byte multiples up to `MAX_SMALL` with alignment 16 are always valid layouts.
    unsafe { Layout::from_size_align_unchecked((c + 1) * 16, MAX_ALIGN) }
}

/// A cached block of class `c`, or null when there is none.
#[inline]
fn take(c: usize) -> *mut u8 {
    CACHE.with(|cache| {
        // Only this thread touches its cache, and nothing here allocates or re-enters.
        let cache = unsafe { &mut *cache.get() };
        let block = cache.head[c];
        if !block.is_null() {
            // A cached block is at least 16 bytes, 16-aligned, and holds the next one.
            cache.head[c] = unsafe { block.cast::<*mut u8>().read() };
            cache.len[c] -= 1;
        }
        block
    })
}

/// Keeps `block`, a free block of class `c`, unless the class's list is full.
#[inline]
fn keep(c: usize, block: *mut u8) -> bool {
    CACHE.with(|cache| {
        let cache = unsafe { &mut *cache.get() };
        if cache.len[c] as usize == PER_CLASS {
            return false;
        }
        unsafe { block.cast::<*mut u8>().write(cache.head[c]) };
        cache.head[c] = block;
        cache.len[c] += 1;
        true
    })
}

unsafe impl GlobalAlloc for SmallCache {
    #[inline]
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let Some(c) = class_of(&layout) else {
            return System.alloc(layout);
        };
        let cached = take(c);
        if cached.is_null() {
            System.alloc(class_layout(c))
        } else {
            cached
        }
    }

    #[inline]
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        let Some(c) = class_of(&layout) else {
            return System.alloc_zeroed(layout);
        };
        let cached = take(c);
        if cached.is_null() {
            System.alloc_zeroed(class_layout(c))
        } else {
            std::ptr::write_bytes(cached, 0, layout.size());
            cached
        }
    }

    #[inline]
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        let Some(c) = class_of(&layout) else {
            return System.dealloc(ptr, layout);
        };
        let kept = keep(c, ptr);
        if !kept {
            System.dealloc(ptr, class_layout(c));
        }
    }

    #[inline]
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let new_layout = Layout::from_size_align_unchecked(new_size, layout.align());
        match (class_of(&layout), class_of(&new_layout)) {
            // Same class: the block is already big enough.
            (Some(a), Some(b)) if a == b => ptr,
            // Neither small: the system allocator may grow in place.
            (None, None) => System.realloc(ptr, layout, new_size),
            _ => {
                let new = self.alloc(new_layout);
                if !new.is_null() {
                    std::ptr::copy_nonoverlapping(ptr, new, layout.size().min(new_size));
                    self.dealloc(ptr, layout);
                }
                new
            }
        }
    }
}

#[cfg(test)]
mod tests {
    //! The binary's tests run with this allocator installed, so these exercise it through
    //! ordinary collections as well as directly.

    use super::*;

    /// Blocks of every small class and beyond keep their contents through reuse, growth
    /// across classes and frees on another thread.
    #[test]
    fn blocks_keep_their_contents() {
        let mut kept: Vec<Vec<u8>> = Vec::new();
        for round in 0..4u8 {
            for len in (1..700).step_by(7) {
                let v: Vec<u8> = (0..len).map(|i| (i as u8) ^ round).collect();
                kept.push(v);
            }
            // Free every other one so later rounds take recycled blocks.
            let mut i = 0;
            kept.retain(|_| {
                i += 1;
                i % 2 == 0
            });
        }
        let mut grown = Vec::new();
        for i in 0..5000u32 {
            grown.push(i);
            assert_eq!(grown[(i / 2) as usize], i / 2);
        }
        let sent = std::thread::spawn(move || {
            let ok = kept.iter().all(|v| {
                let round = v[0];
                v.iter().enumerate().all(|(i, &b)| b == (i as u8) ^ round)
            });
            drop(kept);
            ok
        });
        assert!(sent.join().unwrap_or(false), "a block's contents changed");
    }

    /// Zeroed and over-aligned requests are honoured, recycled blocks included.
    #[test]
    fn zeroed_and_aligned() {
        let a = SmallCache;
        for size in [1usize, 15, 16, 17, 100, 512, 513, 4096] {
            for align in [1usize, 8, 16, 32, 64] {
                let layout = Layout::from_size_align(size, align).unwrap_or(Layout::new::<u8>());
                unsafe {
                    let p = a.alloc(layout);
                    assert!(!p.is_null());
                    assert_eq!(p as usize % layout.align(), 0, "{layout:?}");
                    std::ptr::write_bytes(p, 0xAB, layout.size());
                    a.dealloc(p, layout);
                    let z = a.alloc_zeroed(layout);
                    assert_eq!(z as usize % layout.align(), 0, "{layout:?}");
                    let bytes = std::slice::from_raw_parts(z, layout.size());
                    assert!(bytes.iter().all(|&b| b == 0), "{layout:?} not zeroed");
                    let r = a.realloc(z, layout, layout.size() * 3);
                    assert_eq!(r as usize % layout.align(), 0, "{layout:?} realloc");
                    let bytes = std::slice::from_raw_parts(r, layout.size());
                    assert!(
                        bytes.iter().all(|&b| b == 0),
                        "{layout:?} realloc lost data"
                    );
                    let grown = Layout::from_size_align_unchecked(layout.size() * 3, align);
                    a.dealloc(r, grown);
                }
            }
        }
    }
}
