//! Huge pages for the tables that are read at random: the NER model's rows, the tagger's
//! cached sums and the gazetteer's first-word index. Owns only the kernel advice; what is
//! stored where stays with the stages.
//!
//! The binary keeps the rest of its heap on small pages (`src/main.rs`): a fresh huge page
//! costs the kernel 2 MiB of zeroing however little of it is used, but these tables fill
//! theirs, and with small pages their lookups miss the TLB.

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

#[cfg(test)]
mod tests {
    use super::*;

    /// The advice reaches the kernel: the mapping holding the middle of an advised
    /// vector is flagged for huge pages (`hg` in smaps), and the vector holds its values.
    #[test]
    #[cfg(target_os = "linux")]
    fn an_advised_vector_is_flagged_for_huge_pages() {
        if !std::path::Path::new("/sys/kernel/mm/transparent_hugepage").exists() {
            return; // a kernel without huge pages refuses the advice
        }
        let mut v: Vec<u64> = Vec::with_capacity(2 << 20);
        huge_pages(&v);
        let middle = v.as_ptr() as usize + (8 << 20);
        let smaps = std::fs::read_to_string("/proc/self/smaps").unwrap();
        let mut inside = false;
        let mut flags = None;
        for line in smaps.lines() {
            if let Some((range, _)) = line.split_once(' ') {
                if let Some((a, b)) = range.split_once('-') {
                    if let (Ok(a), Ok(b)) =
                        (usize::from_str_radix(a, 16), usize::from_str_radix(b, 16))
                    {
                        inside = a <= middle && middle < b;
                        continue;
                    }
                }
            }
            if inside {
                if let Some(f) = line.strip_prefix("VmFlags:") {
                    flags = Some(f.split_whitespace().map(String::from).collect::<Vec<_>>());
                }
            }
        }
        let flags = flags.expect("the vector's mapping is in smaps");
        assert!(flags.iter().any(|f| f == "hg"), "flags {flags:?}");
        v.extend(0..2 << 20);
        assert!(v.iter().enumerate().all(|(i, &x)| x == i as u64));
    }
}
