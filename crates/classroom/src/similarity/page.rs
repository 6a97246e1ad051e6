//! `similarity.html` and `similarity.csv`.
//!
//! The page opens with what an instructor needs first: that nothing here
//! changes a grade, the clusters, the top pairs and the students sharing
//! rare wrong behaviour; then each top pair side by side, shared fragments
//! marked and linked. Every name and every line of code comes from a
//! submission, and is escaped.

use super::winnow::{K, W};
use super::{Analysis, Pair, Source};
use crate::report::html::{esc, page};
use crate::show;
use std::fmt::Write;

pub const HTML: &str = "similarity.html";
pub const CSV: &str = "similarity.csv";

/// The most pairs shown side by side.
const SIDE_BY_SIDE: usize = 30;
/// The most pairs in the table of top pairs; the CSV has them all.
const TABLE: usize = 200;
/// The most fragments listed for one pair.
const FRAGMENTS: usize = 12;

const STYLE: &str = "
p.notice { background: #fff8c5; border: 1px solid #d4a72c; padding: .6em .8em; }
.sides { display: grid; grid-template-columns: 1fr 1fr; gap: 1em; }
.sides pre { font-size: 12px; line-height: 1.35; padding: .3em; }
.sides pre > span { display: block; }
.sides pre span.shared { background: #ffebe9; }
.sides pre span.shared a { color: #cf222e; }
.sides h4 { margin: .4em 0 0; font-size: .95em; }
";

fn percent(share: f64) -> String {
    format!("{:.0}%", share * 100.0)
}

fn who(source: &Source) -> String {
    let known = if source.known {
        " <span class=\"muted\">(known source)</span>"
    } else {
        ""
    };
    format!("{}{known}", esc(&source.label()))
}

/// The pairs shown at the top: those at or above the threshold, or when
/// there are none, the few highest for context.
fn top(analysis: &Analysis) -> (Vec<&Pair>, bool) {
    let above: Vec<&Pair> = analysis
        .pairs
        .iter()
        .filter(|p| p.score >= analysis.settings.threshold)
        .collect();
    if above.is_empty() {
        (analysis.pairs.iter().take(5).collect(), false)
    } else {
        (above, true)
    }
}

pub fn html(analysis: &Analysis) -> String {
    let s = &analysis.settings;
    let sources = &analysis.sources;
    let class = sources.iter().filter(|x| !x.known).count();
    let known: Vec<String> = sources
        .iter()
        .filter(|x| x.known)
        .map(|x| esc(&x.label()))
        .collect();
    let mut body = String::from("<h1>Socket lab: code similarity</h1>\n");
    body.push_str(
        "<p class=\"notice\"><strong>Nothing here changes a grade.</strong> Similarity is evidence to read, not a verdict: \
         two students may share code for good reasons (a tutorial, the lecture's example, working together as allowed). \
         Read the shared fragments before you conclude anything.</p>\n",
    );
    let _ = writeln!(
        body,
        "<p id=\"settings\">{class} students compared, task by task{}. Code the starter hands out is left out, and so is code that more than {} of the students who handed a task in (and more than {}) share. \
         A pair is listed from {} and shown side by side from {} (shared fingerprints over the average of both counts). \
         Any shared run of {} tokens or more is found (k-grams of {K} tokens, windows of {W}). <a href=\"{CSV}\">{CSV}</a> lists every pair from {}.</p>",
        if known.is_empty() { String::new() } else { format!(", and with {}", known.join(", ")) },
        percent(s.common_share),
        s.common_min,
        percent(s.floor),
        percent(s.threshold),
        W + K - 1,
        percent(s.floor),
    );

    body.push_str("<h2>Clusters</h2>\n");
    if analysis.clusters.is_empty() {
        body.push_str("<p>No students are joined by a pair at or above the threshold.</p>\n");
    } else {
        body.push_str("<ol id=\"clusters\">\n");
        for cluster in &analysis.clusters {
            let members: Vec<String> = cluster.iter().map(|&i| who(&sources[i])).collect();
            let mut tasks: Vec<&str> = analysis
                .pairs
                .iter()
                .filter(|p| p.score >= s.threshold && cluster.contains(&p.a))
                .map(|p| p.task.as_str())
                .collect();
            tasks.sort();
            tasks.dedup();
            let _ = writeln!(
                body,
                "<li>{} <span class=\"muted\">({})</span></li>",
                members.join(", "),
                esc(&tasks.join(", "))
            );
        }
        body.push_str("</ol>\n");
    }

    let (top, above) = top(analysis);
    body.push_str("<h2>Top pairs</h2>\n");
    if !above {
        let _ = writeln!(
            body,
            "<p>No pair reaches the threshold ({}).{}</p>",
            percent(s.threshold),
            if top.is_empty() {
                ""
            } else {
                " The highest pairs, for context:"
            }
        );
    }
    if !top.is_empty() {
        body.push_str("<table id=\"pairs\">\n<thead><tr><th>task</th><th>student</th><th>student</th><th class=\"num\">score</th>\
             <th class=\"num\">first in second</th><th class=\"num\">second in first</th><th class=\"num\">shared fingerprints</th>\
             <th class=\"num\">longest fragment</th><th></th></tr></thead>\n<tbody>\n");
        for (n, pair) in top.iter().take(TABLE).enumerate() {
            let (tokens, lines) = pair.longest();
            let link = if above && n < SIDE_BY_SIDE {
                format!("<a href=\"#pair-{n}\">side by side</a>")
            } else {
                String::new()
            };
            let _ = writeln!(
                body,
                "<tr><td>{}</td><td>{}</td><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td>\
                 <td class=\"num\">{}</td><td class=\"num\">{tokens} tokens, {lines} lines</td><td>{link}</td></tr>",
                esc(&pair.task),
                who(&sources[pair.a]),
                who(&sources[pair.b]),
                percent(pair.score),
                percent(pair.share_a),
                percent(pair.share_b),
                pair.shared,
            );
        }
        body.push_str("</tbody>\n</table>\n");
        if top.len() > TABLE {
            let _ = writeln!(body, "<p>And {} more pairs at or above the threshold: see <a href=\"{CSV}\">{CSV}</a>.</p>", top.len() - TABLE);
        }
    }

    body.push_str("<h2>Over all tasks</h2>\n");
    if analysis.overall.is_empty() {
        body.push_str("<p>No pair shares enough over all tasks to list.</p>\n");
    } else {
        body.push_str("<table id=\"overall\">\n<thead><tr><th>student</th><th>student</th><th class=\"num\">score</th><th class=\"num\">shared fingerprints</th></tr></thead>\n<tbody>\n");
        for pair in analysis.overall.iter().take(20) {
            let _ = writeln!(
                body,
                "<tr><td>{}</td><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
                who(&sources[pair.a]),
                who(&sources[pair.b]),
                percent(pair.score),
                pair.shared
            );
        }
        body.push_str("</tbody>\n</table>\n");
    }

    body.push_str(&behaviour(analysis));

    if above {
        body.push_str("<h2>Side by side</h2>\n");
        for (n, pair) in top.iter().take(SIDE_BY_SIDE).enumerate() {
            body.push_str(&side_by_side(analysis, pair, n));
        }
    }
    let _ = writeln!(body, "<style>{STYLE}</style>");
    page("Socket lab: code similarity", &body)
}

fn behaviour(analysis: &Analysis) -> String {
    let mut out = String::from("<h2>Shared rare wrong behaviour</h2>\n");
    if analysis.behaviour.is_empty() {
        out.push_str("<p>No two students fail a check in the same rare way.</p>\n");
        return out;
    }
    out.push_str("<p>Students whose programs fail the same checks with the same wrong output (addresses, ports and timings masked), where few others in the class fail that way. Independent students rarely break alike.</p>\n<ol id=\"behaviour\">\n");
    for group in &analysis.behaviour {
        let members: Vec<String> = group
            .members
            .iter()
            .map(|&i| who(&analysis.sources[i]))
            .collect();
        let _ = writeln!(out, "<li>{}<ul>", members.join(", "));
        for evidence in &group.evidence {
            let _ = writeln!(
                out,
                "<li><code>{}</code> {} <span class=\"muted\">({} in the class fail this way)</span><pre>{}</pre></li>",
                esc(&evidence.check),
                esc(&evidence.title),
                evidence.holders,
                esc(&evidence.output)
            );
        }
        out.push_str("</ul></li>\n");
    }
    out.push_str("</ol>\n");
    out
}

fn side_by_side(analysis: &Analysis, pair: &Pair, n: usize) -> String {
    let (a, b) = (&analysis.sources[pair.a], &analysis.sources[pair.b]);
    let mut out = format!(
        "<section id=\"pair-{n}\">\n<h3>{}: {} and {}, {}</h3>\n",
        esc(&pair.task),
        esc(&a.label()),
        esc(&b.label()),
        percent(pair.score)
    );
    let fragments = &pair.fragments[..pair.fragments.len().min(FRAGMENTS)];
    out.push_str("<ol class=\"fragments\">\n");
    for (m, f) in fragments.iter().enumerate() {
        let _ = writeln!(
            out,
            "<li>{} tokens: <a href=\"#p{n}-f{m}-a\">{} lines {}–{}</a> ↔ <a href=\"#p{n}-f{m}-b\">{} lines {}–{}</a></li>",
            f.tokens(),
            esc(&a.files(&pair.task)[f.file_a].path),
            f.lines_a.0,
            f.lines_a.1,
            esc(&b.files(&pair.task)[f.file_b].path),
            f.lines_b.0,
            f.lines_b.1
        );
    }
    out.push_str("</ol>\n<div class=\"sides\">\n");
    for (side, source) in [("a", a), ("b", b)] {
        let other = if side == "a" { "b" } else { "a" };
        out.push_str("<div>\n");
        for (number, file) in source.files(&pair.task).iter().enumerate() {
            // Each line: the fragment it belongs to, if any.
            let marks: Vec<(usize, (u32, u32))> = fragments
                .iter()
                .enumerate()
                .filter(|(_, f)| {
                    if side == "a" {
                        f.file_a == number
                    } else {
                        f.file_b == number
                    }
                })
                .map(|(m, f)| (m, if side == "a" { f.lines_a } else { f.lines_b }))
                .collect();
            if marks.is_empty() {
                continue;
            }
            let _ = write!(out, "<h4>{}</h4><pre>", esc(&file.path));
            for (at, line) in file.text.lines().enumerate() {
                let line_no = at as u32 + 1;
                let text = esc(&line.replace('\t', "    "));
                let own = marks
                    .iter()
                    .find(|(_, (from, to))| (*from..=*to).contains(&line_no));
                // Anchors of the other fragments that start on this line.
                for (m, _) in marks
                    .iter()
                    .filter(|(m, (from, _))| *from == line_no && own.is_none_or(|o| o.0 != *m))
                {
                    let _ = write!(out, "<a id=\"p{n}-f{m}-{side}\"></a>");
                }
                match own {
                    Some((m, (from, _))) => {
                        let id = if *from == line_no {
                            format!(" id=\"p{n}-f{m}-{side}\"")
                        } else {
                            String::new()
                        };
                        let _ = write!(out, "<span class=\"shared\"{id}><a href=\"#p{n}-f{m}-{other}\">{line_no:>4}</a> {text}</span>");
                    }
                    None => {
                        let _ = write!(
                            out,
                            "<span><span class=\"muted\">{line_no:>4}</span> {text}</span>"
                        );
                    }
                }
            }
            out.push_str("</pre>\n");
        }
        out.push_str("</div>\n");
    }
    out.push_str("</div>\n</section>\n");
    out
}

/// `similarity.csv`: every pair at or above the floor, task by task, then
/// over all tasks (`task` is `all`). Names are cells, never formulas.
pub fn csv(analysis: &Analysis) -> String {
    let mut writer = ::csv::Writer::from_writer(Vec::new());
    let _ = writer.write_record([
        "task",
        "student_a",
        "name_a",
        "student_b",
        "name_b",
        "score",
        "a_in_b",
        "b_in_a",
        "shared_fingerprints",
        "longest_tokens",
        "longest_lines",
        "above_threshold",
    ]);
    let sources = &analysis.sources;
    let cell = |s: &str| show::cell(s).into_owned();
    let rows = analysis
        .pairs
        .iter()
        .map(|p| {
            let (tokens, lines) = p.longest();
            (
                p.task.clone(),
                p.a,
                p.b,
                p.score,
                Some((p.share_a, p.share_b)),
                p.shared,
                Some((tokens, lines)),
            )
        })
        .chain(
            analysis
                .overall
                .iter()
                .map(|o| ("all".to_string(), o.a, o.b, o.score, None, o.shared, None)),
        );
    for (task, a, b, score, shares, shared, longest) in rows {
        let fixed = |x: f64| format!("{x:.3}");
        let _ = writer.write_record([
            task,
            cell(&sources[a].key),
            cell(&sources[a].name),
            cell(&sources[b].key),
            cell(&sources[b].name),
            fixed(score),
            shares.map_or(String::new(), |s| fixed(s.0)),
            shares.map_or(String::new(), |s| fixed(s.1)),
            shared.to_string(),
            longest.map_or(String::new(), |l| l.0.to_string()),
            longest.map_or(String::new(), |l| l.1.to_string()),
            (score >= analysis.settings.threshold).to_string(),
        ]);
    }
    String::from_utf8(writer.into_inner().unwrap_or_default()).unwrap_or_default()
}
