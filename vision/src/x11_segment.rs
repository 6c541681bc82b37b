//! Shared memory the X server writes captured images into: a memfd handed over by the server
//! (MIT-SHM 1.2) or a System V segment.

use std::fs::File;
use std::ptr::NonNull;

use x11rb::connection::{Connection, RequestConnection};
use x11rb::protocol::shm::{self, ConnectionExt as _};

use crate::X11Error;

/// Client side of one shared memory segment attached to the server as `seg`.
pub(crate) struct Segment {
    /// The server's id for the segment.
    pub seg: shm::Seg,
    memory: Memory,
}

enum Memory {
    /// A file descriptor from `ShmCreateSegment`, mapped read-only here.
    Fd(memmap2::Mmap),
    /// A System V segment attached read-only here.
    SysV { addr: NonNull<u8>, len: usize },
}

// SAFETY: the SysV mapping is owned by this value alone and only read through `&self`;
// it may be used and detached from any thread.
unsafe impl Send for Memory {}

impl Segment {
    /// Ask the server to create a `len`-byte segment and map the file descriptor it returns.
    pub fn create_fd<C: Connection>(conn: &C, len: usize) -> Result<Segment, X11Error> {
        let size = u32::try_from(len).map_err(|_| X11Error::ShmTooLarge { len })?;
        let seg = conn
            .generate_id()
            .map_err(X11Error::id("ShmCreateSegment"))?;
        let reply = conn
            .shm_create_segment(seg, size, false)
            .map_err(X11Error::request("ShmCreateSegment"))?
            .reply()
            .map_err(X11Error::reply("ShmCreateSegment"))?;
        let file = File::from(reply.shm_fd);
        // SAFETY: the memfd stays mapped for the life of `Memory::Fd`; the server writes into it
        // only while handling a ShmGetImage whose reply we wait for before reading.
        let map = unsafe { memmap2::MmapOptions::new().len(len).map(&file) };
        match map {
            Ok(map) => Ok(Segment {
                seg,
                memory: Memory::Fd(map),
            }),
            Err(source) => {
                let _ = conn.shm_detach(seg);
                Err(X11Error::SharedMemory {
                    call: "mmap",
                    source,
                })
            }
        }
    }

    /// Create a private System V segment of `len` bytes and attach it to the server.
    pub fn create_sysv<C: Connection>(conn: &C, len: usize) -> Result<Segment, X11Error> {
        let os_error = |call| X11Error::SharedMemory {
            call,
            source: std::io::Error::last_os_error(),
        };
        // SAFETY: plain libc calls; every failure is checked and undone below.
        let id = unsafe { libc::shmget(libc::IPC_PRIVATE, len.max(1), libc::IPC_CREAT | 0o600) };
        // A negative id is shmget's failure.
        let Ok(shmid) = u32::try_from(id) else {
            return Err(os_error("shmget"));
        };
        // SAFETY: `id` is a fresh segment; attaching it read-only at an address the kernel picks.
        let addr = unsafe { libc::shmat(id, std::ptr::null(), libc::SHM_RDONLY) };
        let attached = if addr as isize == -1 {
            Err(os_error("shmat"))
        } else {
            attach_sysv(conn, shmid)
        };
        // Mark the segment for removal now: it lives on until both sides have detached.
        // SAFETY: removing a segment id we created.
        unsafe { libc::shmctl(id, libc::IPC_RMID, std::ptr::null_mut()) };
        match (attached, NonNull::new(addr.cast::<u8>())) {
            (Ok(seg), Some(addr)) => Ok(Segment {
                seg,
                memory: Memory::SysV { addr, len },
            }),
            (result, _) => {
                if let Ok(seg) = &result {
                    let _ = conn.shm_detach(*seg);
                }
                if addr as isize != -1 {
                    // SAFETY: detaching the mapping made above.
                    unsafe { libc::shmdt(addr) };
                }
                Err(result.err().unwrap_or_else(|| X11Error::SharedMemory {
                    call: "shmat",
                    source: std::io::Error::other("shmat returned a null address"),
                }))
            }
        }
    }

    /// Size in bytes.
    pub fn len(&self) -> usize {
        match &self.memory {
            Memory::Fd(map) => map.len(),
            Memory::SysV { len, .. } => *len,
        }
    }

    /// The segment's bytes as last written by the server.
    pub fn bytes(&self) -> &[u8] {
        match &self.memory {
            Memory::Fd(map) => map,
            // SAFETY: `addr` points at `len` mapped bytes until `drop`.
            Memory::SysV { addr, len } => unsafe {
                std::slice::from_raw_parts(addr.as_ptr(), *len)
            },
        }
    }

    /// Ask the server to detach the segment; the local mapping goes when `self` is dropped.
    pub fn detach<C: RequestConnection>(&self, conn: &C) {
        let _ = conn.shm_detach(self.seg);
    }
}

fn attach_sysv<C: Connection>(conn: &C, shmid: u32) -> Result<shm::Seg, X11Error> {
    let seg = conn.generate_id().map_err(X11Error::id("ShmAttach"))?;
    conn.shm_attach(seg, shmid, false)
        .map_err(X11Error::request("ShmAttach"))?
        .check()
        .map_err(X11Error::reply("ShmAttach"))?;
    Ok(seg)
}

impl Drop for Memory {
    fn drop(&mut self) {
        if let Memory::SysV { addr, .. } = self {
            // SAFETY: detaching our own attachment once; the mapping is not used afterwards.
            unsafe { libc::shmdt(addr.as_ptr().cast()) };
        }
    }
}
