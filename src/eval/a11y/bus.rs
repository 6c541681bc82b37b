//! The accessibility bus of a task's D-Bus session, and the calls made on it.
//!
//! Apps register their accessible objects on a bus of their own (AT-SPI's, started by
//! `at-spi-bus-launcher` when first asked for), whose address the session bus hands out as
//! `org.a11y.Bus.GetAddress`. Every call has a deadline ([`CALL_DEADLINE`]); a peer that
//! missed one is not called again in this read, so a hung app costs one deadline, not one per
//! object. At most [`IN_FLIGHT`] calls are outstanding at once.

use super::A11yError;
use serde::de::DeserializeOwned;
use std::collections::HashSet;
use std::sync::Mutex;
use std::time::Duration;
use zbus::zvariant::{DynamicType, OwnedObjectPath, OwnedValue};
use zbus::{Connection, Message};

/// How long one call may take before its peer counts as hung.
pub const CALL_DEADLINE: Duration = Duration::from_secs(2);

/// How many calls may be outstanding at once.
const IN_FLIGHT: usize = 64;

/// A reference to an accessible object: the peer's unique bus name and the object's path.
pub type ObjectRef = (String, OwnedObjectPath);

/// The accessibility bus, connected.
pub struct Bus {
    conn: Connection,
    hung: Mutex<HashSet<String>>,
    permits: tokio::sync::Semaphore,
}

/// The AT-SPI path of no object (children that are gone).
pub const NULL_PATH: &str = "/org/a11y/atspi/null";

impl Bus {
    /// Connects to the accessibility bus of the session bus at `session` (a D-Bus address).
    pub async fn connect(session: &str) -> Result<Bus, A11yError> {
        let bus_error = |source| A11yError::Bus {
            address: session.to_owned(),
            source: Box::new(source),
        };
        let session_conn = zbus::connection::Builder::address(session)
            .map_err(bus_error)?
            .method_timeout(CALL_DEADLINE)
            .build()
            .await
            .map_err(bus_error)?;
        let reply = session_conn
            .call_method(
                Some("org.a11y.Bus"),
                "/org/a11y/bus",
                Some("org.a11y.Bus"),
                "GetAddress",
                &(),
            )
            .await
            .map_err(|source| A11yError::NoAccessibilityBus {
                source: Box::new(source),
            })?;
        let address: String =
            reply
                .body()
                .deserialize()
                .map_err(|source| A11yError::NoAccessibilityBus {
                    source: Box::new(source),
                })?;
        let conn = zbus::connection::Builder::address(address.as_str())
            .map_err(|source| A11yError::Bus {
                address: address.clone(),
                source: Box::new(source),
            })?
            .method_timeout(CALL_DEADLINE)
            .build()
            .await
            .map_err(|source| A11yError::Bus {
                address,
                source: Box::new(source),
            })?;
        Ok(Bus {
            conn,
            hung: Mutex::new(HashSet::new()),
            permits: tokio::sync::Semaphore::new(IN_FLIGHT),
        })
    }

    /// Calls `method` of `interface` on `object`; `None` when it failed (the object is gone,
    /// lacks the interface) or missed its deadline or its peer is gone (the peer is then skipped from now on).
    pub async fn call<B, R>(
        &self,
        object: &ObjectRef,
        interface: &str,
        method: &str,
        body: &B,
    ) -> Option<R>
    where
        B: serde::Serialize + DynamicType,
        R: DeserializeOwned + zbus::zvariant::Type,
    {
        let (peer, path) = object;
        if self.is_hung(peer) {
            return None;
        }
        let _permit = self.permits.acquire().await.ok()?;
        let reply: Result<Message, zbus::Error> = self
            .conn
            .call_method(Some(peer.as_str()), path, Some(interface), method, body)
            .await;
        match reply {
            Ok(reply) => reply.body().deserialize().ok(),
            Err(zbus::Error::InputOutput(e)) if e.kind() == std::io::ErrorKind::TimedOut => {
                self.mark_hung(peer);
                None
            }
            Err(zbus::Error::MethodError(name, ..))
                if matches!(
                    name.as_str(),
                    "org.freedesktop.DBus.Error.NoReply"
                        | "org.freedesktop.DBus.Error.ServiceUnknown"
                        | "org.freedesktop.DBus.Error.NameHasNoOwner"
                ) =>
            {
                // The app is gone: nothing more will come from it.
                self.mark_hung(peer);
                None
            }
            Err(_) => None,
        }
    }

    /// A property of `interface` on `object`, as [`Bus::call`] gets it.
    pub async fn property<R>(&self, object: &ObjectRef, interface: &str, name: &str) -> Option<R>
    where
        R: TryFrom<OwnedValue>,
    {
        let value: OwnedValue = self
            .call(
                object,
                "org.freedesktop.DBus.Properties",
                "Get",
                &(interface, name),
            )
            .await?;
        R::try_from(value).ok()
    }

    fn is_hung(&self, peer: &str) -> bool {
        self.hung.lock().is_ok_and(|hung| hung.contains(peer))
    }

    fn mark_hung(&self, peer: &str) {
        if let Ok(mut hung) = self.hung.lock() {
            hung.insert(peer.to_owned());
        }
    }

    /// The peers that missed a deadline.
    pub fn hung(&self) -> Vec<String> {
        self.hung
            .lock()
            .map(|h| h.iter().cloned().collect())
            .unwrap_or_default()
    }
}
