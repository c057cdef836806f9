//! The web page in a real browser: headless Chromium (Debian's `chromium`) driven over the
//! Chrome DevTools Protocol on a pipe (`--remote-debugging-pipe`: JSON messages ended by a
//! NUL byte on file descriptors 3 and 4, so no websocket client is needed), with page
//! JavaScript disabled. It searches, clicks a facet, checks hits, counts and the timeline,
//! and saves screenshots under `target/browser/`. Skipped, with a message, where no
//! Chromium is installed (`.ci/run` installs it).

use std::io::{BufRead, BufReader, Write};
use std::os::fd::AsRawFd;
use std::os::unix::process::CommandExt;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::mpsc::{Receiver, channel};
use std::time::{Duration, Instant};

use base64::Engine;
use quotewire::index::SearchIndex;
use quotewire::server::{AppState, router};
use serde_json::{Value, json};

use crate::support::*;

/// Longest wait for one browser answer or page load.
const BROWSER_TIMEOUT: Duration = Duration::from_secs(30);

fn chromium() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("QUOTEWIRE_CHROMIUM") {
        return Some(PathBuf::from(path));
    }
    let path = std::env::var_os("PATH")?;
    ["chromium", "chromium-browser", "google-chrome", "google-chrome-stable"]
        .iter()
        .flat_map(|name| std::env::split_paths(&path).map(move |dir| dir.join(name)))
        .find(|candidate| candidate.is_file())
}

struct Browser {
    child: Child,
    commands: std::io::PipeWriter,
    messages: Receiver<Value>,
    next_id: u64,
    session: String,
    _profile: tempfile::TempDir,
}

impl Browser {
    /// Starts Chromium, retrying twice when the browser dies or stays silent before it has
    /// opened a page (seen once under heavy load: the DevTools pipe broke at start). Nothing
    /// of the web page has been asked for by then, so a retry hides no fault of ours.
    fn launch(binary: &PathBuf) -> Browser {
        let mut failures = Vec::new();
        for _ in 0..3 {
            match Browser::try_launch(binary) {
                Ok(browser) => return browser,
                Err(why) => {
                    eprintln!("Chromium did not start: {why}");
                    failures.push(why);
                }
            }
        }
        panic!("Chromium did not start three times: {failures:?}");
    }

    fn try_launch(binary: &PathBuf) -> Result<Browser, String> {
        let profile = tempfile::tempdir().unwrap();
        let (browser_reads, commands) = std::io::pipe().unwrap();
        let (replies, browser_writes) = std::io::pipe().unwrap();
        let (read_fd, write_fd) = (browser_reads.as_raw_fd(), browser_writes.as_raw_fd());
        let mut command = Command::new(binary);
        command
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
                "--disable-dev-shm-usage",
                "--window-size=1280,1000",
                "--remote-debugging-pipe",
            ])
            .arg(format!("--user-data-dir={}", profile.path().display()))
            .arg("about:blank")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        // SAFETY: between fork and exec only async-signal-safe calls: dup2 puts the pipe ends
        // where the DevTools pipe protocol expects them (3: commands in, 4: messages out).
        unsafe {
            command.pre_exec(move || {
                if libc::dup2(read_fd, 3) < 0 || libc::dup2(write_fd, 4) < 0 {
                    return Err(std::io::Error::last_os_error());
                }
                Ok(())
            });
        }
        let child = command.spawn().expect("chromium starts");
        drop((browser_reads, browser_writes));
        let (tx, messages) = channel();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(replies);
            loop {
                let mut message = Vec::new();
                match reader.read_until(0, &mut message) {
                    Ok(0) | Err(_) => return,
                    Ok(_) => {
                        message.pop();
                        if let Ok(value) = serde_json::from_slice::<Value>(&message)
                            && tx.send(value).is_err()
                        {
                            return;
                        }
                    }
                }
            }
        });
        let mut browser = Browser { child, commands, messages, next_id: 0, session: String::new(), _profile: profile };
        let target = browser.try_send("Target.createTarget", json!({ "url": "about:blank" }), None)?;
        let attached = browser.try_send(
            "Target.attachToTarget",
            json!({ "targetId": target["targetId"], "flatten": true }),
            None,
        )?;
        browser.session = attached["sessionId"].as_str().ok_or("no session id")?.to_string();
        browser.call("Page.enable", json!({}));
        browser.call("DOM.enable", json!({}));
        // Basic search must work with JavaScript off.
        browser.call("Emulation.setScriptExecutionDisabled", json!({ "value": true }));
        Ok(browser)
    }

    fn send(&mut self, method: &str, params: Value, session: Option<&str>) -> Value {
        self.try_send(method, params, session).unwrap_or_else(|why| panic!("{why}"))
    }

    /// One DevTools command and its answer; an error answer is a test failure, not an `Err`.
    fn try_send(&mut self, method: &str, params: Value, session: Option<&str>) -> Result<Value, String> {
        self.next_id += 1;
        let id = self.next_id;
        let mut message = json!({ "id": id, "method": method, "params": params });
        if let Some(session) = session {
            message["sessionId"] = json!(session);
        }
        let mut bytes = serde_json::to_vec(&message).unwrap();
        bytes.push(0);
        self.commands.write_all(&bytes).map_err(|e| format!("sending {method}: {e}"))?;
        let deadline = Instant::now() + BROWSER_TIMEOUT;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let reply = self.messages.recv_timeout(left).map_err(|e| format!("no answer to {method}: {e}"))?;
            if reply["id"] == id {
                assert!(reply["error"].is_null(), "{method}: {}", reply["error"]);
                return Ok(reply["result"].clone());
            }
        }
    }

    fn call(&mut self, method: &str, params: Value) -> Value {
        let session = self.session.clone();
        self.send(method, params, Some(&session))
    }

    /// Waits for the page's load event (after a navigation or a click that submits).
    fn wait_for_load(&mut self) {
        let deadline = Instant::now() + BROWSER_TIMEOUT;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let event = self.messages.recv_timeout(left).expect("the page loads");
            if event["method"] == "Page.loadEventFired" {
                return;
            }
        }
    }

    fn navigate(&mut self, url: &str) {
        self.call("Page.navigate", json!({ "url": url }));
        self.wait_for_load();
    }

    fn node(&mut self, selector: &str) -> u64 {
        let root = self.call("DOM.getDocument", json!({ "depth": 0 }))["root"]["nodeId"].as_u64().unwrap();
        let node =
            self.call("DOM.querySelector", json!({ "nodeId": root, "selector": selector }))["nodeId"].as_u64().unwrap();
        assert!(node > 0, "no `{selector}` on the page");
        node
    }

    fn html(&mut self) -> String {
        let root = self.call("DOM.getDocument", json!({ "depth": 0 }))["root"]["nodeId"].as_u64().unwrap();
        self.call("DOM.getOuterHTML", json!({ "nodeId": root }))["outerHTML"].as_str().unwrap().to_string()
    }

    /// Clicks the middle of the element `selector`, as a user would.
    fn click(&mut self, selector: &str) {
        let node = self.node(selector);
        self.call("DOM.scrollIntoViewIfNeeded", json!({ "nodeId": node }));
        let quad = self.call("DOM.getBoxModel", json!({ "nodeId": node }))["model"]["content"].clone();
        let xs = [0, 2, 4, 6].map(|i| quad[i].as_f64().unwrap());
        let ys = [1, 3, 5, 7].map(|i| quad[i].as_f64().unwrap());
        let (x, y) = (xs.iter().sum::<f64>() / 4.0, ys.iter().sum::<f64>() / 4.0);
        for kind in ["mousePressed", "mouseReleased"] {
            self.call(
                "Input.dispatchMouseEvent",
                json!({ "type": kind, "x": x, "y": y, "button": "left", "clickCount": 1 }),
            );
        }
    }

    fn screenshot(&mut self, name: &str) -> PathBuf {
        let shot = self.call("Page.captureScreenshot", json!({ "format": "png", "captureBeyondViewport": true }));
        let png = base64::engine::general_purpose::STANDARD.decode(shot["data"].as_str().unwrap()).unwrap();
        assert!(png.starts_with(b"\x89PNG"), "a PNG screenshot");
        let dir = repo().join("target/browser");
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(name);
        std::fs::write(&path, png).unwrap();
        path
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The number in `data-{attribute}="N"` after `marker` in `html`.
fn number_after(html: &str, marker: &str, attribute: &str) -> u64 {
    let rest = &html[html.find(marker).unwrap_or_else(|| panic!("no {marker}"))..];
    let key = format!("{attribute}=\"");
    let start = rest.find(&key).unwrap() + key.len();
    rest[start..].split('"').next().unwrap().parse().unwrap()
}

/// (value, count) of each entry of facet `name`.
fn facet(html: &str, name: &str) -> Vec<(String, u64)> {
    let start = html.find(&format!("data-facet=\"{name}\"")).unwrap_or_else(|| panic!("no facet {name}"));
    let block = &html[start..start + html[start..].find("</ul>").unwrap()];
    block
        .split("<li>")
        .skip(1)
        .map(|li| {
            let value = li.split('>').nth(1).unwrap().split('<').next().unwrap().to_string();
            let count = li.split("class=\"count\">").nth(1).unwrap().split('<').next().unwrap().parse().unwrap();
            (value, count)
        })
        .collect()
}

/// Stores a made-up vector for every statement (seven directions, so every statement has
/// near neighbours), as `quotewire embed` would store real ones.
fn store_vectors_for_every_statement(store: &std::path::Path, model: &str) {
    use quotewire::store::{DocumentStore, QuoteVector, SqliteStore};
    let mut store = SqliteStore::open(store).unwrap();
    let mut k = 0usize;
    for pending in store.pending_embeddings(model, "", 10_000).unwrap() {
        let vectors: Vec<QuoteVector> = pending
            .quotes
            .iter()
            .map(|(id, _)| {
                k += 1;
                let angle = (k % 7) as f32 * 0.3;
                QuoteVector { quote_id: id.clone(), vector: vec![angle.cos(), angle.sin(), 0.1] }
            })
            .collect();
        store.put_embeddings(&pending.article_id, &pending.content_hash, model, &vectors).unwrap();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn headless_chromium_searches_clicks_a_facet_and_sees_the_timeline() {
    let Some(binary) = chromium() else {
        eprintln!("skipping the browser test: no Chromium found (install Debian's `chromium`; .ci/run does)");
        return;
    };
    let (data, _server) = corpus_data().await;
    let index = Arc::new(SearchIndex::open_or_create(&data.path().join("tantivy")).unwrap());
    let state = AppState::new(index, Some(data.path().join("store.sqlite")));
    store_vectors_for_every_statement(&data.path().join("store.sqlite"), state.similar.model());
    let addr = serve(router(state)).await;
    let base = format!("http://{addr}");
    let results = tokio::task::spawn_blocking(move || {
        let mut browser = Browser::launch(&binary);
        browser.navigate(&format!("{base}/"));
        // Type the query into the box and press the button, JavaScript off.
        let input = browser.node("input[name=q]");
        browser.call("DOM.focus", json!({ "nodeId": input }));
        browser.call("Input.insertText", json!({ "text": "speaker:huawei AND stance:deny" }));
        browser.click("button[type=submit]");
        browser.wait_for_load();
        let searched = browser.html();
        let first_shot = browser.screenshot("search.png");

        browser.click("div[data-facet=site] li a");
        browser.wait_for_load();
        let narrowed = browser.html();
        let second_shot = browser.screenshot("facet.png");

        browser.click("a.speaker");
        browser.wait_for_load();
        let speaker = browser.html();
        let third_shot = browser.screenshot("speaker.png");

        browser.click("a.similar");
        browser.wait_for_load();
        let similar = browser.html();
        let fourth_shot = browser.screenshot("similar.png");
        (searched, narrowed, speaker, similar, [first_shot, second_shot, third_shot, fourth_shot])
    })
    .await
    .unwrap();
    let (searched, narrowed, speaker, similar, shots) = results;

    // Highlighted results: every hit a Huawei denial, the speaker's name marked.
    let total = number_after(&searched, "id=\"total\"", "data-total");
    assert!(total >= 3, "{total}");
    assert!(searched.contains("value=\"speaker:huawei AND stance:deny\""), "the box keeps the query");
    let hits = searched.matches("class=\"hit\"").count() as u64;
    assert_eq!(hits, total.min(20));
    assert_eq!(searched.matches("<span class=\"stance\">deny</span>").count() as u64, hits);
    assert!(searched.matches("<mark>Huawei</mark>").count() as u64 >= hits);
    // Facet counts agree with the results.
    assert_eq!(facet(&searched, "stance"), [("deny".to_string(), total)]);
    let sites = facet(&searched, "site");
    assert_eq!(sites.iter().map(|(_, n)| n).sum::<u64>(), total);
    // The timeline's bars add up to the dated matches.
    let bars: u64 = searched
        .split("<rect class=\"bar\" data-count=\"")
        .skip(1)
        .map(|s| s.split('"').next().unwrap().parse::<u64>().unwrap())
        .sum();
    assert!(searched.contains("<svg class=\"timeline\""));
    assert_eq!(bars, total, "every denial is dated");

    // The facet link narrowed the search to the first outlet, with its count.
    let (site, count) = &sites[0];
    assert_eq!(number_after(&narrowed, "id=\"total\"", "data-total"), *count);
    assert!(narrowed.contains("filters: "), "the filter is shown");
    assert!(narrowed.contains(&format!("site:&quot;{site}&quot;")), "{site}");

    assert!(speaker.contains("data-subject=\"speaker\">Huawei</h1>"));
    assert!(speaker.contains("written as"));
    // A statement's "similar statements" link: the statement, then its nearest by meaning.
    assert!(similar.contains("<h1>Similar statements</h1>") && similar.contains("Said in other words"), "{similar}");
    assert_eq!(similar.matches("class=\"similar\" data-similarity=").count(), 20);
    for shot in shots {
        assert!(std::fs::metadata(&shot).unwrap().len() > 5_000, "{}", shot.display());
    }
}
