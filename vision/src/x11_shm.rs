//! `ShmSource`: the fast X11 capture path, MIT-SHM on one long-lived connection.

use x11rb::connection::{Connection, RequestConnection};
use x11rb::protocol::shm::{self, ConnectionExt as _};
use x11rb::protocol::xproto::{self, ConnectionExt as _, ImageFormat, Window};
use x11rb::rust_connection::RustConnection;

use crate::x11_pixels::PixelLayout;
use crate::x11_segment::Segment;
use crate::{Frame, ScreenSource, Size, VisionError, X11Error};

/// How a [`ShmSource`] gets the root window's pixels from the server.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CaptureMethod {
    /// MIT-SHM 1.2: the server creates the segment and passes its file descriptor.
    ShmFd,
    /// MIT-SHM with a System V segment (`shmget`/`shmat`).
    ShmSysV,
    /// Plain `GetImage`: the pixels travel through the socket (slower; works on remote displays).
    GetImage,
}

/// MIT-SHM capture of the root window through x11rb (the fast path: about 1 ms at 1280x800).
///
/// Uses `ShmCreateSegment` (a file descriptor mapped here) when the server supports MIT-SHM 1.2,
/// else a System V segment, else plain `GetImage` (then [`ScreenSource::name`] is `"x11-getimage"`).
/// Keeps one X connection for its whole life. Converts the root window's ZPixmap (any 16, 24 or
/// 32 bits-per-pixel TrueColor layout, in the server's byte order and visual masks) to RGBA with
/// alpha 255, and follows changes of the screen size.
pub struct ShmSource {
    conn: RustConnection,
    root: Window,
    layout: PixelLayout,
    size: Size,
    method: CaptureMethod,
    segment: Option<Segment>,
    display: String,
}

impl ShmSource {
    /// Connect to `display` (like `":5"`; `None` reads `$DISPLAY`) and pick the fastest method the
    /// server offers.
    pub fn connect(display: Option<&str>) -> Result<ShmSource, VisionError> {
        let mut source = Self::open(display)?;
        for method in [CaptureMethod::ShmFd, CaptureMethod::ShmSysV] {
            if source.use_method(method).is_ok() {
                return Ok(source);
            }
        }
        Ok(source)
    }

    /// Connect to `display` and capture with `method` only; fails when the server cannot do it.
    pub fn connect_with(
        display: Option<&str>,
        method: CaptureMethod,
    ) -> Result<ShmSource, VisionError> {
        let mut source = Self::open(display)?;
        source.use_method(method)?;
        Ok(source)
    }

    /// The method this source captures with.
    pub fn method(&self) -> CaptureMethod {
        self.method
    }

    /// The display this source is connected to.
    pub fn display(&self) -> &str {
        &self.display
    }

    /// Connect and read the root window's layout; the method starts as `GetImage`.
    fn open(display: Option<&str>) -> Result<ShmSource, VisionError> {
        let name = match display {
            Some(d) => d.to_owned(),
            None => std::env::var("DISPLAY").unwrap_or_else(|_| "(unset $DISPLAY)".into()),
        };
        let (conn, screen_num) = x11rb::connect(display).map_err(|source| X11Error::Connect {
            display: name.clone(),
            source,
        })?;
        let layout = PixelLayout::of_root(conn.setup(), screen_num)?;
        let screen = &conn.setup().roots[screen_num];
        let (root, size) = (
            screen.root,
            Size::new(
                u32::from(screen.width_in_pixels),
                u32::from(screen.height_in_pixels),
            ),
        );
        Ok(ShmSource {
            conn,
            root,
            layout,
            size,
            method: CaptureMethod::GetImage,
            segment: None,
            display: name,
        })
    }

    /// Switch to `method`, making a segment for the current size when it needs one.
    fn use_method(&mut self, method: CaptureMethod) -> Result<(), X11Error> {
        if method != CaptureMethod::GetImage {
            let (major, minor) = self.shm_version()?;
            if method == CaptureMethod::ShmFd && (major, minor) < (1, 2) {
                return Err(X11Error::ShmTooOld { major, minor });
            }
        }
        self.drop_segment();
        self.method = method;
        if method != CaptureMethod::GetImage {
            let len = self.layout.image_len(self.size.width, self.size.height);
            match self.new_segment(len) {
                Ok(seg) => self.segment = Some(seg),
                Err(e) => {
                    self.method = CaptureMethod::GetImage;
                    return Err(e);
                }
            }
        }
        Ok(())
    }

    fn shm_version(&self) -> Result<(u16, u16), X11Error> {
        let present = self
            .conn
            .extension_information(shm::X11_EXTENSION_NAME)
            .map_err(X11Error::request("QueryExtension"))?
            .is_some();
        if !present {
            return Err(X11Error::NoShm);
        }
        let v = self
            .conn
            .shm_query_version()
            .map_err(X11Error::request("ShmQueryVersion"))?
            .reply()
            .map_err(X11Error::reply("ShmQueryVersion"))?;
        Ok((v.major_version, v.minor_version))
    }

    fn new_segment(&self, len: usize) -> Result<Segment, X11Error> {
        match self.method {
            CaptureMethod::ShmFd => Segment::create_fd(&self.conn, len),
            _ => Segment::create_sysv(&self.conn, len),
        }
    }

    fn drop_segment(&mut self) {
        if let Some(seg) = self.segment.take() {
            seg.detach(&self.conn);
            let _ = self.conn.flush();
        }
    }

    /// One attempt: ask for the root geometry and the image in the same round trip.
    /// `Ok(None)` means the screen size changed meanwhile (the size is updated; try again).
    fn try_capture(&mut self) -> Result<Option<Frame>, Attempt> {
        let (w, h) = (self.size.width, self.size.height);
        let (w16, h16) = (clamp_u16(w), clamp_u16(h));
        let geometry = self
            .conn
            .get_geometry(self.root)
            .map_err(X11Error::request("GetGeometry"))?;
        let shm_seg = match self.method {
            CaptureMethod::GetImage => None,
            _ => self.segment.as_ref().map(|s| s.seg),
        };
        let rgba = if let Some(seg) = shm_seg {
            let image = self
                .conn
                .shm_get_image(
                    self.root,
                    0,
                    0,
                    w16,
                    h16,
                    !0,
                    ImageFormat::Z_PIXMAP.into(),
                    seg,
                    0,
                )
                .map_err(X11Error::request("ShmGetImage"))?;
            let g = geometry.reply().map_err(X11Error::reply("GetGeometry"))?;
            let image = image.reply();
            if self.resized(&g) {
                return Ok(None);
            }
            image.map_err(X11Error::reply("ShmGetImage"))?;
            let bytes = self.segment.as_ref().map_or(&[][..], Segment::bytes);
            self.layout.convert(bytes, w, h).map_err(Attempt::Fatal)?
        } else {
            let image = self
                .conn
                .get_image(ImageFormat::Z_PIXMAP, self.root, 0, 0, w16, h16, !0)
                .map_err(X11Error::request("GetImage"))?;
            let g = geometry.reply().map_err(X11Error::reply("GetGeometry"))?;
            let image = image.reply();
            if self.resized(&g) {
                return Ok(None);
            }
            let reply = image.map_err(X11Error::reply("GetImage"))?;
            self.layout
                .convert(&reply.data, w, h)
                .map_err(Attempt::Fatal)?
        };
        Frame::from_rgba(w, h, rgba)
            .map(Some)
            .map_err(Attempt::Fatal)
    }

    /// Record a new root size; re-make the segment when it no longer fits.
    fn resized(&mut self, g: &xproto::GetGeometryReply) -> bool {
        let now = Size::new(u32::from(g.width), u32::from(g.height));
        if now == self.size {
            return false;
        }
        self.size = now;
        let len = self.layout.image_len(now.width, now.height);
        if self.segment.as_ref().is_some_and(|s| s.len() < len) {
            let method = self.method;
            if self.use_method(method).is_err() {
                // Fall back to GetImage rather than fail: it needs no segment.
                self.method = CaptureMethod::GetImage;
            }
        }
        true
    }
}

/// Why one capture attempt failed.
enum Attempt {
    /// The server refused the request (an X error): worth one retry with another method.
    Refused(X11Error),
    /// Anything else: the connection is gone or the data is wrong.
    Fatal(VisionError),
}

impl From<X11Error> for Attempt {
    fn from(e: X11Error) -> Self {
        if e.is_refusal() {
            Attempt::Refused(e)
        } else {
            Attempt::Fatal(e.into())
        }
    }
}

fn clamp_u16(v: u32) -> u16 {
    u16::try_from(v).unwrap_or(u16::MAX)
}

impl ScreenSource for ShmSource {
    fn capture(&mut self) -> Result<Frame, VisionError> {
        let mut last = None;
        for _ in 0..4 {
            match self.try_capture() {
                Ok(Some(frame)) => return Ok(frame),
                Ok(None) => {}
                Err(Attempt::Fatal(e)) => return Err(e),
                Err(Attempt::Refused(why)) => {
                    // The size may have changed between the two requests: re-read it; if it did
                    // not, the shared memory path itself is refused: fall back to GetImage.
                    let g = self
                        .conn
                        .get_geometry(self.root)
                        .map_err(X11Error::request("GetGeometry"))?
                        .reply()
                        .map_err(X11Error::reply("GetGeometry"))?;
                    if !self.resized(&g) && self.method != CaptureMethod::GetImage {
                        self.drop_segment();
                        self.method = CaptureMethod::GetImage;
                    }
                    last = Some(why);
                }
            }
        }
        // Four refusals in a row (or four size changes): the last refusal says why.
        Err(last
            .unwrap_or(X11Error::Resizing {
                display: self.display.clone(),
            })
            .into())
    }

    fn size(&self) -> Size {
        self.size
    }

    fn name(&self) -> &'static str {
        match self.method {
            CaptureMethod::GetImage => "x11-getimage",
            CaptureMethod::ShmFd | CaptureMethod::ShmSysV => "x11-shm",
        }
    }
}

impl Drop for ShmSource {
    fn drop(&mut self) {
        self.drop_segment();
    }
}
