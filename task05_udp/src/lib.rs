//! What this task's server and client share.

/// A receive buffer that holds any UDP datagram whole. A datagram's payload
/// is at most 65 507 bytes over IPv4 (65 535 less the IP and UDP headers)
/// and 65 527 over IPv6. `recv_from` never splits a datagram over two
/// calls: whatever does not fit in the buffer is thrown away.
pub const DATAGRAM_BUFFER: usize = 65_536;

/// `host:port` as it is written in an address: an IPv6 literal goes in
/// brackets (`[::1]:5005`), so the port can't be mistaken for part of it.
/// `bind`, `connect` and `to_socket_addrs` accept this string and look up
/// names such as `localhost` on the way.
pub fn address(host: &str, port: u16) -> String {
    if host.contains(':') {
        format!("[{host}]:{port}")
    } else {
        format!("{host}:{port}")
    }
}
