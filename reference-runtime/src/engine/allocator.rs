//! A heap allocator per isolate that counts its bytes and enforces the isolate's memory limit,
//! so the host learns cheaply, without walking the heap, when an isolate ran out of memory.

use std::cell::Cell;
use std::rc::Rc;

use rquickjs::allocator::{Allocator, RustAllocator};

/// Bytes in use by one isolate's heap and whether an allocation was refused.
#[derive(Debug, Default)]
pub(crate) struct HeapMeter {
    pub used: Cell<usize>,
    pub limit: Cell<usize>,
    pub exceeded: Cell<bool>,
}

/// Wraps rquickjs's Rust allocator; refuses any allocation past the limit, which QuickJS turns
/// into an "out of memory" InternalError.
pub(crate) struct MeteredAllocator {
    inner: RustAllocator,
    meter: Rc<HeapMeter>,
}

impl MeteredAllocator {
    pub(crate) fn new(meter: Rc<HeapMeter>) -> Self {
        MeteredAllocator {
            inner: RustAllocator,
            meter,
        }
    }

    fn admit(&self, extra: usize) -> bool {
        let fits = self.meter.used.get().saturating_add(extra) <= self.meter.limit.get();
        if !fits {
            self.meter.exceeded.set(true);
        }
        fits
    }

    fn record(&self, ptr: *mut u8, released: usize) {
        if !ptr.is_null() {
            // SAFETY: `ptr` was just returned by the inner allocator.
            let size = unsafe { RustAllocator::usable_size(ptr) };
            let used = self.meter.used.get().saturating_sub(released);
            self.meter.used.set(used.saturating_add(size));
        }
    }
}

// SAFETY: every call is forwarded to `RustAllocator`; the wrapper only counts sizes.
unsafe impl Allocator for MeteredAllocator {
    fn alloc(&mut self, size: usize) -> *mut u8 {
        if !self.admit(size) {
            return std::ptr::null_mut();
        }
        let ptr = self.inner.alloc(size);
        self.record(ptr, 0);
        ptr
    }

    fn calloc(&mut self, count: usize, size: usize) -> *mut u8 {
        if !self.admit(count.saturating_mul(size)) {
            return std::ptr::null_mut();
        }
        let ptr = self.inner.calloc(count, size);
        self.record(ptr, 0);
        ptr
    }

    unsafe fn dealloc(&mut self, ptr: *mut u8) {
        if ptr.is_null() {
            return;
        }
        // SAFETY: QuickJS frees only pointers this allocator returned.
        let size = unsafe { RustAllocator::usable_size(ptr) };
        self.meter
            .used
            .set(self.meter.used.get().saturating_sub(size));
        // SAFETY: as above.
        unsafe { self.inner.dealloc(ptr) };
    }

    unsafe fn realloc(&mut self, ptr: *mut u8, new_size: usize) -> *mut u8 {
        let old = if ptr.is_null() {
            0
        } else {
            // SAFETY: QuickJS reallocates only pointers this allocator returned.
            unsafe { RustAllocator::usable_size(ptr) }
        };
        if new_size > old && !self.admit(new_size - old) {
            return std::ptr::null_mut();
        }
        // SAFETY: as above.
        let new = unsafe { self.inner.realloc(ptr, new_size) };
        if !new.is_null() || new_size == 0 {
            self.meter
                .used
                .set(self.meter.used.get().saturating_sub(old));
            self.record(new, 0);
        }
        new
    }

    unsafe fn usable_size(ptr: *mut u8) -> usize {
        // SAFETY: forwarded with the caller's guarantee.
        unsafe { RustAllocator::usable_size(ptr) }
    }
}
