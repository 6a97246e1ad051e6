//! The Python wording of the hints of tasks 01 to 04's own checks.

use super::Wording;

pub(super) const TCP: &[Wording] = &[
    (
        "task01.server.closes",
        &[
            "Once the connection line is printed the server is done with that client: close its socket.",
            "Call conn.close() (or serve it in a `with conn:` block) once the line is printed. Don't \
            keep the socket in a list or a variable outside the loop, and don't recv() from it: the \
            grader sends nothing and waits for your close.",
        ],
    ),
    (
        "task01.client.connects",
        &[
            "After connect succeeds, print `Connected to` and the address you reached (sock.getpeername()).",
            "Once socket.create_connection((host, port)) has returned, sock.getpeername() is the \
            address reached: print it as `host:port` (an IPv6 host in brackets) after `Connected to ` \
            and return normally, so the exit status is 0.",
        ],
    ),
    (
        "task02.server.greeting_default",
        &[
            "Send the greeting followed by \\n with sendall(), then close the socket: the client reads until you close.",
            "For each accepted client, sendall((message + \"\\n\").encode()) in one call and close the \
            socket, so the client's recv() returns b''. Don't recv() from the client first (the \
            grader sends nothing), and check that the --message default is exactly `Thank you for connecting`.",
        ],
    ),
    (
        "task02.server.greeting_custom",
        &[
            "Send the message's bytes as given: no strip(), no other encoding than UTF-8.",
            "Send args.message.encode() (UTF-8, Python's default) followed by b\"\\n\": no strip(), \
            and no encode(\"ascii\", \"ignore\") or latin-1, which lose or change every non-ASCII character.",
        ],
    ),
    (
        "task02.client.greeting",
        &[
            "Print exactly `Received from server: ` followed by the greeting without its line ending.",
            "Collect every byte the server sends, decode once (decode(\"utf-8\", \"replace\")), remove \
            only the final \"\\n\" (removesuffix, not strip()) and print the rest right after \
            `Received from server: ` (one space after the colon). Then return normally so the exit status is 0.",
        ],
    ),
    (
        "task02.client.fragments",
        &[
            "One recv() returns what has arrived so far. Keep calling it until it returns b'' (the server closed).",
            "Replace the single recv(1024) with a loop: chunk = sock.recv(4096); stop when chunk == \
            b'', else add it to a bytearray or a list. Print once, after the loop: a \
            `Received from server:` line per recv() is just as wrong.",
        ],
    ),
    (
        "task02.client.long_greeting",
        &[
            "recv(1024) called once loses the rest: receive until the server closes.",
            "recv(1024) returns at most 1024 bytes: call recv() in a loop and join the pieces \
            (b\"\".join(parts)) until it returns b''. Decode to text only once the server has closed.",
        ],
    ),
    (
        "task02.client.keeps_spaces",
        &[
            "Remove the trailing \\n and nothing else: strip() would eat the spaces the server sent.",
            "strip() and rstrip() with no argument remove every kind of whitespace; use \
            text.removesuffix(\"\\n\") (or rstrip(\"\\r\\n\"), which removes only those two \
            characters), so the spaces at both ends survive.",
        ],
    ),
    (
        "task02.client.crlf",
        &[
            "A server may end its line with \\r\\n: remove a \\r left before the \\n as well.",
            "text.rstrip(\"\\r\\n\") removes both, whichever order they come in; or removesuffix(\"\\n\") \
            first and then removesuffix(\"\\r\"). Removing \"\\r\" first finds nothing, because the \
            text still ends in \"\\n\" at that point.",
        ],
    ),
    (
        "task03.server.echo_text",
        &[
            "Call recv() in a loop and sendall() back what each call returned; when recv() returns b'' the client is done: close.",
            "Loop: data = conn.recv(65536); if not data, leave the loop and close the socket; \
            otherwise conn.sendall(data). Staying in the loop after b'' leaves the grader waiting for your close.",
        ],
    ),
    (
        "task03.server.echo_utf8",
        &[
            "Echo bytes, not characters: one recv() may end in the middle of a multi-byte character.",
            "Send back the bytes recv() returned, as they are: no decode() and encode() on the way. \
            Decoding each recv() on its own fails (UnicodeDecodeError) or, with errors=\"replace\", \
            turns a character split between two calls into U+FFFD replacement characters.",
        ],
    ),
    (
        "task03.server.echo_binary",
        &[
            "Don't decode the data (it is not text): send back the bytes recv() returned.",
            "Keep the data as bytes: decode() raises UnicodeDecodeError on these bytes, and \
            makefile() in text mode or readline() insist on lines. A NUL byte is ordinary data, not \
            an end marker: stop only when recv() returns b''.",
        ],
    ),
    (
        "task03.server.echo_1mib",
        &[
            "One recv() returns at most what you ask for: loop until it returns b'', sending back every chunk with sendall().",
            "The grader sends 1 MiB while reading the echo, so echo each chunk as it arrives: \
            recv(65536), then sendall() exactly those bytes, and repeat until b''; send() may take \
            only part of a chunk and returns how much. Collecting everything before sending back works too, as long as recv() is looped.",
        ],
    ),
    (
        "task03.server.echo_pieces",
        &[
            "A message sent in pieces arrives in several recv() calls. Keep receiving until the client's half-close (recv() returns b'').",
            "Don't stop after the first recv(1024) or at the first b'\\n': the pieces come 20 ms \
            apart and each recv() returns only what has arrived so far. The only normal way out of \
            the loop is recv() returning b'', which happens after the grader's shutdown(SHUT_WR).",
        ],
    ),
    (
        "task03.server.survives_reset",
        &[
            "An error with one client (ConnectionResetError) must end that client only: report it and go back to accept().",
            "Put the per-client recv/sendall loop in its own function, and call it inside try/except \
            OSError in the accept loop (ConnectionResetError and BrokenPipeError are OSErrors): print \
            the error on stderr and go back to accept(). An exception that leaves the accept loop ends the server.",
        ],
    ),
    (
        "task03.server.reports_client_error",
        &[
            "When echoing to one client fails, print the error to stderr on a line starting with `error:` before accepting the next client; don't swallow it.",
            "The grader sends a lot without reading the echo and resets the connection, so your \
            recv() or sendall() raises ConnectionResetError or BrokenPipeError. Catch it in the accept \
            loop: except OSError as e: print(f\"error: lost {addr}: {e}\", file=sys.stderr). A bare \
            `except: pass`, or a loop that treats the error like b'', throws it away.",
        ],
    ),
    (
        "task03.client.echo",
        &[
            "After sending, call sock.shutdown(socket.SHUT_WR): that is how the server learns the message is complete. Then receive until it closes.",
            "sendall(message.encode()) with no newline added (the grader compares byte for byte), then \
            sock.shutdown(socket.SHUT_WR) on that same socket, which stays readable. Then recv() in a \
            loop until b'', print `Received from server: ` and the text, and exit 0; close() or \
            SHUT_RDWR would end the reading side as well.",
        ],
    ),
    (
        "task03.client.echo_pieces",
        &[
            "One recv() is not the whole echo: receive until the server closes (recv() returns b'').",
            "After the half-close, call recv() in a loop and join the pieces until it returns b'', and \
            only then print and compare: the echo comes back in four pieces and the server closes \
            after the last. Printing or comparing after the first recv(1024) sees a fragment.",
        ],
    ),
    (
        "task03.client.mismatch",
        &[
            "Compare the echo with what you sent; if they differ print `error: echo mismatch …` to stderr and exit with status 1.",
            "Compare the received bytes with message.encode() exactly (no strip()) and, when they \
            differ, print a line starting with `error: echo mismatch` with file=sys.stderr and call \
            sys.exit(1). An `assert` raises AssertionError: a traceback, not the `error:` line.",
        ],
    ),
    (
        "task03.pair.echo",
        &[
            "Run both in two terminals and compare what each prints.",
            "Your client's shutdown(SHUT_WR) is what makes your server's recv() return b'', and your \
            server closing the socket after that is what ends your client's receive loop: if the \
            pair hangs, one of those two steps is missing. The grader's message has spaces in it and \
            must come back in `Received from server: …`, with exit status 0.",
        ],
    ),
    (
        "task04.server.line_echo",
        &[
            "Read whole lines (conn.makefile(\"rb\") and readline() help), and reply with the line's text as it came, spaces included, and a newline.",
            "reader = conn.makefile(\"rb\"), then loop: line = reader.readline(); b'' means the client \
            is gone; otherwise sendall() the line (with its b\"\\n\") at once, not at the end. An empty \
            line is answered with a bare newline. A single recv(1024) is not a line: it may hold half of one, or two.",
        ],
    ),
    (
        "task04.server.bye",
        &[
            "Compare the line without its line ending to \"BYE\"; after replying, close that client's socket.",
            "Strip only the line ending (line.rstrip(b\"\\r\\n\")), compare with b\"BYE\", sendall() the \
            reply, then leave the read loop and close the socket and its makefile() reader: an open \
            reader, or the socket kept in a shared list, holds the connection open.",
        ],
    ),
    (
        "task04.server.bye_exact",
        &[
            "Compare the line, without its line ending, to \"BYE\" exactly: no strip(), no lower().",
            "Remove only the line ending (line.rstrip(b\"\\r\\n\")) and test what is left with == \
            b\"BYE\". strip(), upper() or lower() make ` BYE`, `BYE ` or `bye` end the connection, yet \
            those are ordinary lines: the grader sends them one after another on one connection and \
            expects each echoed, the connection still open.",
        ],
    ),
    (
        "task04.server.bye_crlf",
        &[
            "A line may end in \\r\\n: remove the \\r as well as the \\n before comparing with \"BYE\".",
            "line.rstrip(b\"\\r\\n\") removes both; rstrip(b\"\\n\") alone leaves `BYE\\r`, which is \
            echoed like any line while the connection stays open. The grader sends `BYE\\r\\n` and waits for the close.",
        ],
    ),
    (
        "task04.server.idle_client",
        &[
            "Give each accepted connection its own thread (threading.Thread(target=serve, args=(conn, addr), daemon=True).start()) so accept() is called again at once.",
            "The accept loop should only accept, print the connection line and start a thread that \
            runs the per-client loop. Don't join() that thread there, and don't hold a Lock shared by \
            all clients while a thread waits in readline(): either one puts the second client behind the first.",
        ],
    ),
    (
        "task04.server.reverse_order",
        &[
            "Clients are independent: the second may speak before the first. One thread per client handles that.",
            "Each client's thread should wait only in readline() (or recv()) on its own socket. A \
            design where the accept loop, or a single thread, reads the clients in turn sits waiting \
            on client 1 while client 2 talks; start each thread right after accept(), before anything reads.",
        ],
    ),
    (
        "task04.server.concurrent_100",
        &[
            "Every connected client needs its own thread (a pool needs a worker per client), and each thread must use only its own client's socket.",
            "Pass each accepted socket to its own thread (args=(conn,)) and let that thread read from \
            and write to that socket only: no shared list of sockets, no reply to `the latest \
            client`, no global Lock held while reading. A ThreadPoolExecutor passes only with \
            max_workers of 100 or more; socketserver.ThreadingTCPServer starts a thread per client.",
        ],
    ),
    (
        "task04.server.broken_client",
        &[
            "An error in one client's thread must end that thread quietly (print it), never the whole server.",
            "Wrap the body of each client's thread in try/except OSError and print the error on \
            stderr (a reset shows up as ConnectionResetError from readline() or BrokenPipeError from \
            sendall()). Nothing a client thread does on error may reach the whole process: no \
            os._exit or sys.exit for the process, no Lock left held.",
        ],
    ),
    (
        "task04.server.reports_client_error",
        &[
            "When a client's thread ends with an error, print it to stderr on a line starting with `error:`; don't let the thread swallow it.",
            "The grader sends many lines without reading the replies and resets the connection, so \
            the thread's readline() or sendall() raises ConnectionResetError or BrokenPipeError. \
            Catch it in the thread: except OSError as e: print(f\"error: lost {addr}: {e}\", \
            file=sys.stderr). A bare `except: pass` stops at the error without a word.",
        ],
    ),
    (
        "task04.server.invalid_utf8",
        &[
            "Bytes that are not UTF-8 make decode() raise: end that client's thread (or echo the bytes undecoded), and let the others go on.",
            "line.decode() raises UnicodeDecodeError for these bytes, and a makefile() in text mode \
            raises it from readline(): catch it and end that client's thread, or keep the line as \
            bytes (makefile(\"rb\")) and echo it back as it came. Either way the error must stay in \
            that one thread; an uncaught one prints a traceback.",
        ],
    ),
    (
        "task04.server.thread_per_client",
        &[
            "Start the thread when you accept, and let it return when its client says BYE or hangs up.",
            "The grader counts the server's threads with 10 clients connected and again after they \
            leave. Start one threading.Thread per accepted socket, and make its function return on \
            BYE, on readline() returning b'' and on an OSError, so the thread ends with its client.",
        ],
    ),
    (
        "task04.server.long_line",
        &[
            "A line can be longer than one recv(): collect bytes until the newline (makefile() and readline() do).",
            "conn.makefile(\"rb\").readline() keeps reading until it finds b\"\\n\", however long the \
            line; a single recv(1024) returns only part of it. Send the 64 KiB reply with sendall(), \
            because send() may take only part of it.",
        ],
    ),
    (
        "task04.server.bye_only_own",
        &[
            "BYE ends that client's thread only; the accept loop and other threads go on.",
            "After answering BYE, return from that client's function and nothing more: no sys.exit or \
            os._exit, no shared `running` flag or Event that stops the accept loop or the other \
            threads, no close of a socket anyone else uses.",
        ],
    ),
    (
        "task04.client.lines",
        &[
            "For every line of stdin: send it with a newline, read one reply line, print `Received from server: <reply>`. At end of input send BYE yourself.",
            "Loop `for line in sys.stdin:` and make one reader = sock.makefile(\"rb\") before the loop; \
            for each line, sendall() it with its newline, reader.readline() one reply, remove only \
            its line ending and print it. When the loop ends, do the same for BYE, then read until \
            the server closes and return normally; the input has trailing spaces, so no strip().",
        ],
    ),
    (
        "task04.client.bye_typed",
        &[
            "After sending BYE, stop reading stdin: wait for the server's BYE and its close, then exit.",
            "Test each input line after its reply is printed: if it was `BYE`, break out of the stdin \
            loop instead of asking for another line, because the grader leaves stdin open and the \
            next readline() would wait for ever. Don't sys.stdin.read() everything up front; after \
            the break, receive until b'' and exit 0.",
        ],
    ),
    (
        "task04.client.slow_replies",
        &[
            "Wait for the reply with a blocking read; don't give up or move on because it hasn't arrived yet.",
            "After sending a line, call readline() on the socket's makefile() and let it wait until \
            the whole reply is there: no settimeout() or setblocking(False), and no treating \
            socket.timeout or an empty read as `no reply`. One reply per line sent, printed in \
            order; the grader waits 100 ms before each.",
        ],
    ),
    (
        "task04.client.long_reply",
        &[
            "A reply can be longer than one recv(): collect bytes up to the newline before printing (makefile() and readline() do).",
            "recv(1024) returns what has arrived so far, not one line, and the grader sends its 64 KiB \
            reply in pieces. Make one reader = sock.makefile(\"rb\") before the loop and call \
            reader.readline() for each reply: it keeps reading until the newline. Print the reply once it is whole.",
        ],
    ),
    (
        "task04.client.waits_for_close",
        &[
            "Printing the server's BYE is not the end: keep reading until the server closes the connection (recv() returns b''), then exit.",
            "The contract has the client wait for the server's close after its BYE, so it knows the \
            conversation ended cleanly. After printing the BYE reply, read from the same reader (or \
            recv()) until it returns b'' and only then return. The grader keeps the connection open \
            for a moment after its BYE and fails a client that has already exited.",
        ],
    ),
    (
        "task04.pair.chat",
        &[
            "Run both in two terminals and type a few lines, then BYE.",
            "The grader gives your client one line and then closes its stdin, so the client must turn \
            end of input into a BYE it sends itself, and your server must answer it and close that \
            connection so the client's last read returns b''. To reproduce it, type a line and press \
            Ctrl-D rather than typing BYE; whichever side is still running is the one to fix.",
        ],
    ),
];
