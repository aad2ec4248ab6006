//! Search finds what people type: ids, addresses and e-mail addresses as whole terms, words,
//! prefixes, any case; the same on the store and on a JSON Lines file.

use super::common::Env;

fn ids(env: &Env, store: Option<&str>, search: &str) -> Vec<String> {
    let mut args = Vec::new();
    if let Some(s) = store {
        args.extend(["--store", s]);
    }
    args.extend([
        "list", "--all", "--sort", "seq", "-o", "jsonl", "--search", search,
    ]);
    env.run(&args).ok().ids()
}

#[test]
fn search_finds_whole_ids_addresses_and_prefixes() {
    let env = Env::new();
    env.run(&["demo", "--events", "3000", "--end", "2026-11-24T00:00:00Z"])
        .ok();
    let export = env.run(&["export", "-o", "jsonl", "--reveal"]).ok();
    env.write("all.jsonl", &export.stdout);
    let all = env.all_events();
    let having = |pred: &dyn Fn(&auditctl::model::Event) -> bool| -> Vec<String> {
        all.iter()
            .filter(|e| pred(e))
            .map(|e| e.id.clone())
            .collect()
    };
    for store in [None, Some("all.jsonl")] {
        // An id is found whole: wh-8 is not wh-13, p-24 is its own history.
        let wh8 = ids(&env, store, "wh-8");
        assert!(!wh8.is_empty());
        assert_eq!(
            wh8,
            having(&|e| serde_json::to_string(e).unwrap().contains("\"wh-8\"")),
            "{store:?}"
        );
        let history: Vec<String> = env
            .run(&["history", "policies", "p-24", "-o", "jsonl"])
            .ok()
            .stdout
            .lines()
            .map(|l| {
                serde_json::from_str::<serde_json::Value>(l).unwrap()["id"]
                    .as_str()
                    .unwrap()
                    .to_owned()
            })
            .collect();
        let mut p24 = ids(&env, store, "P-24");
        p24.sort();
        let mut history = history;
        history.sort();
        assert_eq!(p24, history, "{store:?}");
        // An address, and the ip field, are searched.
        let ip = all.iter().find_map(|e| e.ip.clone()).unwrap();
        assert_eq!(
            ids(&env, store, &ip),
            having(&|e| e.ip.as_deref() == Some(ip.as_str())
                || serde_json::to_string(e)
                    .unwrap()
                    .contains(&format!("\"{ip}\""))),
            "{store:?} {ip}"
        );
        // A trailing * is a prefix; a word of a compound finds the compound.
        let prefix = ids(&env, store, "wh-1*");
        assert!(prefix.len() > wh8.len());
        assert!(!ids(&env, store, "wh").is_empty());
        assert!(ids(&env, store, "wh-").len() == ids(&env, store, "wh").len());
    }
}

#[test]
fn a_search_with_no_word_in_it_is_refused() {
    let env = Env::with_events();
    for args in [
        &["list", "--search", "🦓"][..],
        &["list", "--search", ""],
        &["filter", "search(\"--\")"],
    ] {
        let run = env.run(args);
        assert_eq!(run.code, 2, "{args:?}: {}", run.stderr);
        assert!(
            run.stderr.contains("holds no word to look for"),
            "{args:?}: {}",
            run.stderr
        );
    }
}
