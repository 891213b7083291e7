//! The server's global allocator: mimalloc, asked the way `malloc` is asked when it can be.
//!
//! The `mimalloc` crate's `GlobalAlloc` passes every request to `mi_malloc_aligned`. In
//! mimalloc 3 that takes its plain path only when the block size is a power of two; every
//! other size over 1 KiB went through `mi_theap_malloc_zero_aligned_at_generic` and its
//! over-allocation, about a tenth of a GET's allocator instructions (callgrind,
//! BENCHMARKS.md). A request whose alignment is at most 16 and divides its size fits any of
//! mimalloc's size classes as they come (they are multiples of 16 above 16, and a page's first
//! block is 16-aligned), so it goes to `mi_malloc`; any other keeps the aligned calls.

use std::alloc::{GlobalAlloc, Layout};
use std::ffi::c_void;

use libmimalloc_sys as mi;

/// mimalloc's `MI_MAX_ALIGN_SIZE`: what `mi_malloc` guarantees, as `malloc` does.
const MALLOC_ALIGN: usize = 16;

/// mimalloc, through its plain calls where they give the alignment asked for.
pub struct Mimalloc;

/// Whether a block of `size` bytes from the plain calls is aligned to `align`.
fn plain(size: usize, align: usize) -> bool {
    align <= MALLOC_ALIGN && size % align == 0
}

// SAFETY: every block comes from mimalloc and goes back to it (`mi_free` takes blocks from
// either kind of call), and the plain calls are used only where their alignment suffices.
unsafe impl GlobalAlloc for Mimalloc {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: mimalloc's allocation calls take any size and a power-of-two alignment.
        unsafe {
            if plain(layout.size(), layout.align()) {
                mi::mi_malloc(layout.size()) as *mut u8
            } else {
                mi::mi_malloc_aligned(layout.size(), layout.align()) as *mut u8
            }
        }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: as in `alloc`.
        unsafe {
            if plain(layout.size(), layout.align()) {
                mi::mi_zalloc(layout.size()) as *mut u8
            } else {
                mi::mi_zalloc_aligned(layout.size(), layout.align()) as *mut u8
            }
        }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, _: Layout) {
        // SAFETY: `ptr` was allocated by this allocator (the caller's contract).
        unsafe { mi::mi_free(ptr as *mut c_void) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: `ptr` was allocated by this allocator with `layout` (the caller's contract).
        unsafe {
            if plain(new_size, layout.align()) {
                mi::mi_realloc(ptr as *mut c_void, new_size) as *mut u8
            } else {
                mi::mi_realloc_aligned(ptr as *mut c_void, new_size, layout.align()) as *mut u8
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Sizes to 1 MiB (every one to 1,100), at every alignment to 4 KiB: each block is
    /// aligned, holds what is written to it, and keeps it through growing and shrinking.
    #[test]
    fn blocks_are_aligned_and_keep_their_bytes_through_realloc() {
        let sizes = (1..=1100)
            .chain((1101..5000).step_by(7))
            .chain([8191, 8192, 65_536, 1 << 20]);
        for size in sizes {
            for align in (0..=12).map(|shift| 1usize << shift) {
                let layout = Layout::from_size_align(size, align).unwrap();
                // SAFETY: a non-zero size; each block is freed once with its own layout.
                unsafe {
                    let zeroed = Mimalloc.alloc_zeroed(layout);
                    assert_eq!(zeroed as usize % align, 0, "zeroed {size} aligned {align}");
                    assert!((0..size).all(|i| *zeroed.add(i) == 0), "zeroed {size}");
                    Mimalloc.dealloc(zeroed, layout);

                    let block = Mimalloc.alloc(layout);
                    assert_eq!(block as usize % align, 0, "{size} aligned {align}");
                    for i in 0..size {
                        *block.add(i) = i as u8;
                    }
                    let grown = Mimalloc.realloc(block, layout, size * 3);
                    assert_eq!(grown as usize % align, 0, "{size} grown, aligned {align}");
                    assert!((0..size).all(|i| *grown.add(i) == i as u8), "{size} grown");
                    let grown_layout = Layout::from_size_align(size * 3, align).unwrap();
                    let shrunk = Mimalloc.realloc(grown, grown_layout, size.div_ceil(2));
                    assert_eq!(shrunk as usize % align, 0, "{size} shrunk, aligned {align}");
                    assert!((0..size.div_ceil(2)).all(|i| *shrunk.add(i) == i as u8));
                    let shrunk_layout = Layout::from_size_align(size.div_ceil(2), align).unwrap();
                    Mimalloc.dealloc(shrunk, shrunk_layout);
                }
            }
        }
    }

    /// The size classes `plain` relies on: a size that is a multiple of 16 gets a block of
    /// its own size. A mimalloc built with padding (its `secure` or `debug` features) adds
    /// bytes before choosing the class (16 would be served from 24), and fails this.
    #[test]
    fn size_classes_are_the_sizes_asked_for() {
        for size in [16, 32, 48, 64, 80, 96, 112, 128] {
            // SAFETY: mi_good_size only computes.
            assert_eq!(unsafe { mi::mi_good_size(size) }, size);
        }
    }

    #[test]
    fn only_alignments_mimalloc_gives_anyway_take_the_plain_calls() {
        assert!(plain(1, 1));
        assert!(plain(24, 8));
        assert!(plain(48, 16));
        assert!(!plain(8, 16), "a size below its alignment");
        assert!(!plain(64, 32));
        assert!(!plain(4096, 4096));
    }
}
