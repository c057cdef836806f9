//! The deployment files in `deploy/`: the systemd units and the Dockerfile start the binary
//! with arguments it accepts, and keep their hardening. (Building the image needs a Docker
//! engine: that check is manual, in CONTRIBUTING.md.)

use clap::Parser;
use quotewire::cli::Cli;

use crate::support::repo;

fn read(path: &str) -> String {
    std::fs::read_to_string(repo().join(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn directive<'a>(unit: &'a str, key: &str) -> Vec<&'a str> {
    unit.lines().filter_map(|l| l.strip_prefix(key).and_then(|rest| rest.strip_prefix('='))).collect()
}

#[test]
fn the_systemd_units_start_valid_commands_with_their_hardening() {
    for name in ["deploy/quotewire-run.service", "deploy/quotewire-serve.service"] {
        let unit = read(name);
        let exec = directive(&unit, "ExecStart");
        assert_eq!(exec.len(), 1, "{name}");
        let args: Vec<String> =
            exec[0].split_whitespace().map(|a| a.replace("${CREDENTIALS_DIRECTORY}", "/run/credentials/x")).collect();
        let cli = Cli::try_parse_from(&args).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(cli.is_service(), "{name} runs a service command");
        for hardening in [
            "NoNewPrivileges=yes",
            "CapabilityBoundingSet=",
            "ProtectSystem=strict",
            "ProtectHome=yes",
            "PrivateTmp=yes",
            "PrivateDevices=yes",
            "MemoryDenyWriteExecute=yes",
            "RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX",
            "SystemCallFilter=@system-service",
            "RestartPreventExitStatus=2",
            "KillSignal=SIGTERM",
        ] {
            assert!(unit.lines().any(|l| l == hardening), "{name} lacks {hardening}");
        }
        // Long enough for the first SIGTERM's grace period (10 s) and the final commit.
        let stop: u64 = directive(&unit, "TimeoutStopSec")[0].parse().unwrap();
        assert!(stop > 15, "{name}: TimeoutStopSec={stop}");
    }
}

#[test]
fn the_systemd_units_pass_systemd_analyze_where_it_is_installed() {
    let Ok(probe) = std::process::Command::new("systemd-analyze").arg("--version").output() else {
        eprintln!("systemd-analyze is not installed: the unit check is the manual one in CONTRIBUTING.md");
        return;
    };
    assert!(probe.status.success());
    let dir = tempfile::tempdir().unwrap();
    let mut units = Vec::new();
    for name in ["quotewire-run.service", "quotewire-serve.service"] {
        let unit = read(&format!("deploy/{name}")).replace("/usr/local/bin/quotewire", env!("CARGO_BIN_EXE_quotewire"));
        let path = dir.path().join(name);
        std::fs::write(&path, unit).unwrap();
        units.push(path);
    }
    let out = std::process::Command::new("systemd-analyze").args(["verify", "--man=no"]).args(&units).output().unwrap();
    let messages = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success() && messages.trim().is_empty(), "{messages}");
    // The hardening as systemd scores it (0 is fully locked down, 10 fully exposed; `OK`
    // is below 2.0). `--offline` needs systemd 252 or newer: older ones skip this part.
    for unit in &units {
        let out = std::process::Command::new("systemd-analyze")
            .args(["security", "--offline=true", "--no-pager"])
            .arg(unit)
            .output()
            .unwrap();
        let report = String::from_utf8_lossy(&out.stdout);
        let Some(level) = report.lines().find_map(|l| l.split("Overall exposure level for ").nth(1)) else {
            eprintln!(
                "systemd-analyze security --offline is not supported here: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            continue;
        };
        let score: f64 = level.split_whitespace().nth(1).and_then(|v| v.parse().ok()).unwrap_or(10.0);
        assert!(score < 2.0, "{}: exposure {level}", unit.display());
    }
}

#[test]
fn the_dockerfile_is_multi_stage_non_root_with_the_data_directory_as_a_volume() {
    let dockerfile = read("deploy/Dockerfile");
    let instructions: Vec<&str> = dockerfile.lines().filter(|l| !l.starts_with('#') && !l.trim().is_empty()).collect();
    assert!(instructions.iter().filter(|l| l.starts_with("FROM ")).count() >= 2, "multi-stage");
    assert!(
        instructions.iter().any(|l| l.starts_with("COPY --from=build ")),
        "the runtime stage takes only the binary"
    );
    let user = instructions.iter().find_map(|l| l.strip_prefix("USER ")).expect("a USER");
    assert!(!user.starts_with("root") && !user.starts_with('0'), "non-root: {user}");
    assert!(instructions.contains(&"VOLUME [\"/data\"]"));
    let json_args = |key: &str| -> Vec<String> {
        let line = instructions.iter().find_map(|l| l.strip_prefix(key)).unwrap_or_else(|| panic!("no {key}"));
        serde_json::from_str(line.trim()).unwrap_or_else(|e| panic!("{key} {line}: {e}"))
    };
    let mut args = json_args("ENTRYPOINT ");
    args.extend(json_args("CMD "));
    let cli = Cli::try_parse_from(&args).unwrap_or_else(|e| panic!("{args:?}: {e}"));
    assert_eq!(cli.data_dir, std::path::PathBuf::from("/data"));
    // What the image copies exists in the repository.
    for copied in ["config/default.toml", "pipelines/telecom-security.toml"] {
        assert!(repo().join(copied).is_file(), "{copied}");
    }
    let ignore = read("deploy/Dockerfile.dockerignore");
    assert!(ignore.lines().any(|l| l == "target/"), "the build context leaves target/ out");
}
