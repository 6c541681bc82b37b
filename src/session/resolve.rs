//! From what a person asked for (flags, `deskhand.toml`, `-c`, the environment) to one
//! [`PolicySpec`], checked before any display is touched.

use crate::config::Config;
use crate::policy::{
    AnthropicSpec, AnthropicTool, CompatSpec, ContextSpec, Coords, Grammar, HttpSpec, ModelSpec,
    PolicySpec,
};
use std::path::PathBuf;

/// The policies a command can be asked for (`--policy`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum PolicyKind {
    /// Perform the actions of a JSON script in order (`eval`: each task's solution.json).
    Script,
    /// Anthropic's Messages API: computer_toolset_20260801 for Claude 5 and later (and unknown
    /// models), computer_20251124 / computer_20250124 for older ones (-c anthropic.tool=);
    /// screenshot pixels (key: ANTHROPIC_API_KEY).
    Anthropic,
    /// OpenAI's Responses API with the computer tool; screenshot pixels (key: OPENAI_API_KEY).
    Openai,
    /// Google's Gemini API with the computer-use tool for a desktop, like gemini-3.5-flash;
    /// a 0–999 grid (key: GEMINI_API_KEY or GOOGLE_API_KEY).
    Gemini,
    /// An OpenAI-compatible chat server (vLLM, Ollama, llama.cpp, LM Studio): UI-TARS text
    /// (--coords) or Qwen3-VL <tool_call> JSON on a 1000×1000 grid, by model name or
    /// -c openai_compat.grammar= (key: OPENAI_API_KEY, optional).
    OpenaiCompat,
    /// Answer from a recording: `run` replays a model run's calls (--replay-from); `eval`
    /// performs each task's recorded demo again, re-grounded.
    Replay,
    /// Nobody acts (`eval` only: the untouched start state is scored).
    None,
}

impl PolicyKind {
    /// The name as `--policy` spells it.
    pub fn name(self) -> &'static str {
        match self {
            PolicyKind::Script => "script",
            PolicyKind::Anthropic => "anthropic",
            PolicyKind::Openai => "openai",
            PolicyKind::Gemini => "gemini",
            PolicyKind::OpenaiCompat => "openai-compat",
            PolicyKind::Replay => "replay",
            PolicyKind::None => "none",
        }
    }

    /// Parses a name from the configuration file.
    pub fn parse(name: &str) -> Result<PolicyKind, ResolveError> {
        <PolicyKind as clap::ValueEnum>::from_str(name, true)
            .map_err(|_| ResolveError::UnknownPolicy(name.to_owned()))
    }
}

/// What the command line asked for, before the configuration fills the gaps.
#[derive(Debug, Clone, Default)]
pub struct Choice {
    /// `--policy`.
    pub policy: Option<PolicyKind>,
    /// `--model`.
    pub model: Option<String>,
    /// `--base-url`.
    pub base_url: Option<String>,
    /// `--coords`.
    pub coords: Option<Coords>,
    /// `--script`.
    pub script: Option<PathBuf>,
    /// `--replay-from`.
    pub replay_from: Option<PathBuf>,
}

/// Why the asked-for policy cannot be built.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ResolveError {
    /// A flag the policy needs is missing.
    #[error("--policy {policy} needs {what}")]
    Missing {
        /// The policy.
        policy: &'static str,
        /// What it needs, as a flag with an example.
        what: &'static str,
    },
    /// A file the policy reads is not there.
    #[error("{what} {} does not exist", .path.display())]
    NoFile {
        /// What the file is.
        what: &'static str,
        /// Where it was looked for.
        path: PathBuf,
    },
    /// The configuration names a policy deskhand does not know.
    #[error("unknown policy '{0}' in the configuration")]
    UnknownPolicy(String),
    /// The configuration names a coordinate space deskhand does not know.
    #[error("unknown coords '{0}' in the configuration")]
    UnknownCoords(String),
    /// `anthropic.tool` names a tool deskhand does not know.
    #[error("unknown anthropic.tool '{0}': use toolset, computer_20251124 or computer_20250124")]
    UnknownTool(String),
    /// `openai_compat.grammar` names a grammar deskhand does not know.
    #[error("unknown openai_compat.grammar '{0}': use uitars or qwen3vl")]
    UnknownGrammar(String),
    /// A model policy's settings were asked of a policy that is not a model.
    #[error("--policy {0} is not a model policy")]
    NotAModel(&'static str),
    /// `--policy none` outside `eval`.
    #[error("--policy none only makes sense for deskhand eval (it scores the untouched start)")]
    NoneHere,
}

/// The environment variable a base URL is read from, and the provider's own default.
fn base_url(
    flag: Option<&str>,
    config: Option<&str>,
    var: &str,
    default: Option<&str>,
) -> Option<String> {
    flag.or(config)
        .map(str::to_owned)
        .or_else(|| std::env::var(var).ok().filter(|u| !u.trim().is_empty()))
        .or_else(|| default.map(str::to_owned))
        .map(|u| u.trim_end_matches('/').to_owned())
}

fn http_of(config: &Config) -> HttpSpec {
    let d = HttpSpec::default();
    HttpSpec {
        timeout_ms: config.http.timeout_ms.unwrap_or(d.timeout_ms).max(1),
        attempts: config.http.attempts.unwrap_or(d.attempts).max(1),
    }
}

fn context_of(config: &Config, base: ContextSpec) -> ContextSpec {
    let c = &config.context;
    ContextSpec {
        keep_screenshots: c
            .keep_screenshots
            .map_or(base.keep_screenshots, |k| k.max(1)),
        screenshot_long_edge: c.screenshot_long_edge.unwrap_or(base.screenshot_long_edge),
        older_screenshots_half: c
            .older_screenshots_half
            .unwrap_or(base.older_screenshots_half),
        set_of_marks: c.set_of_marks.unwrap_or(base.set_of_marks),
    }
}

fn coords_of(config: &Config) -> Result<Option<Coords>, ResolveError> {
    config
        .coords
        .as_deref()
        .map(|name| {
            <Coords as clap::ValueEnum>::from_str(name, true)
                .map_err(|_| ResolveError::UnknownCoords(name.to_owned()))
        })
        .transpose()
}

fn tool_of(config: &Config) -> Result<Option<AnthropicTool>, ResolveError> {
    config
        .anthropic
        .tool
        .as_deref()
        .map(|name| {
            <AnthropicTool as clap::ValueEnum>::from_str(name, true)
                .map_err(|_| ResolveError::UnknownTool(name.to_owned()))
        })
        .transpose()
}

fn grammar_of(config: &Config) -> Result<Option<Grammar>, ResolveError> {
    config
        .openai_compat
        .grammar
        .as_deref()
        .map(|name| {
            <Grammar as clap::ValueEnum>::from_str(name, true)
                .map_err(|_| ResolveError::UnknownGrammar(name.to_owned()))
        })
        .transpose()
}

/// The kind asked for: the flag, else the configuration, else `script`.
pub fn kind_of(choice: &Choice, config: &Config) -> Result<PolicyKind, ResolveError> {
    match (choice.policy, &config.policy) {
        (Some(k), _) => Ok(k),
        (None, Some(name)) => PolicyKind::parse(name),
        (None, None) => Ok(PolicyKind::Script),
    }
}

/// The spec of a model policy (`eval` gives it to every task).
pub fn model_spec(
    kind: PolicyKind,
    choice: &Choice,
    config: &Config,
) -> Result<PolicySpec, ResolveError> {
    let name = kind.name();
    let model = || {
        choice
            .model
            .clone()
            .or_else(|| config.model.clone())
            .ok_or(ResolveError::Missing {
                policy: name,
                what: match kind {
                    PolicyKind::Anthropic => "--model NAME (like claude-sonnet-4-5)",
                    PolicyKind::Openai => "--model NAME (like computer-use-preview)",
                    PolicyKind::Gemini => "--model NAME (like gemini-3.5-flash)",
                    _ => "--model NAME (as the server names it)",
                },
            })
    };
    let flag_url = choice.base_url.as_deref();
    let conf_url = config.base_url.as_deref();
    let context = context_of(config, ContextSpec::default());
    Ok(match kind {
        PolicyKind::Anthropic => PolicySpec::Anthropic(AnthropicSpec {
            model: ModelSpec {
                model: model()?,
                base_url: base_url(
                    flag_url,
                    conf_url,
                    "ANTHROPIC_BASE_URL",
                    Some(crate::policy::anthropic::DEFAULT_BASE_URL),
                )
                .unwrap_or_default(),
                http: http_of(config),
                context,
            },
            tool: tool_of(config)?,
        }),
        PolicyKind::Gemini => PolicySpec::Gemini(ModelSpec {
            model: model()?,
            base_url: base_url(
                flag_url,
                conf_url,
                "GEMINI_BASE_URL",
                Some(crate::policy::gemini::DEFAULT_BASE_URL),
            )
            .unwrap_or_default(),
            http: http_of(config),
            context,
        }),
        PolicyKind::Openai => PolicySpec::Openai(ModelSpec {
            model: model()?,
            base_url: base_url(
                flag_url,
                conf_url,
                "OPENAI_BASE_URL",
                Some(crate::policy::openai::DEFAULT_BASE_URL),
            )
            .unwrap_or_default(),
            http: http_of(config),
            context,
        }),
        PolicyKind::OpenaiCompat => {
            let model = model()?;
            let url = base_url(flag_url, conf_url, "OPENAI_BASE_URL", None).ok_or(
                ResolveError::Missing {
                    policy: name,
                    what: "--base-url URL (or OPENAI_BASE_URL), like http://localhost:8000/v1",
                },
            )?;
            let coords = match choice.coords {
                Some(c) => c,
                None => coords_of(config)?.unwrap_or_else(|| Coords::for_model(&model)),
            };
            PolicySpec::OpenaiCompat(CompatSpec {
                model: ModelSpec {
                    model,
                    base_url: url,
                    http: http_of(config),
                    context,
                },
                coords,
                grammar: grammar_of(config)?,
            })
        }
        PolicyKind::Script | PolicyKind::Replay | PolicyKind::None => {
            return Err(ResolveError::NotAModel(name));
        }
    })
}

/// The spec `deskhand run` asked for.
pub fn run_spec(choice: &Choice, config: &Config) -> Result<PolicySpec, ResolveError> {
    let kind = kind_of(choice, config)?;
    match kind {
        PolicyKind::Script => {
            let script = choice.script.clone().ok_or(ResolveError::Missing {
                policy: "script",
                what: "--script FILE",
            })?;
            if !script.is_file() {
                return Err(ResolveError::NoFile {
                    what: "script",
                    path: script,
                });
            }
            Ok(PolicySpec::Script { script })
        }
        PolicyKind::Replay => {
            let from = choice.replay_from.clone().ok_or(ResolveError::Missing {
                policy: "replay",
                what: "--replay-from RUN_DIR",
            })?;
            let calls = from.join(crate::policy::transport::MODEL_CALLS_FILE);
            if !calls.is_file() {
                return Err(ResolveError::NoFile {
                    what: "the recorded model calls",
                    path: calls,
                });
            }
            Ok(PolicySpec::Replay { from })
        }
        PolicyKind::None => Err(ResolveError::NoneHere),
        PolicyKind::Anthropic
        | PolicyKind::Openai
        | PolicyKind::Gemini
        | PolicyKind::OpenaiCompat => model_spec(kind, choice, config),
    }
}

/// A recorded spec with what was given now laid over it (`deskhand resume`): the flags, then
/// the `-c` keys given now. The configuration file is not read again: the recorded spec
/// already holds what it said when the run started.
pub fn overlay(
    mut spec: PolicySpec,
    choice: &Choice,
    overrides: &Config,
) -> Result<PolicySpec, ResolveError> {
    let coords = match choice.coords {
        Some(c) => Some(c),
        None => coords_of(overrides)?,
    };
    if let PolicySpec::OpenaiCompat(c) = &mut spec {
        if let Some(coords) = coords {
            c.coords = coords;
        }
        if let Some(grammar) = grammar_of(overrides)? {
            c.grammar = Some(grammar);
        }
    }
    if let PolicySpec::Anthropic(a) = &mut spec
        && let Some(tool) = tool_of(overrides)?
    {
        a.tool = Some(tool);
    }
    if let Some(m) = spec.model_mut() {
        if let Some(model) = choice.model.clone().or_else(|| overrides.model.clone()) {
            m.model = model;
        }
        if let Some(url) = choice
            .base_url
            .clone()
            .or_else(|| overrides.base_url.clone())
        {
            m.base_url = url.trim_end_matches('/').to_owned();
        }
        if let Some(t) = overrides.http.timeout_ms {
            m.http.timeout_ms = t.max(1);
        }
        if let Some(a) = overrides.http.attempts {
            m.http.attempts = a.max(1);
        }
        m.context = context_of(overrides, m.context);
    }
    Ok(spec)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(keys: &[&str]) -> Config {
        let keys: Vec<String> = keys.iter().map(|s| (*s).to_owned()).collect();
        crate::config::from_overrides(&keys).unwrap()
    }

    #[test]
    fn flags_win_over_the_configuration() {
        let choice = Choice {
            policy: Some(PolicyKind::OpenaiCompat),
            model: Some("UI-TARS-7B".into()),
            base_url: Some("http://127.0.0.1:1/v1/".into()),
            ..Choice::default()
        };
        let cfg = config(&[
            "model=other",
            "coords=pixels",
            "http.attempts=2",
            "context.keep_screenshots=5",
        ]);
        let PolicySpec::OpenaiCompat(c) = run_spec(&choice, &cfg).unwrap() else {
            panic!("not compat");
        };
        assert_eq!(c.model.model, "UI-TARS-7B");
        assert_eq!(c.model.base_url, "http://127.0.0.1:1/v1");
        assert_eq!(c.coords, Coords::Pixels);
        assert_eq!(c.model.http.attempts, 2);
        assert_eq!(c.model.context.keep_screenshots, 5);
    }

    #[test]
    fn the_tool_and_the_grammar_come_from_the_configuration() {
        let anthropic = Choice {
            policy: Some(PolicyKind::Anthropic),
            model: Some("claude-opus-5-5".into()),
            ..Choice::default()
        };
        let PolicySpec::Anthropic(a) = run_spec(&anthropic, &Config::default()).unwrap() else {
            panic!("not anthropic");
        };
        assert_eq!(a.tool, None);
        let PolicySpec::Anthropic(a) =
            run_spec(&anthropic, &config(&["anthropic.tool=computer_20250124"])).unwrap()
        else {
            panic!("not anthropic");
        };
        assert_eq!(a.tool, Some(AnthropicTool::Computer20250124));
        let err = run_spec(&anthropic, &config(&["anthropic.tool=computer"])).unwrap_err();
        assert!(
            err.to_string().contains("use toolset, computer_20251124"),
            "{err}"
        );

        let compat = Choice {
            policy: Some(PolicyKind::OpenaiCompat),
            model: Some("served-model".into()),
            base_url: Some("http://127.0.0.1:1/v1".into()),
            ..Choice::default()
        };
        let PolicySpec::OpenaiCompat(c) =
            run_spec(&compat, &config(&["openai_compat.grammar=qwen3vl"])).unwrap()
        else {
            panic!("not compat");
        };
        assert_eq!(c.grammar, Some(Grammar::Qwen3vl));
        let err = run_spec(&compat, &config(&["openai_compat.grammar=hermes"])).unwrap_err();
        assert!(err.to_string().contains("use uitars or qwen3vl"), "{err}");

        let gemini = Choice {
            policy: Some(PolicyKind::Gemini),
            model: Some("gemini-3.5-flash".into()),
            base_url: Some("http://127.0.0.1:1/".into()),
            ..Choice::default()
        };
        let PolicySpec::Gemini(m) = run_spec(&gemini, &Config::default()).unwrap() else {
            panic!("not gemini");
        };
        assert_eq!(m.base_url, "http://127.0.0.1:1");
    }

    #[test]
    fn missing_input_is_named() {
        let err = run_spec(
            &Choice {
                policy: Some(PolicyKind::Anthropic),
                ..Choice::default()
            },
            &Config::default(),
        )
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "--policy anthropic needs --model NAME (like claude-sonnet-4-5)"
        );
        let err = run_spec(&Choice::default(), &Config::default()).unwrap_err();
        assert_eq!(err.to_string(), "--policy script needs --script FILE");
        let err = run_spec(
            &Choice {
                policy: Some(PolicyKind::None),
                ..Choice::default()
            },
            &Config::default(),
        )
        .unwrap_err();
        assert!(matches!(err, ResolveError::NoneHere));
        let err = run_spec(&Choice::default(), &config(&["policy=gpt"])).unwrap_err();
        assert_eq!(err.to_string(), "unknown policy 'gpt' in the configuration");
    }

    #[test]
    fn an_overlay_changes_only_what_is_given() {
        let spec = run_spec(
            &Choice {
                policy: Some(PolicyKind::Anthropic),
                model: Some("claude-sonnet-4-5".into()),
                base_url: Some("http://127.0.0.1:1".into()),
                ..Choice::default()
            },
            &config(&["context.set_of_marks=true", "http.timeout_ms=900"]),
        )
        .unwrap();
        let same = overlay(spec.clone(), &Choice::default(), &Config::default()).unwrap();
        assert_eq!(same, spec);
        let PolicySpec::Anthropic(AnthropicSpec { model: m, tool }) = overlay(
            spec,
            &Choice {
                model: Some("claude-opus-4-5".into()),
                ..Choice::default()
            },
            &config(&["http.attempts=1", "anthropic.tool=computer_20251124"]),
        )
        .unwrap() else {
            panic!("not anthropic");
        };
        assert_eq!(tool, Some(AnthropicTool::Computer20251124));
        assert_eq!(m.model, "claude-opus-4-5");
        assert_eq!(m.http.attempts, 1);
        assert_eq!(m.http.timeout_ms, 900);
        assert!(m.context.set_of_marks);
        assert_eq!(m.base_url, "http://127.0.0.1:1");
    }
}
