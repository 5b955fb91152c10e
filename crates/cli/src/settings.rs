//! Settings: defaults, then an optional TOML file, then `HAVEN_…` variables.
//! Unknown keys are rejected and values checked before anything is served.
use anyhow::{Context, bail};
use serde::Deserialize;
use std::path::Path;

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Settings {
    pub web: WebSettings,
    /// DASH thresholds (`[rules.dash]`), MARAC triggers (`[rules.marac]`),
    /// routing (`[rules.routing]`), caseload norms (`[rules.caseload]`),
    /// triage targets (`[rules.triage]`). Each is checked when loaded.
    pub rules: haven_web::Rules,
    /// The public self-referral form: `burst`, `per_hour`, `min_fill_secs`, `max_form_age_secs`.
    pub public_intake: haven_web::intake::public::PublicIntakeSettings,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct WebSettings {
    /// Minutes of inactivity after which a session ends.
    pub idle_timeout_minutes: u32,
    /// Mark cookies Secure (leave on; browsers accept them on http://localhost and 127.0.0.1).
    pub secure_cookies: bool,
    pub service_name: String,
    /// Hours between scheduled record-linkage runs (0 turns them off).
    pub link_every_hours: u32,
}

impl Default for WebSettings {
    fn default() -> Self {
        Self { idle_timeout_minutes: 30, secure_cookies: true, service_name: "Haven".into(), link_every_hours: 24 }
    }
}

impl Settings {
    pub fn load(file: Option<&Path>) -> anyhow::Result<Self> {
        let mut s = match file {
            Some(p) => {
                let text = std::fs::read_to_string(p).with_context(|| format!("reading settings file {}", p.display()))?;
                toml::from_str(&text).with_context(|| format!("settings file {}", p.display()))?
            }
            None => Settings::default(),
        };
        if let Ok(v) = std::env::var("HAVEN_WEB__IDLE_TIMEOUT_MINUTES") {
            s.web.idle_timeout_minutes = v.parse().with_context(|| "HAVEN_WEB__IDLE_TIMEOUT_MINUTES must be a whole number of minutes")?;
        }
        if let Ok(v) = std::env::var("HAVEN_WEB__SECURE_COOKIES") {
            s.web.secure_cookies = v.parse().with_context(|| "HAVEN_WEB__SECURE_COOKIES must be true or false")?;
        }
        s.validate()?;
        Ok(s)
    }

    fn validate(&self) -> anyhow::Result<()> {
        if !(1..=24 * 60).contains(&self.web.idle_timeout_minutes) {
            bail!("web.idle_timeout_minutes must be between 1 and 1440, not {}", self.web.idle_timeout_minutes);
        }
        Ok(())
    }

    pub fn web_config(&self, idle_override_secs: Option<i64>) -> haven_web::WebConfig {
        haven_web::WebConfig {
            idle_timeout_secs: idle_override_secs.unwrap_or(i64::from(self.web.idle_timeout_minutes) * 60),
            secure_cookies: self.web.secure_cookies,
            service_name: self.web.service_name.clone(),
            rules: self.rules.clone(),
            public_intake: self.public_intake.clone(),
            link_every_hours: self.web.link_every_hours,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_keys_are_rejected() {
        let r: Result<Settings, _> = toml::from_str("[web]\nidle_timout_minutes = 5\n");
        assert!(r.is_err());
        let s: Settings = toml::from_str("[web]\nidle_timeout_minutes = 5\n").unwrap();
        assert_eq!(s.web.idle_timeout_minutes, 5);
    }
}
