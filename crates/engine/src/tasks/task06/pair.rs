//! Task 06's pair checks: the student's client against the student's
//! server, the grader typing on both keyboards.

use super::client::{close_called_error, expect_shown};
use super::talk::{expect_ended, expect_printed, type_line};
use crate::check::{CauseKind, CheckResult, Outcome};
use crate::harness::{expect_success, finish_pair, lines_or_nothing, Ctx, EXIT_WAIT, REPLY_WAIT};
use crate::process::{describe_status, Child, Stream};
use crate::show;
use crate::time::human;
use std::time::Duration;

/// The student's server and client, connected, each with its stdin piped.
fn pair_up(ctx: &mut Ctx) -> Result<(crate::harness::Server, Child), Outcome> {
    let server = ctx.server(&[])?;
    let client = ctx.client("127.0.0.1", server.addr.port(), &[], true)?;
    let deadline = ctx.deadline(REPLY_WAIT);
    server
        .child
        .wait_for_line(Stream::Stdout, deadline, |l| l.contains("Connection from"))
        .map_err(|_| {
            Outcome::fail(format!(
                "your server printed no `Connection from` line within {} of starting your client",
                human(deadline.budget())
            ))
            .actual(lines_or_nothing(&client.output(Stream::Stderr)))
        })?;
    Ok((server, client))
}

fn type_client(ctx: &mut Ctx, client: &mut Child, text: &str) -> CheckResult {
    ctx.note(format!(
        "grader types on the client's stdin: {}",
        show::text(text)
    ));
    client
        .write_stdin(format!("{text}\n").as_bytes())
        .map_err(|e| Outcome::fail(format!("could not type on the client's stdin: {e}")))
}

pub(super) fn pair_chat(ctx: &mut Ctx) -> CheckResult {
    let (server, mut client) = pair_up(ctx)?;
    type_client(ctx, &mut client, "hi, server")?;
    expect_printed(
        ctx,
        &server,
        "hi, server",
        "your server prints what your client sends",
    )?;
    type_line(ctx, &server, "hi, client")?;
    expect_shown(
        ctx,
        &client,
        "hi, client",
        "a line typed in your server must show in your client",
    )?;
    type_client(ctx, &mut client, "BYE")?;
    let done = finish_pair(ctx, &client).map_err(|outcome| {
        // Who failed first: the server's lines say whether it heard the
        // BYE and ended the conversation.
        let heard = heard_bye(ctx, &server);
        let said = server.child.output(Stream::Stdout);
        let whose = if !heard {
            "your server never printed `Client: BYE`: did your client send it, and does your server read on?"
        } else if !said.iter().any(|l| l.contains("Conversation ended")) {
            "your server printed `Client: BYE` but not `Conversation ended`: does it close the connection after the client's BYE?"
        } else {
            "your server printed `Client: BYE` and `Conversation ended`: after its BYE your client must end once the server closes"
        };
        let ran = outcome.message.split(';').next().unwrap_or_default().to_string();
        Outcome {
            message: format!("{ran}; {whose}"),
            ..outcome
        }
    })?;
    expect_success(&done).map_err(|outcome| {
        // Your server printed the client's BYE: the close that followed is
        // the normal end.
        match heard_bye(ctx, &server) {
            true => close_called_error(outcome, &done),
            false => outcome,
        }
    })?;
    expect_printed(ctx, &server, "BYE", "your server prints your client's BYE")?;
    expect_ended(ctx, &server, 1)
}

/// Whether the server printed `Client: BYE`. Asked once the client has
/// ended, which the server's close after that line may cause before the
/// grader has read the line from the server's pipe: it is given a moment.
fn heard_bye(ctx: &Ctx, server: &crate::harness::Server) -> bool {
    server
        .child
        .wait_for_line(Stream::Stdout, ctx.deadline(BYE_LINE_WAIT), |l| {
            l == "Client: BYE"
        })
        .is_ok()
}

/// How long [`heard_bye`] waits for a line the server may still be writing.
const BYE_LINE_WAIT: Duration = Duration::from_secs(1);

pub(super) fn pair_server_ends(ctx: &mut Ctx) -> CheckResult {
    let (server, client) = pair_up(ctx)?;
    type_line(ctx, &server, "closing time")?;
    expect_shown(
        ctx,
        &client,
        "closing time",
        "a line typed in your server must show in your client",
    )?;
    type_line(ctx, &server, "BYE")?;
    let deadline = ctx.deadline(EXIT_WAIT);
    let Some(status) = client.wait(deadline) else {
        // Who failed first: the server that never passed the BYE on, or
        // the client that printed it and went on waiting for its keyboard.
        let printed = client.output(Stream::Stdout);
        let outcome = Outcome::fail(format!(
            "your client was still running {} after your server's operator typed BYE",
            human(deadline.budget())
        ))
        .actual(lines_or_nothing(&printed));
        if !printed.iter().any(|l| l.ends_with("Server: BYE")) {
            return Err(Outcome {
                message: format!(
                    "{}, and it never printed `Server: BYE`: does your server send the typed BYE and close?",
                    outcome.message
                ),
                ..outcome
            });
        }
        return Err(Outcome {
            message: format!(
                "{}: it printed `Server: BYE`, and the BYE must end it without waiting for a keystroke",
                outcome.message
            ),
            ..outcome
        }
        .because(CauseKind::KeyboardHoldsExit, "client", ""));
    };
    if !status.success() {
        return Err(Outcome::fail(format!(
            "your client ended with {} after your server's BYE, not exit status 0",
            describe_status(status)
        ))
        .actual(format!(
            "stderr: {}",
            lines_or_nothing(&client.output(Stream::Stderr))
        )));
    }
    expect_ended(ctx, &server, 1)
}
