//! The line protocol of task 04, from the grader's side: a line out, the
//! same line back, `BYE` to leave. [`LineReader`] frames the reads (a line
//! may arrive in pieces, or two in one read); [`LineConn`] is one
//! connection speaking the protocol, used by the checks, the load
//! generator and the task's own tests alike.
//!
//! A timeout is told apart from a closed connection by the read's
//! `io::ErrorKind`, never by an error message's text.

use super::{arm_read, is_timeout, read_to_end, write_all, End, Received};
use crate::time::Deadline;
use std::io::{self, Read};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

/// A socket read line by line, each line with a deadline.
pub struct LineReader {
    stream: TcpStream,
    pending: Vec<u8>,
}

impl LineReader {
    pub fn new(stream: TcpStream) -> Self {
        LineReader {
            stream,
            pending: Vec::new(),
        }
    }

    pub fn stream(&self) -> &TcpStream {
        &self.stream
    }

    /// The next line, its `\n` included; on a short read, `Err` with what
    /// came of the line and how the read ended. After a timeout what came
    /// is kept, so a wait may go on where it left off.
    pub fn read_line(&mut self, cap: usize, deadline: Deadline) -> Result<Vec<u8>, Received> {
        let mut buffer = [0u8; 16 * 1024];
        loop {
            if let Some(at) = self.pending.iter().position(|&b| b == b'\n') {
                let rest = self.pending.split_off(at + 1);
                return Ok(std::mem::replace(&mut self.pending, rest));
            }
            if self.pending.len() > cap {
                return Err(self.take(End::Capped));
            }
            match arm_read(&self.stream, deadline) {
                Ok(true) => {}
                Ok(false) => return Err(self.so_far()),
                Err(e) => return Err(self.take(End::Failed(e))),
            }
            match (&self.stream).read(&mut buffer) {
                Ok(0) => return Err(self.take(End::Eof)),
                Ok(n) => self.pending.extend_from_slice(&buffer[..n]),
                Err(e) if is_timeout(&e) => return Err(self.so_far()),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(self.take(End::Failed(e))),
            }
        }
    }

    /// After the last expected line: waits for the peer to close.
    pub fn read_to_end(&mut self, cap: usize, deadline: Deadline) -> Received {
        let mut rest = read_to_end(&self.stream, cap, deadline);
        let mut bytes = std::mem::take(&mut self.pending);
        bytes.append(&mut rest.bytes);
        Received {
            bytes,
            end: rest.end,
        }
    }

    fn so_far(&self) -> Received {
        Received {
            bytes: self.pending.clone(),
            end: End::Timeout,
        }
    }

    fn take(&mut self, end: End) -> Received {
        Received {
            bytes: std::mem::take(&mut self.pending),
            end,
        }
    }
}

/// One connection of the line protocol.
pub struct LineConn {
    reader: LineReader,
    /// The longest line read, in bytes.
    cap: usize,
}

/// Why an exchange did not get its line back.
#[derive(Debug)]
pub enum LineError {
    /// The line could not be sent.
    Unsent(io::Error),
    /// A reply came, but not the line sent: the reply, its ending included.
    Wrong(Vec<u8>),
    /// The deadline passed before a whole reply line; what came of it.
    Timeout(Vec<u8>),
    /// The connection ended (closed, reset, or more than the cap without a
    /// line ending) before a whole reply line.
    Closed(Received),
}

/// Why `BYE` did not end the conversation as the protocol says.
#[derive(Debug)]
pub enum ByeError {
    /// `BYE` was not answered with `BYE`.
    Reply(LineError),
    /// `BYE` was answered, and the connection stayed open.
    StillOpen,
    /// More came after the answer to `BYE`.
    More(Vec<u8>),
}

impl LineConn {
    /// Lines longer than `cap` bytes are not read whole.
    pub fn new(stream: TcpStream, cap: usize) -> Self {
        LineConn {
            reader: LineReader::new(stream),
            cap,
        }
    }

    /// Connects to `addr` within the deadline.
    pub fn connect(addr: SocketAddr, cap: usize, deadline: Deadline) -> io::Result<Self> {
        Ok(LineConn::new(super::connect(addr, deadline)?, cap))
    }

    pub fn stream(&self) -> &TcpStream {
        self.reader.stream()
    }

    /// Sends `line` and its `\n` in one write.
    pub fn send(&self, line: &[u8], deadline: Deadline) -> io::Result<()> {
        let mut framed = Vec::with_capacity(line.len() + 1);
        framed.extend_from_slice(line);
        framed.push(b'\n');
        write_all(self.stream(), &framed, deadline)
    }

    /// The next line, its ending included.
    pub fn line(&mut self, deadline: Deadline) -> Result<Vec<u8>, Received> {
        self.reader.read_line(self.cap, deadline)
    }

    /// Reads the reply to `sent`: the same text, ended by `\n` or `\r\n`.
    /// Returns the reply, its ending included.
    pub fn reply_to(&mut self, sent: &[u8], deadline: Deadline) -> Result<Vec<u8>, LineError> {
        match self.line(deadline) {
            Ok(reply) => {
                let body = reply.strip_suffix(b"\n").unwrap_or(&reply);
                let body = body.strip_suffix(b"\r").unwrap_or(body);
                if body == sent {
                    Ok(reply)
                } else {
                    Err(LineError::Wrong(reply))
                }
            }
            Err(Received {
                bytes,
                end: End::Timeout,
            }) => Err(LineError::Timeout(bytes)),
            Err(partial) => Err(LineError::Closed(partial)),
        }
    }

    /// Sends `line` and reads its reply, both within the deadline.
    pub fn exchange(&mut self, line: &[u8], deadline: Deadline) -> Result<Vec<u8>, LineError> {
        self.send(line, deadline).map_err(LineError::Unsent)?;
        self.reply_to(line, deadline)
    }

    /// Sends `BYE`, expects `BYE` back and then the connection closed,
    /// each within `within`.
    pub fn say_bye(&mut self, within: Duration) -> Result<(), ByeError> {
        self.send_bye(b"BYE\n", within)?;
        let rest = self.read_to_end(Deadline::after(within));
        closed_after_bye(rest)
    }

    /// Sends `raw`, a `BYE` line with its ending (`BYE\r\n`, say), and
    /// expects `BYE` back within `within`.
    pub fn send_bye(&mut self, raw: &[u8], within: Duration) -> Result<(), ByeError> {
        let deadline = Deadline::after(within);
        write_all(self.stream(), raw, deadline)
            .map_err(|e| ByeError::Reply(LineError::Unsent(e)))?;
        self.reply_to(b"BYE", deadline).map_err(ByeError::Reply)?;
        Ok(())
    }

    /// After the last expected line: waits for the peer to close.
    pub fn read_to_end(&mut self, deadline: Deadline) -> Received {
        self.reader.read_to_end(self.cap, deadline)
    }
}

/// What came after the reply to `BYE`: nothing, then the close.
pub fn closed_after_bye(rest: Received) -> Result<(), ByeError> {
    match rest.end {
        End::Eof | End::Failed(_) if rest.bytes.is_empty() => Ok(()),
        End::Timeout if rest.bytes.is_empty() => Err(ByeError::StillOpen),
        _ => Err(ByeError::More(rest.bytes)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::peer::tests::{pair, soon};
    use crate::peer::write_in_pieces;

    #[test]
    fn lines_are_reassembled_from_pieces() {
        let (client, server) = pair();
        write_in_pieces(&server, b"hello\nwor", 3, Duration::from_millis(5), soon()).unwrap();
        let mut reader = LineReader::new(client);
        assert_eq!(reader.read_line(100, soon()).unwrap(), b"hello\n");
        write_all(&server, b"ld\n", soon()).unwrap();
        assert_eq!(reader.read_line(100, soon()).unwrap(), b"world\n");
        drop(server);
        let rest = reader.read_line(100, soon()).unwrap_err();
        assert!(matches!(rest.end, End::Eof));
    }

    #[test]
    fn an_exchange_tells_a_wrong_reply_a_timeout_and_a_close_apart() {
        let (client, server) = pair();
        let mut conn = LineConn::new(client, 100);
        let mut echo = LineConn::new(server, 100);
        write_all(echo.stream(), b"hi\r\n", soon()).unwrap();
        assert_eq!(conn.exchange(b"hi", soon()).unwrap(), b"hi\r\n");
        assert_eq!(echo.line(soon()).unwrap(), b"hi\n");
        write_all(echo.stream(), b"ho\n", soon()).unwrap();
        assert!(matches!(conn.exchange(b"hi", soon()), Err(LineError::Wrong(r)) if r == b"ho\n"));
        let brief = Deadline::after(Duration::from_millis(50));
        assert!(matches!(
            conn.reply_to(b"x", brief),
            Err(LineError::Timeout(_))
        ));
        assert_eq!(echo.line(soon()).unwrap(), b"hi\n");
        let echoer = std::thread::spawn(move || {
            let bye = echo.line(soon()).unwrap();
            write_all(echo.stream(), &bye, soon()).unwrap();
        });
        assert!(conn.say_bye(Duration::from_secs(10)).is_ok());
        echoer.join().unwrap();
    }
}
