//! The `--net` option.
//!
//! ```text
//! --net user[,hostfwd=tcp:[HOSTADDR]:HOSTPORT-[GUESTADDR]:GUESTPORT]...[,restrict=on][,mac=MAC]
//! --net tap=IFNAME[,mac=MAC]
//! ```
//!
//! `HOSTADDR` defaults to 127.0.0.1 (QEMU binds all addresses; vireo
//! stays on the loopback unless told otherwise, so a port forward does not
//! expose the guest to the network by accident). `GUESTADDR`, if given,
//! must be the guest's address 10.0.2.15. `restrict=on` (as in QEMU)
//! isolates the guest: it reaches nothing on or beyond the host (no NAT,
//! no gateway to the loopback, no DNS); DHCP and port forwards still work.

use crate::user::GUEST_IP;
use crate::MacAddr;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::str::FromStr;
use thiserror::Error;

/// A `--net` value that cannot be used.
#[derive(Debug, Error, PartialEq, Eq)]
#[error("--net {value}: {reason}")]
pub struct ConfigError {
    value: String,
    reason: String,
}

/// One network card.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NetConfig {
    /// Where its frames go.
    pub backend: BackendConfig,
    /// Its MAC address (`None`: [`MacAddr::default_for`] its index).
    pub mac: Option<MacAddr>,
}

/// The backend of a network card.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BackendConfig {
    /// User-mode networking.
    User(UserConfig),
    /// A host TAP device.
    Tap {
        /// The interface name.
        ifname: String,
    },
}

/// Settings of user-mode networking.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct UserConfig {
    /// Host listeners whose connections are forwarded into the guest.
    pub host_forwards: Vec<HostForward>,
    /// Where queries to 10.0.2.3:53 go (`None`: the first `nameserver`
    /// of the host's /etc/resolv.conf).
    pub dns_server: Option<SocketAddr>,
    /// Isolate the guest: no connection or datagram from the guest leaves
    /// vireo; only port forwards bring traffic in.
    pub restrict: bool,
}

/// A TCP port forward from the host into the guest.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HostForward {
    /// The host address to listen on.
    pub host: SocketAddr,
    /// The guest port connections are forwarded to.
    pub guest_port: u16,
}

impl FromStr for HostForward {
    type Err = String;

    /// Parse `tcp:[HOSTADDR]:HOSTPORT-[GUESTADDR]:GUESTPORT`.
    fn from_str(s: &str) -> Result<HostForward, String> {
        let usage = "expected hostfwd=tcp:[HOSTADDR]:HOSTPORT-[GUESTADDR]:GUESTPORT, e.g. hostfwd=tcp::2222-:22";
        let rest = match s.split_once(':') {
            Some(("tcp", rest)) | Some(("", rest)) => rest,
            Some((proto, _)) => {
                return Err(format!(
                    "hostfwd protocol {proto:?} is not supported: only tcp forwards exist"
                ))
            }
            None => return Err(usage.into()),
        };
        let (host, guest) = rest.split_once('-').ok_or(usage)?;
        let (host_addr, host_port) = host.rsplit_once(':').ok_or(usage)?;
        let (guest_addr, guest_port) = guest.rsplit_once(':').ok_or(usage)?;
        let host_ip: IpAddr = if host_addr.is_empty() {
            IpAddr::V4(Ipv4Addr::LOCALHOST)
        } else {
            host_addr
                .parse()
                .map_err(|_| format!("invalid host address {host_addr:?} in hostfwd ({usage})"))?
        };
        let port = |p: &str, what: &str| -> Result<u16, String> {
            match p.parse::<u16>() {
                Ok(n) if n != 0 => Ok(n),
                _ => Err(format!(
                    "invalid {what} port {p:?} in hostfwd: use 1 to 65535"
                )),
            }
        };
        let host_port = port(host_port, "host")?;
        let guest_port = port(guest_port, "guest")?;
        if !guest_addr.is_empty() && guest_addr.parse::<Ipv4Addr>() != Ok(GUEST_IP) {
            return Err(format!(
                "hostfwd guest address {guest_addr:?} is not the guest's address {GUEST_IP}: leave it empty"
            ));
        }
        Ok(HostForward {
            host: SocketAddr::new(host_ip, host_port),
            guest_port,
        })
    }
}

impl FromStr for NetConfig {
    type Err = ConfigError;

    fn from_str(s: &str) -> Result<NetConfig, ConfigError> {
        let err = |reason: String| ConfigError {
            value: s.to_string(),
            reason,
        };
        let mut parts = s.split(',');
        let kind = parts.next().unwrap_or("");
        let mut backend = match kind.split_once('=') {
            None if kind == "user" => BackendConfig::User(UserConfig::default()),
            Some(("tap", name)) => {
                crate::tap::check_ifname(name).map_err(|e| err(e.to_string()))?;
                BackendConfig::Tap {
                    ifname: name.to_string(),
                }
            }
            _ => {
                return Err(err(
                    "expected `user[,hostfwd=tcp::HOSTPORT-:GUESTPORT][,mac=MAC]` or `tap=IFNAME[,mac=MAC]`"
                        .into(),
                ))
            }
        };
        let mut mac = None;
        for opt in parts {
            let (key, value) = opt
                .split_once('=')
                .ok_or_else(|| err(format!("option {opt:?} needs a value (KEY=VALUE)")))?;
            match (key, &mut backend) {
                ("mac", _) => mac = Some(value.parse::<MacAddr>().map_err(err)?),
                ("hostfwd", BackendConfig::User(user)) => {
                    let fwd: HostForward = value.parse().map_err(err)?;
                    if user.host_forwards.iter().any(|f| f.host == fwd.host) {
                        return Err(err(format!("host address {} is forwarded twice", fwd.host)));
                    }
                    user.host_forwards.push(fwd);
                }
                ("restrict", BackendConfig::User(user)) => {
                    user.restrict = match value {
                        "on" | "yes" => true,
                        "off" | "no" => false,
                        _ => return Err(err(format!("restrict={value:?}: use restrict=on or restrict=off"))),
                    }
                }
                ("hostfwd" | "restrict", BackendConfig::Tap { .. }) => {
                    return Err(err(
                        "hostfwd= and restrict= only apply to `user` networking".into(),
                    ))
                }
                _ => {
                    return Err(err(format!(
                        "unknown option {key:?}: known options are hostfwd= and restrict= (user only) and mac="
                    )))
                }
            }
        }
        Ok(NetConfig { backend, mac })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_with_forwards_and_mac() {
        let c: NetConfig = "user,hostfwd=tcp::8080-:80,hostfwd=tcp:0.0.0.0:2222-10.0.2.15:22,restrict=on,mac=52:54:00:00:00:01"
            .parse()
            .unwrap();

        let BackendConfig::User(user) = &c.backend else {
            panic!("not user: {c:?}")
        };
        assert_eq!(
            user.host_forwards,
            vec![
                HostForward {
                    host: "127.0.0.1:8080".parse().unwrap(),
                    guest_port: 80
                },
                HostForward {
                    host: "0.0.0.0:2222".parse().unwrap(),
                    guest_port: 22
                },
            ]
        );
        assert_eq!(c.mac, Some(MacAddr([0x52, 0x54, 0, 0, 0, 1])));
        assert!(user.restrict);
    }

    #[test]
    fn tap() {
        let c: NetConfig = "tap=tap0".parse().unwrap();

        assert_eq!(
            c.backend,
            BackendConfig::Tap {
                ifname: "tap0".into()
            }
        );
        assert_eq!(c.mac, None);
    }

    #[test]
    fn bad_values_say_what_to_do() {
        for bad in [
            "",
            "slirp",
            "user,hostfwd=udp::53-:53",
            "user,hostfwd=tcp::0-:80",
            "user,hostfwd=tcp::80-10.0.2.16:80",
            "user,hostfwd=tcp::80",
            "user,hostfwd=tcp::80-:80,hostfwd=tcp::80-:81",
            "user,mac=zz",
            "user,bogus=1",
            "user,mac",
            "user,restrict=maybe",
            "tap=tap0,restrict=on",
            "tap=",
            "tap=a/b",
            "tap=waytoolonginterfacename",
            "tap=tap0,hostfwd=tcp::1-:1",
        ] {
            let e = bad.parse::<NetConfig>().unwrap_err().to_string();
            assert!(e.starts_with("--net "), "{bad:?}: {e}");
        }
    }
}
