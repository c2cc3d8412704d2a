//! What the server and `live.js` say to each other: where the script and the
//! socket are, and the JSON messages pushed to open pages. The socket's path
//! reaches `live.js` from the server (a `data-socket` attribute on the script
//! tag), so it is written only here.

use serde::Serialize;

use crate::diagnostics::Diagnostic;

/// Where pages connect to.
pub(super) const SOCKET_PATH: &str = "/__handbook/live";
/// Where the injected script is served.
pub(super) const SCRIPT_PATH: &str = "/__handbook/live.js";
/// What open pages must do after a change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub(super) enum Action {
    /// The first message on a connection: reload if `stale`, i.e. the page changed
    /// after the version it was served at (it missed an update while loading, or
    /// the server restarted).
    Hello {
        /// Whether the page is out of date.
        stale: bool,
    },
    /// Only show (or clear) the error overlay.
    Problems,
    /// Reload, keeping the scroll position, if showing one of `pages` (every page
    /// when `None`).
    Reload {
        /// Site paths of the pages that changed.
        pages: Option<Vec<String>>,
    },
    /// Swap the stylesheet `from` for `to` in place, without reloading.
    Stylesheet {
        /// The stylesheet's old site path.
        from: String,
        /// Its new site path.
        to: String,
    },
}

/// One error as the overlay shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(super) struct Problem {
    /// `file:line:col`, or empty for a failure that concerns no file.
    pub location: String,
    /// What is wrong.
    pub message: String,
}

impl From<&Diagnostic> for Problem {
    fn from(diagnostic: &Diagnostic) -> Self {
        Problem {
            location: diagnostic
                .location
                .as_ref()
                .map(ToString::to_string)
                .unwrap_or_default(),
            message: diagnostic.message.clone(),
        }
    }
}

/// A message to the pages, as JSON.
pub(super) fn message(version: u64, problems: &[Problem], action: &Action) -> String {
    #[derive(Serialize)]
    struct Message<'a> {
        version: u64,
        problems: &'a [Problem],
        action: &'a Action,
    }
    serde_json::to_string(&Message {
        version,
        problems,
        action,
    })
    .expect("messages serialise")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_name_the_action_and_carry_the_errors() {
        let problems = [Problem {
            location: "src/a.md:3:1".into(),
            message: "broken link".into(),
        }];
        let text = message(
            7,
            &problems,
            &Action::Reload {
                pages: Some(vec!["a.html".into()]),
            },
        );
        let value: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(value["version"], 7);
        assert_eq!(value["action"]["kind"], "reload");
        assert_eq!(value["action"]["pages"][0], "a.html");
        assert_eq!(value["problems"][0]["location"], "src/a.md:3:1");
    }
}
