//! The flags several commands share, declared once: the display (`--display`, `--virtual`,
//! `--screen`), `--launch`, and the model settings; and the value parsers for `WxH` and `K/N`.

use crate::policy::Coords;
use crate::session::{Choice, DEFAULT_SCREEN, DisplayChoice, Limits};
use clap::Args;
use deskhand_actions::Size;
use std::path::PathBuf;

/// Where a command runs: the same three flags, with the same meaning, for `run`, `record`,
/// `replay`, `resume` and `eval`.
#[derive(Debug, Clone, Default, Args)]
pub struct DisplayArgs {
    /// Use this existing X display, like `:0` [default: $DISPLAY].
    #[arg(long, value_name = ":N", conflicts_with_all = ["virtual_display", "screen"])]
    pub display: Option<String>,
    /// Start a private virtual display (Xvfb + openbox + D-Bus, its own HOME).
    #[arg(long = "virtual", id = "virtual_display")]
    pub virtual_display: bool,
    /// The virtual display's size; implies --virtual [default: 1280x800; replay: the
    /// recorded screen's].
    #[arg(long, value_name = "WxH", value_parser = parse_size)]
    pub screen: Option<Size>,
}

impl DisplayArgs {
    /// The display asked for; `virtual_by_default` when neither `--display` nor `--virtual`
    /// is given (replay), else `$DISPLAY`.
    pub fn choice(&self, virtual_by_default: bool, default_size: Size) -> DisplayChoice {
        let wants_virtual = self.virtual_display || self.screen.is_some();
        match &self.display {
            Some(name) => DisplayChoice::Existing(Some(name.clone())),
            None if wants_virtual || virtual_by_default => {
                DisplayChoice::Virtual(self.screen.unwrap_or(default_size))
            }
            None => DisplayChoice::Existing(None),
        }
    }

    /// The display for a command that always starts its own (eval): `--display` is refused.
    pub fn own_virtual(&self, command: &str) -> anyhow::Result<Size> {
        if self.display.is_some() {
            anyhow::bail!(
                "deskhand {command} starts a private virtual display for each task: --display cannot be used"
            );
        }
        Ok(self.screen.unwrap_or(DEFAULT_SCREEN))
    }

    /// The display for a command that goes on where a run was (resume): only `--display`.
    pub fn existing_only(&self, command: &str) -> anyhow::Result<Option<String>> {
        if self.virtual_display || self.screen.is_some() {
            anyhow::bail!(
                "deskhand {command} goes on on the run's own display: --virtual and --screen cannot be used (pass --display if it lives on under another name)"
            );
        }
        Ok(self.display.clone())
    }
}

/// Programs to start first.
#[derive(Debug, Clone, Default, Args)]
pub struct LaunchArgs {
    /// Start this program on the display first and wait for its window (may be repeated).
    #[arg(long, value_name = "COMMAND")]
    pub launch: Vec<String>,
}

/// The model, limits and configuration: the same for `run`, `resume` and `eval`.
#[derive(Debug, Clone, Default, Args)]
pub struct AgentArgs {
    /// For model policies: the model's name.
    #[arg(long, value_name = "NAME")]
    pub model: Option<String>,
    /// For model policies: the API's base URL [default: from the environment, else the
    /// provider's own].
    #[arg(long, value_name = "URL")]
    pub base_url: Option<String>,
    /// For `--policy openai-compat`: how the model's coordinates are meant [default from the
    /// model's name: UI-TARS 1.0 is relative-1000, others smart-resize].
    #[arg(long, value_enum, value_name = "SPACE")]
    pub coords: Option<Coords>,
    /// Stop after this many steps [default: 50].
    #[arg(long, value_name = "N")]
    pub max_steps: Option<u32>,
    /// Read defaults from this file [default: ./deskhand.toml, else
    /// ~/.config/deskhand/deskhand.toml].
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Override a configuration key, like `-c http.timeout_ms=30000` (may be repeated).
    #[arg(short = 'c', value_name = "KEY=VALUE")]
    pub set: Vec<String>,
    /// Stop before the next model call once the model calls have cost this many US dollars.
    #[arg(long, value_name = "USD")]
    pub max_cost: Option<f64>,
}

impl AgentArgs {
    /// The configuration file (or the default one) with `-c` applied.
    pub fn config(&self) -> anyhow::Result<crate::config::Config> {
        Ok(crate::config::load(self.config.as_deref(), &self.set)?)
    }

    /// What the flags ask of the policy.
    pub fn choice(&self, policy: Option<crate::session::PolicyKind>) -> Choice {
        Choice {
            policy,
            model: self.model.clone(),
            base_url: self.base_url.clone(),
            coords: self.coords,
            script: None,
            replay_from: None,
        }
    }

    /// The limits: the flags, else the configuration, else the defaults.
    pub fn limits(&self, config: &crate::config::Config) -> Limits {
        Limits {
            max_steps: self
                .max_steps
                .or(config.max_steps)
                .unwrap_or(crate::session::DEFAULT_MAX_STEPS),
            max_cost_usd: self.max_cost.or(config.max_cost),
        }
    }
}

/// Parses `WxH` (see [`crate::session::display::parse_size`]).
pub fn parse_size(s: &str) -> Result<Size, crate::session::display::BadSize> {
    crate::session::display::parse_size(s)
}

/// Parses `K/N` (like `2/4`) with 1 ≤ K ≤ N.
pub fn parse_shard(s: &str) -> Result<crate::eval::Shard, crate::eval::BadShard> {
    s.parse()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_parse_and_bad_ones_say_why() {
        assert_eq!(parse_size("1366x768").unwrap(), Size::new(1366, 768));
        assert_eq!(parse_size("1920X1080").unwrap(), Size::new(1920, 1080));
        assert_eq!(parse_size("800×600").unwrap(), Size::new(800, 600));
        for bad in ["1280", "axb", "100x100", "99999x800", ""] {
            let e = parse_size(bad).unwrap_err().to_string();
            assert!(e.contains("expected WxH"), "{e}");
        }
    }

    #[test]
    fn shards_parse_and_bad_ones_say_why() {
        assert_eq!(parse_shard("2/4"), Ok(crate::eval::Shard { k: 2, n: 4 }));
        assert_eq!(
            parse_shard(" 1 / 1 "),
            Ok(crate::eval::Shard { k: 1, n: 1 })
        );
        for bad in ["0/4", "5/4", "2", "a/b", "1/0"] {
            let e = parse_shard(bad).unwrap_err().to_string();
            assert!(e.contains("1 ≤ K ≤ N"), "{e}");
        }
    }

    #[test]
    fn the_display_flags_mean_the_same_everywhere() {
        let none = DisplayArgs::default();
        assert_eq!(
            none.choice(false, DEFAULT_SCREEN),
            DisplayChoice::Existing(None)
        );
        assert_eq!(
            none.choice(true, Size::new(800, 600)),
            DisplayChoice::Virtual(Size::new(800, 600))
        );
        let screen = DisplayArgs {
            screen: Some(Size::new(1024, 768)),
            ..DisplayArgs::default()
        };
        assert_eq!(
            screen.choice(false, DEFAULT_SCREEN),
            DisplayChoice::Virtual(Size::new(1024, 768))
        );
        let named = DisplayArgs {
            display: Some(":5".into()),
            ..DisplayArgs::default()
        };
        assert_eq!(
            named.choice(true, DEFAULT_SCREEN),
            DisplayChoice::Existing(Some(":5".into()))
        );
        assert!(named.own_virtual("eval").is_err());
        assert!(screen.existing_only("resume").is_err());
        assert_eq!(
            named.existing_only("resume").unwrap().as_deref(),
            Some(":5")
        );
    }
}
