//! virtio-blk (work in progress).
