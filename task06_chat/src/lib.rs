//! What this task's server and client share.

/// `host:port` as it is written in an address: an IPv6 literal goes in
/// brackets (`[::1]:5006`), so the port can't be mistaken for part of it.
/// Both `connect` and `bind` accept this string and look up names such as
/// `localhost` on the way.
pub fn address(host: &str, port: u16) -> String {
    if host.contains(':') {
        format!("[{host}]:{port}")
    } else {
        format!("{host}:{port}")
    }
}
