//! `X11Error`: what can go wrong while capturing the screen over an X connection of our own.
//!
//! x11rb's errors are kept as sources. [`X11Error::is_display_lost`] tells a closed or broken
//! connection (the display is gone: nothing more can be captured from it) from a server that
//! merely refused one request or cannot offer what capture needs.

use x11rb::errors::{ConnectError, ConnectionError, ReplyError, ReplyOrIdError};
use x11rb::protocol::xproto::VisualClass;

/// A failure of the X11 capture path ([`crate::ShmSource`]).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum X11Error {
    /// The connection to the X server could not be made.
    #[error("cannot connect to X display {display}")]
    Connect {
        /// The display name as given (or taken from `$DISPLAY`).
        display: String,
        /// x11rb's reason.
        #[source]
        source: ConnectError,
    },
    /// A request could not be sent: the connection is closed or broken, or it cannot carry it.
    #[error("cannot send the {request} request to the X server")]
    Request {
        /// The request, like `"GetImage"`.
        request: &'static str,
        /// x11rb's reason.
        #[source]
        source: ConnectionError,
    },
    /// A request was sent, but the server refused it or the connection failed before its reply.
    #[error("the {request} request to the X server failed")]
    Reply {
        /// The request, like `"ShmGetImage"`.
        request: &'static str,
        /// x11rb's reason: an X error from the server, or a connection error.
        #[source]
        source: ReplyError,
    },
    /// No resource id could be had for a new server-side object.
    #[error("cannot get an X resource id for the {request} request")]
    Id {
        /// The request the id was for.
        request: &'static str,
        /// x11rb's reason: ids exhausted, or a connection error.
        #[source]
        source: ReplyOrIdError,
    },
    /// The connection's setup does not list the screen x11rb chose.
    #[error("the X server has no screen {screen}")]
    NoScreen {
        /// The screen number.
        screen: usize,
    },
    /// The root window's visual is missing from the server's list of visuals.
    #[error("the X server does not list the root window's visual")]
    NoRootVisual,
    /// The root window's visual has a colormap (PseudoColor and the like).
    #[error("the root visual is {class:?}, but only TrueColor and DirectColor can be captured")]
    UnsupportedVisual {
        /// The visual's class.
        class: VisualClass,
    },
    /// The server lists no image format for the root window's depth.
    #[error("the X server lists no pixmap format for depth {depth}")]
    NoPixmapFormat {
        /// The root window's depth.
        depth: u8,
    },
    /// The root window's pixel format is one this crate cannot convert.
    #[error(
        "depth {depth} with {bits_per_pixel} bits per pixel cannot be captured (16, 24 or 32 can)"
    )]
    UnsupportedDepth {
        /// The root window's depth.
        depth: u8,
        /// Bits each pixel takes in memory.
        bits_per_pixel: u8,
    },
    /// The server sent fewer image bytes than the image's size needs.
    #[error("the X server sent {got} bytes for a {width}x{height} image, {expected} were expected")]
    ShortImage {
        /// Bytes received.
        got: usize,
        /// Bytes the image needs.
        expected: usize,
        /// Image width in pixels.
        width: u32,
        /// Image height in pixels.
        height: u32,
    },
    /// The screen changed size during every attempt to capture it.
    #[error("the screen of X display {display} kept changing size while it was captured")]
    Resizing {
        /// The display.
        display: String,
    },
    /// The server does not offer the MIT-SHM extension.
    #[error("the X server has no MIT-SHM extension")]
    NoShm,
    /// The server's MIT-SHM cannot hand over a file descriptor.
    #[error("the X server has MIT-SHM {major}.{minor}, but passing file descriptors needs 1.2")]
    ShmTooOld {
        /// Major version.
        major: u16,
        /// Minor version.
        minor: u16,
    },
    /// An image this large does not fit one MIT-SHM segment.
    #[error("a {len}-byte image is too large for MIT-SHM")]
    ShmTooLarge {
        /// The image's size in bytes.
        len: usize,
    },
    /// Shared memory could not be made or mapped on this side.
    #[error("cannot set up shared memory for the X server: {call} failed")]
    SharedMemory {
        /// The system call that failed (`shmget`, `shmat`, `mmap`).
        call: &'static str,
        /// The operating system's reason.
        #[source]
        source: std::io::Error,
    },
}

impl X11Error {
    /// Whether the connection to the display is closed or broken, so that nothing more can be
    /// captured from it (the X server exited, the socket failed). A refused request, a missing
    /// extension or an unsupported pixel format is not a lost display.
    pub fn is_display_lost(&self) -> bool {
        match self {
            X11Error::Request { source, .. } => is_broken(source),
            X11Error::Reply {
                source: ReplyError::ConnectionError(e),
                ..
            } => is_broken(e),
            X11Error::Id {
                source: ReplyOrIdError::ConnectionError(e),
                ..
            } => is_broken(e),
            _ => false,
        }
    }

    /// Whether the server answered the request with an X error (the connection is fine).
    pub(crate) fn is_refusal(&self) -> bool {
        matches!(
            self,
            X11Error::Reply {
                source: ReplyError::X11Error(_),
                ..
            }
        )
    }

    /// `Request` for `request`, as a `map_err` argument.
    pub(crate) fn request(request: &'static str) -> impl FnOnce(ConnectionError) -> X11Error {
        move |source| X11Error::Request { request, source }
    }

    /// `Reply` for `request`, as a `map_err` argument.
    pub(crate) fn reply(request: &'static str) -> impl FnOnce(ReplyError) -> X11Error {
        move |source| X11Error::Reply { request, source }
    }

    /// `Id` for `request`, as a `map_err` argument.
    pub(crate) fn id(request: &'static str) -> impl FnOnce(ReplyOrIdError) -> X11Error {
        move |source| X11Error::Id { request, source }
    }
}

/// Whether a connection error leaves the connection unusable. x11rb refuses a request for a
/// missing extension or one over the maximum length before sending anything, and a failed
/// file descriptor hand-over concerns one request; everything else (I/O, a reply it cannot
/// parse, memory) means the connection is gone.
fn is_broken(e: &ConnectionError) -> bool {
    !matches!(
        e,
        ConnectionError::UnsupportedExtension
            | ConnectionError::MaximumRequestLengthExceeded
            | ConnectionError::FdPassingFailed
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_broken_connection_is_a_lost_display() {
        let io = || std::io::Error::from(std::io::ErrorKind::BrokenPipe);
        let lost = [
            X11Error::request("GetImage")(ConnectionError::IoError(io())),
            X11Error::reply("GetGeometry")(ReplyError::ConnectionError(ConnectionError::IoError(
                io(),
            ))),
            X11Error::id("ShmAttach")(ReplyOrIdError::ConnectionError(
                ConnectionError::UnknownError,
            )),
        ];
        for e in &lost {
            assert!(e.is_display_lost(), "{e:?}");
            assert!(!e.is_refusal(), "{e:?}");
        }
        let kept = [
            X11Error::request("ShmGetImage")(ConnectionError::UnsupportedExtension),
            X11Error::request("GetImage")(ConnectionError::MaximumRequestLengthExceeded),
            X11Error::id("ShmAttach")(ReplyOrIdError::IdsExhausted),
            X11Error::NoShm,
            X11Error::ShmTooOld { major: 1, minor: 1 },
        ];
        for e in &kept {
            assert!(!e.is_display_lost(), "{e:?}");
        }
    }

    #[test]
    fn sources_are_kept() {
        use std::error::Error as _;
        let e = X11Error::SharedMemory {
            call: "shmget",
            source: std::io::Error::from(std::io::ErrorKind::PermissionDenied),
        };
        assert_eq!(
            e.to_string(),
            "cannot set up shared memory for the X server: shmget failed"
        );
        let source = e.source().map(ToString::to_string);
        assert_eq!(source.as_deref(), Some("permission denied"));
    }
}
