//! Where the grader's own group is in each controller, from
//! `/proc/self/cgroup` and `/proc/self/mountinfo`: v2 where that group can
//! hand the memory, pids and cpu controllers down, v1 otherwise.

use super::Version;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

/// Where the controllers are for this process: each one's folder of the
/// grader's own group.
pub(super) struct Places {
    pub(super) version: Version,
    pub(super) memory: PathBuf,
    pub(super) pids: PathBuf,
    pub(super) cpu: PathBuf,
}

const CONTROLLERS: [&str; 3] = ["memory", "pids", "cpu"];

/// The grader's own group in each controller: v2 where its group hands
/// the controllers down, v1 otherwise.
pub(super) fn places() -> Result<Places, String> {
    let own = fs::read_to_string("/proc/self/cgroup")
        .map_err(|e| format!("could not read /proc/self/cgroup: {e}"))?;
    let mounts = fs::read_to_string("/proc/self/mountinfo")
        .map_err(|e| format!("could not read /proc/self/mountinfo: {e}"))?;
    let mounts: Vec<Mount> = mounts.lines().filter_map(Mount::parse).collect();
    let v2 = unified(&own, &mounts);
    if let Ok(places) = v2 {
        return Ok(places);
    }
    split(&own, &mounts).map_err(|v1| format!("{}; {v1}", v2.err().unwrap_or_default()))
}

/// One line of `/proc/self/mountinfo`, for cgroup file systems.
struct Mount {
    /// The folder of the hierarchy mounted here.
    root: String,
    point: PathBuf,
    /// `cgroup2`, or `cgroup` with its controllers.
    v2: bool,
    options: Vec<String>,
}

impl Mount {
    fn parse(line: &str) -> Option<Mount> {
        let (left, right) = line.split_once(" - ")?;
        let left: Vec<&str> = left.split(' ').collect();
        let right: Vec<&str> = right.split(' ').collect();
        let kind = *right.first()?;
        if kind != "cgroup" && kind != "cgroup2" {
            return None;
        }
        Some(Mount {
            root: unescape(left.get(3)?),
            point: PathBuf::from(unescape(left.get(4)?)),
            v2: kind == "cgroup2",
            options: right.get(2)?.split(',').map(str::to_string).collect(),
        })
    }

    /// The folder of the group at `path` of this hierarchy, when it is
    /// under what is mounted here.
    fn folder(&self, path: &str) -> Option<PathBuf> {
        let rest = Path::new(path).strip_prefix(&self.root).ok()?;
        Some(self.point.join(rest))
    }
}

/// Mount points with spaces and the like are octal-escaped (`\040`).
fn unescape(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(at) = rest.find('\\') {
        out.push_str(&rest[..at]);
        let code = rest
            .get(at + 1..at + 4)
            .and_then(|o| u8::from_str_radix(o, 8).ok());
        match code {
            Some(byte) => {
                out.push(byte as char);
                rest = &rest[at + 4..];
            }
            None => {
                out.push('\\');
                rest = &rest[at + 1..];
            }
        }
    }
    out.push_str(rest);
    out
}

fn unified(own: &str, mounts: &[Mount]) -> Result<Places, String> {
    let path = own
        .lines()
        .find_map(|l| l.strip_prefix("0::"))
        .ok_or("cgroup v2: the grader is in no unified group")?;
    let dir = mounts
        .iter()
        .filter(|m| m.v2)
        .find_map(|m| m.folder(path))
        .ok_or("cgroup v2: not mounted")?;
    let listed = |file: &str| fs::read_to_string(dir.join(file)).unwrap_or_default();
    let available = listed("cgroup.controllers");
    let lacking: Vec<&str> = CONTROLLERS
        .into_iter()
        .filter(|c| !available.split_whitespace().any(|a| a == *c))
        .collect();
    if !lacking.is_empty() {
        return Err(format!(
            "cgroup v2: the grader's group {} lacks the {} controller{}",
            dir.display(),
            lacking.join(", "),
            if lacking.len() == 1 { "" } else { "s" }
        ));
    }
    let handed_down = listed("cgroup.subtree_control");
    if !CONTROLLERS
        .iter()
        .all(|c| handed_down.split_whitespace().any(|a| a == *c))
    {
        // Refused (EBUSY) while the group holds processes of its own,
        // unless it is the root.
        let file = dir.join("cgroup.subtree_control");
        fs::OpenOptions::new()
            .write(true)
            .open(&file)
            .and_then(|mut f| f.write_all(b"+memory +pids +cpu"))
            .map_err(|e| {
                format!(
                    "cgroup v2: the grader's group does not hand the memory, pids and cpu controllers down ({}: {e})",
                    file.display()
                )
            })?;
    }
    Ok(Places {
        version: Version::V2,
        memory: dir.clone(),
        pids: dir.clone(),
        cpu: dir,
    })
}

fn split(own: &str, mounts: &[Mount]) -> Result<Places, String> {
    let folder = |controller: &str| -> Result<PathBuf, String> {
        let path = own
            .lines()
            .find_map(|line| {
                let mut fields = line.splitn(3, ':');
                let _id = fields.next()?;
                let controllers = fields.next()?;
                let path = fields.next()?;
                controllers
                    .split(',')
                    .any(|c| c == controller)
                    .then_some(path)
            })
            .ok_or(format!("cgroup v1: no {controller} hierarchy"))?;
        let dir = mounts
            .iter()
            .filter(|m| !m.v2 && m.options.iter().any(|o| o == controller))
            .find_map(|m| m.folder(path))
            .ok_or(format!(
                "cgroup v1: the {controller} hierarchy is not mounted"
            ))?;
        Ok(dir)
    };
    Ok(Places {
        version: Version::V1,
        memory: folder("memory")?,
        pids: folder("pids")?,
        cpu: folder("cpu")?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_grader_s_own_group_is_found_from_proc() {
        let mounts: Vec<Mount> = [
            "35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory",
            "39 31 0:36 / /sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids",
            "32 31 0:29 / /sys/fs/cgroup/cpu,cpuacct rw,relatime - cgroup cgroup rw,cpu,cpuacct",
            "41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw",
            "23 1 0:21 / /proc rw - proc proc rw",
        ]
        .iter()
        .filter_map(|l| Mount::parse(l))
        .collect();
        assert_eq!(mounts.len(), 4);
        let own = "9:pids:/\n4:memory:/process_api/abc\n2:cpu,cpuacct:/batch\n0::/\n";
        let places = split(own, &mounts).unwrap();
        assert_eq!(
            places.memory,
            Path::new("/sys/fs/cgroup/memory/process_api/abc")
        );
        assert_eq!(places.pids, Path::new("/sys/fs/cgroup/pids"));
        assert_eq!(places.cpu, Path::new("/sys/fs/cgroup/cpu,cpuacct/batch"));
        let err = split("4:memory:/\n", &mounts).err().unwrap();
        assert_eq!(err, "cgroup v1: no pids hierarchy");
        // A container's view: the hierarchy mounted from its own group.
        let inner =
            Mount::parse("50 40 0:40 /docker/x /sys/fs/cgroup rw - cgroup2 cgroup2 rw").unwrap();
        assert_eq!(
            inner.folder("/docker/x/grading"),
            Some(PathBuf::from("/sys/fs/cgroup/grading"))
        );
        assert_eq!(inner.folder("/elsewhere"), None);
        assert_eq!(unescape(r"/mnt/with\040space"), "/mnt/with space");
    }
}
